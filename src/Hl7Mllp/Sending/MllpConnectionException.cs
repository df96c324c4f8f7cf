namespace Hl7Mllp.Sending;

/// <summary>
/// The client could not connect (<see cref="Attempt"/> says why: refused, timed out, TLS failure, …), or the
/// connection broke while a message was written or its ACK awaited (<see cref="Attempt"/> is <see langword="null"/>):
/// reset, closed by the peer, or closed in the middle of the ACK frame. Never an ACK outcome. When the connection
/// broke after the message was written the receiver may have it: resend it unchanged (same MSH-10).
/// </summary>
/// <remarks>The message names endpoints, control IDs and socket errors only.</remarks>
public sealed class MllpConnectionException : MllpException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, without message content.</param>
    /// <param name="endPoint">The receiver, as <c>host:port</c>.</param>
    /// <param name="attempt">The failed connection attempt, or <see langword="null"/> when an established connection broke.</param>
    /// <param name="innerException">The underlying failure.</param>
    public MllpConnectionException(string message, string endPoint, MllpConnectionAttempt? attempt, Exception? innerException)
        : base(message, innerException)
    {
        EndPoint = endPoint;
        Attempt = attempt;
    }

    /// <summary>The receiver, as <c>host:port</c>.</summary>
    public string EndPoint { get; }

    /// <summary>The failed connection attempt, or <see langword="null"/> when an established connection broke during a send.</summary>
    public MllpConnectionAttempt? Attempt { get; }
}
