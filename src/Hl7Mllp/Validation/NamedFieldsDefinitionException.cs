namespace Hl7Mllp.Validation;

/// <summary>A Named Fields definition could not be loaded: unreadable JSON or an invalid entry. The message says which and where.</summary>
/// <remarks>Thrown while configuring, never while a message is validated.</remarks>
public sealed class NamedFieldsDefinitionException : MllpException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and where (segment, field, JSON line).</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public NamedFieldsDefinitionException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
