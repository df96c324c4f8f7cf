namespace Hl7Mllp.Sending;

/// <summary>How a connection attempt ended.</summary>
public enum MllpConnectionOutcome
{
    /// <summary>Connected (and, with TLS, authenticated).</summary>
    Connected = 0,

    /// <summary>The host name could not be resolved.</summary>
    HostNotFound = 1,

    /// <summary>The receiver refused the connection (nothing listens on the port).</summary>
    Refused = 2,

    /// <summary>The attempt took longer than <see cref="MllpClientOptions.ConnectTimeout"/>.</summary>
    TimedOut = 3,

    /// <summary>The TLS handshake failed: the receiver's certificate was not trusted, or no common protocol or cipher.</summary>
    TlsFailed = 4,

    /// <summary>Any other socket or I/O error.</summary>
    Failed = 5,

    /// <summary>The caller canceled the attempt.</summary>
    Canceled = 6,
}
