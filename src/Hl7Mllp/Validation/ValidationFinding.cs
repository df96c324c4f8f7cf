using Hl7Mllp.Messages;

namespace Hl7Mllp.Validation;

/// <summary>
/// One problem found in a received message: an HL7 table 0357 error code, a text, where it is and how
/// severe. The ACK builder turns each finding into an ERR segment.
/// </summary>
/// <param name="Code">The HL7 error code (table 0357), written to ERR-3 (ERR-1.4 in v2.3).</param>
/// <param name="Text">The error text (<c>%text</c>); never contains message content when Hl7Mllp writes it.</param>
/// <param name="Location">Where the problem is (<c>%sid %q %f %r %c %s</c>).</param>
/// <param name="Severity">The severity (table 0516, ERR-4). Default <see cref="Hl7ErrorSeverity.Error"/>.</param>
public sealed record ValidationFinding(
    Hl7ErrorCode Code,
    string Text,
    Hl7Location Location,
    Hl7ErrorSeverity Severity = Hl7ErrorSeverity.Error)
{
    /// <summary>The table 0516 code of <see cref="Severity"/>: <c>E</c>, <c>W</c>, <c>I</c> or <c>F</c>.</summary>
    public char SeverityCode => Severity switch
    {
        Hl7ErrorSeverity.Warning => 'W',
        Hl7ErrorSeverity.Information => 'I',
        Hl7ErrorSeverity.Fatal => 'F',
        _ => 'E',
    };

    /// <summary>Whether this finding rejects the message: severity <c>E</c> or <c>F</c>.</summary>
    public bool IsRejection => Severity is Hl7ErrorSeverity.Error or Hl7ErrorSeverity.Fatal;
}
