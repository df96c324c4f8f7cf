namespace Hl7Mllp.Sending;

/// <summary>What an <see cref="MllpClientEventArgs"/> reports.</summary>
public enum MllpClientEventKind
{
    /// <summary>A connection attempt starts.</summary>
    Connecting = 0,

    /// <summary>A connection is open (and, with TLS, authenticated).</summary>
    Connected = 1,

    /// <summary>A connection was closed (by the client, the peer, a timeout or an error); <see cref="MllpClientEventArgs.Error"/> says why when it was not a normal close.</summary>
    Disconnected = 2,

    /// <summary>A message is about to be written.</summary>
    Sending = 3,

    /// <summary>A positive ACK matching the message arrived.</summary>
    AckReceived = 4,

    /// <summary>A negative ACK (an error code per the ACK condition) matching the message arrived.</summary>
    NakReceived = 5,

    /// <summary>A send failed: ACK timeout, a protocol error (mismatched or unreadable reply), or a transport error.</summary>
    SendFailed = 6,

    /// <summary>A heartbeat got no positive, matching ACK; the connection is renewed.</summary>
    HeartbeatFailed = 7,
}
