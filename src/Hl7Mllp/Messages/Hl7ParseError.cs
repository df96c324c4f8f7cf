namespace Hl7Mllp.Messages;

/// <summary>
/// Why a message could not be parsed: the HL7 error code (table 0357) it maps to, the byte offset where the
/// problem was found, and a reason that never contains message content, so it is safe to log.
/// </summary>
public readonly struct Hl7ParseError : IEquatable<Hl7ParseError>
{
    private readonly string? _reason;

    /// <summary>Creates a parse error.</summary>
    /// <param name="errorCode">The table 0357 code the error maps to.</param>
    /// <param name="position">The byte offset of the problem in the input as passed to the parser.</param>
    /// <param name="reason">What is wrong, without message content.</param>
    public Hl7ParseError(Hl7ErrorCode errorCode, int position, string reason)
    {
        ErrorCode = errorCode;
        Position = position;
        _reason = reason;
    }

    /// <summary>Gets the table 0357 code the error maps to; <see cref="Hl7ErrorCode.MessageAccepted"/> when there is no error.</summary>
    public Hl7ErrorCode ErrorCode { get; }

    /// <summary>Gets the byte offset of the problem in the input as it was passed to the parser (a leading BOM counts).</summary>
    public int Position { get; }

    /// <summary>Gets what is wrong, without message content; empty when there is no error.</summary>
    public string Reason => _reason ?? string.Empty;

    /// <summary>Gets whether this value describes an error (a default value does not).</summary>
    public bool IsError => ErrorCode != Hl7ErrorCode.MessageAccepted;

    /// <inheritdoc />
    public bool Equals(Hl7ParseError other) =>
        ErrorCode == other.ErrorCode && Position == other.Position && string.Equals(Reason, other.Reason, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Hl7ParseError other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ErrorCode, Position, Reason);

    /// <summary>Returns the reason followed by the error code, e.g. "MSH segment missing at byte 0 (100)".</summary>
    /// <returns>A text without message content.</returns>
    public override string ToString() => IsError ? $"{Reason} ({(int)ErrorCode})" : "no error";

    /// <summary>Compares two errors for equality.</summary>
    /// <param name="left">The first error.</param>
    /// <param name="right">The second error.</param>
    /// <returns><see langword="true"/> when both are equal.</returns>
    public static bool operator ==(Hl7ParseError left, Hl7ParseError right) => left.Equals(right);

    /// <summary>Compares two errors for inequality.</summary>
    /// <param name="left">The first error.</param>
    /// <param name="right">The second error.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(Hl7ParseError left, Hl7ParseError right) => !left.Equals(right);
}
