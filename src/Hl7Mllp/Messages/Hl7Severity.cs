namespace Hl7Mllp.Messages;

/// <summary>HL7 table 0516, error severity, as written to ERR-4 (and by the <c>%sev</c> ERR template replacement).</summary>
/// <remarks>Only <see cref="Error"/> and <see cref="Fatal"/> errors decide MSA-1; warnings and information ride along in ERR.</remarks>
public enum Hl7Severity
{
    /// <summary><c>E</c>: error; the message was not processed successfully. The default.</summary>
    Error = 0,

    /// <summary><c>W</c>: warning; the message was processed, with issues.</summary>
    Warning = 1,

    /// <summary><c>I</c>: information; the message was processed.</summary>
    Information = 2,

    /// <summary><c>F</c>: fatal error; the message was not processed (application or network failure).</summary>
    Fatal = 3,
}
