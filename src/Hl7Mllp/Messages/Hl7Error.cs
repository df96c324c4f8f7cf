namespace Hl7Mllp.Messages;

/// <summary>
/// One error (or warning) reported in an ACK: the HL7 table 0357 code, a text, a severity (table 0516) and where
/// in the message it applies. <see cref="Acks.AckBuilder"/> writes one ERR (or one ERR-1 repetition) per error;
/// <see cref="Acks.AckCondition"/> reads them back from a received ACK.
/// </summary>
/// <remarks>
/// Location indexes are 1-based; 0 means "not given" and is written as an empty value. The text must not carry
/// message content when it is logged; it is escaped when it is written into an ACK.
/// </remarks>
/// <param name="Code">The HL7 error code (table 0357), written to ERR-3 (ERR-1.4 before v2.5). Codes outside the table are kept as numbers.</param>
/// <param name="Text">The error text (<c>%text</c>, MSA-3 before v2.5); empty for none.</param>
public sealed record Hl7Error(Hl7ErrorCode Code, string Text)
{
    /// <summary>Gets the severity (table 0516, ERR-4). Default <see cref="Hl7Severity.Error"/>.</summary>
    public Hl7Severity Severity { get; init; }

    /// <summary>Gets the segment ID the error is in (<c>%sid</c>), e.g. <c>PID</c>; empty when the error has no location. Default empty.</summary>
    public string SegmentId { get; init; } = string.Empty;

    /// <summary>Gets the 1-based occurrence of the segment in the message (<c>%q</c>); 0 when not given. Default 0.</summary>
    public int Sequence { get; init; }

    /// <summary>Gets the 1-based field position (<c>%f</c>); 0 when not given. Default 0.</summary>
    public int Field { get; init; }

    /// <summary>Gets the 1-based field repetition (<c>%r</c>); 0 when not given. Default 0.</summary>
    public int Repetition { get; init; }

    /// <summary>Gets the 1-based component (<c>%c</c>); 0 when not given. Default 0.</summary>
    public int Component { get; init; }

    /// <summary>Gets the 1-based subcomponent (<c>%s</c>); 0 when not given. Default 0.</summary>
    public int Subcomponent { get; init; }

    /// <summary>Gets whether this error decides MSA-1: severity <see cref="Hl7Severity.Error"/> or <see cref="Hl7Severity.Fatal"/>.</summary>
    public bool IsRejection => Severity is Hl7Severity.Error or Hl7Severity.Fatal;

    /// <summary>Gets the table 0516 letter of <see cref="Severity"/>: <c>E</c>, <c>W</c>, <c>I</c> or <c>F</c>.</summary>
    public char SeverityCode => Severity switch
    {
        Hl7Severity.Warning => 'W',
        Hl7Severity.Information => 'I',
        Hl7Severity.Fatal => 'F',
        _ => 'E',
    };

    /// <summary>Gets the location as an HL7 key, e.g. <c>PID.3</c> or <c>OBX[2].5[3].1</c> (an occurrence or repetition of 1 is not written); empty when there is no segment ID.</summary>
    public string Location
    {
        get
        {
            if (SegmentId.Length == 0)
            {
                return string.Empty;
            }

            string occurrence = Sequence > 1 ? $"[{Sequence}]" : string.Empty;
            if (Field == 0)
            {
                return $"{SegmentId}{occurrence}";
            }

            string repetition = Repetition > 1 ? $"[{Repetition}]" : string.Empty;
            string component = Component > 0 ? $".{Component}" : string.Empty;
            string subcomponent = Component > 0 && Subcomponent > 0 ? $".{Subcomponent}" : string.Empty;
            return $"{SegmentId}{occurrence}.{Field}{repetition}{component}{subcomponent}";
        }
    }

    /// <summary>Creates an error at the place an HL7 key names: <c>PID.3</c> gives <c>PID^1^3</c>.</summary>
    /// <param name="key">The key, e.g. <c>PID.3</c>, <c>OBX[2].5</c> or <c>PID.3[2].1</c>.</param>
    /// <param name="code">The table 0357 code.</param>
    /// <param name="text">The error text.</param>
    /// <param name="severity">The severity; default <see cref="Hl7Severity.Error"/>.</param>
    /// <returns>The error.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static Hl7Error At(Hl7Key key, Hl7ErrorCode code, string text, Hl7Severity severity = Hl7Severity.Error)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Hl7Error(code, text)
        {
            Severity = severity,
            SegmentId = key.Field == 0 ? string.Empty : key.SegmentId,
            Sequence = key.Occurrence,
            Field = key.Field,
            Repetition = key.Repetition,
            Component = key.Component,
            Subcomponent = key.Subcomponent,
        };
    }

    /// <summary>Creates an error at the place an HL7 key names: <c>PID.3</c> gives <c>PID^1^3</c>.</summary>
    /// <param name="key">The key text, e.g. <c>PID.3</c>.</param>
    /// <param name="code">The table 0357 code.</param>
    /// <param name="text">The error text.</param>
    /// <param name="severity">The severity; default <see cref="Hl7Severity.Error"/>.</param>
    /// <returns>The error.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not a valid HL7 key.</exception>
    public static Hl7Error At(string key, Hl7ErrorCode code, string text, Hl7Severity severity = Hl7Severity.Error)
    {
        ArgumentNullException.ThrowIfNull(key);
        return At(Hl7Key.Parse(key), code, text, severity);
    }

    /// <summary>Creates the error for a message that could not be parsed: the parse error's code and reason (which never holds message content), no location.</summary>
    /// <param name="error">The parse error.</param>
    /// <returns>The error; code <see cref="Hl7ErrorCode.SegmentSequenceError"/> when <paramref name="error"/> is the default value.</returns>
    public static Hl7Error FromParseError(Hl7ParseError error) =>
        new(error.IsError ? error.ErrorCode : Hl7ErrorCode.SegmentSequenceError, error.IsError ? error.Reason : "Message could not be parsed");
}
