namespace Hl7Mllp.Messages;

/// <summary>
/// Thrown when bytes are not a parseable HL7 v2 ER7 message. Carries the table 0357 code the problem maps to
/// and the byte position; the message text never contains message content (PHI), so it is safe to log.
/// </summary>
public sealed class Hl7ParseException : FormatException
{
    /// <summary>Creates an exception from a parse error.</summary>
    /// <param name="error">The error found by the parser.</param>
    public Hl7ParseException(Hl7ParseError error)
        : base(error.Reason)
    {
        Error = error;
    }

    /// <summary>Creates an exception with the default reason (needed for serializers; prefer the other constructor).</summary>
    public Hl7ParseException()
        : this(new Hl7ParseError(Hl7ErrorCode.OtherError, 0, "The message could not be parsed"))
    {
    }

    /// <summary>Creates an exception with a reason (error code 199, position 0).</summary>
    /// <param name="message">What is wrong, without message content.</param>
    public Hl7ParseException(string message)
        : this(new Hl7ParseError(Hl7ErrorCode.OtherError, 0, message))
    {
    }

    /// <summary>Creates an exception with a reason and a cause (error code 199, position 0).</summary>
    /// <param name="message">What is wrong, without message content.</param>
    /// <param name="innerException">The underlying failure.</param>
    public Hl7ParseException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Error = new Hl7ParseError(Hl7ErrorCode.OtherError, 0, message);
    }

    /// <summary>Gets the parse error this exception reports.</summary>
    public Hl7ParseError Error { get; }

    /// <summary>Gets the table 0357 code the problem maps to.</summary>
    public Hl7ErrorCode ErrorCode => Error.ErrorCode;

    /// <summary>Gets the byte offset of the problem in the input as it was passed to the parser.</summary>
    public int Position => Error.Position;
}
