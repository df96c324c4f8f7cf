using System.Net.Security;
using System.Security.Authentication;

namespace Hl7Mllp.Sending;

/// <summary>One connection attempt of an <see cref="MllpClient"/>, for diagnostics (seed 000, the Diagnostics tab).</summary>
/// <param name="Timestamp">When the attempt started.</param>
/// <param name="EndPoint">The receiver as configured, <c>host:port</c>.</param>
/// <param name="RemoteAddress">The IP address and port connected to, or <see langword="null"/> when no TCP connection was made.</param>
/// <param name="Outcome">How the attempt ended.</param>
/// <param name="Error">Why it failed (socket error, TLS error), without message content; <see langword="null"/> on success.</param>
/// <param name="TlsProtocol">The negotiated TLS version, or <see langword="null"/> without TLS or when the handshake failed.</param>
/// <param name="CipherSuite">The negotiated TLS cipher suite, or <see langword="null"/> without TLS or when the handshake failed.</param>
/// <param name="Duration">How long the attempt took.</param>
public sealed record MllpConnectionAttempt(
    DateTimeOffset Timestamp,
    string EndPoint,
    string? RemoteAddress,
    MllpConnectionOutcome Outcome,
    string? Error,
    SslProtocols? TlsProtocol,
    TlsCipherSuite? CipherSuite,
    TimeSpan Duration);
