namespace Hl7Mllp;

/// <summary>
/// The base of every exception Hl7Mllp throws for a transport failure or a protocol violation.
/// ACK outcomes (AE, AR, …) are returned as results, never thrown.
/// </summary>
/// <remarks>Messages never contain HL7 message content, so they are safe to log.</remarks>
public class MllpException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong, without message content.</param>
    public MllpException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong, without message content.</param>
    /// <param name="innerException">The underlying failure.</param>
    public MllpException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
