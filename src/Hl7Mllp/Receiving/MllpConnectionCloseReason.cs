namespace Hl7Mllp.Receiving;

/// <summary>Why an <see cref="MllpListener"/> closed (or refused) a connection.</summary>
public enum MllpConnectionCloseReason
{
    /// <summary>The peer closed the connection between frames.</summary>
    PeerClosed = 0,

    /// <summary>The connection would have exceeded <see cref="MllpListenerOptions.MaxConnections"/>; closed at once.</summary>
    ConnectionLimit = 1,

    /// <summary>The peer's address is not in <see cref="MllpListenerOptions.AllowedRemoteAddresses"/>; closed at once.</summary>
    AddressNotAllowed = 2,

    /// <summary>No byte arrived for <see cref="MllpListenerOptions.IdleTimeout"/> between frames.</summary>
    IdleTimeout = 3,

    /// <summary>Inside a frame, no byte arrived for <see cref="MllpListenerOptions.ReadTimeout"/>, or a response could not be sent within it.</summary>
    ReadTimeout = 4,

    /// <summary>A frame was not complete within <see cref="MllpListenerOptions.FrameTimeout"/> of its first byte.</summary>
    FrameTimeout = 5,

    /// <summary>The TLS handshake did not finish within <see cref="MllpListenerOptions.TlsHandshakeTimeout"/>.</summary>
    TlsHandshakeTimeout = 6,

    /// <summary>The TLS handshake failed (protocol, cipher suite, or client certificate refused).</summary>
    TlsHandshakeFailed = 7,

    /// <summary>A frame grew past <see cref="Framing.MllpFramingOptions.MaxFrameBytes"/>.</summary>
    FrameTooLarge = 8,

    /// <summary>The peer closed or reset the connection in the middle of a frame; the partial frame was dropped.</summary>
    FrameTruncated = 9,

    /// <summary>The peer broke the MLLP framing rules (junk between frames beyond the policy).</summary>
    FramingViolation = 10,

    /// <summary>The handler threw without writing a response.</summary>
    HandlerFailed = 11,

    /// <summary>The handler asked for the connection to be closed (<see cref="MllpReceiveContext.CloseAfterResponse"/>).</summary>
    ClosedByHandler = 12,

    /// <summary>The listener stopped; the connection had no message in flight, or finished it.</summary>
    ListenerStopped = 13,

    /// <summary>The listener stopped and the message in flight did not finish within <see cref="MllpListenerOptions.DrainTimeout"/>; the connection was aborted without a response.</summary>
    DrainTimeout = 14,

    /// <summary>The connection failed at the transport level (reset, network error).</summary>
    TransportError = 15,
}
