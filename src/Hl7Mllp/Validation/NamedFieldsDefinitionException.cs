namespace Hl7Mllp.Validation;

/// <summary>
/// A Named Fields definition could not be loaded: unreadable JSON, an invalid entry, or a SQL query that failed or
/// returned no usable value. The message says which and where, never the definition's text.
/// </summary>
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
