namespace Hl7Mllp.Validation;

/// <summary>
/// The seam rules evaluate against: a value lookup by HL7 key. <c>Hl7Message.GetValue(string key)</c>
/// satisfies it as is.
/// </summary>
internal interface IHl7ValueSource
{
    /// <summary>
    /// Returns the unescaped value at an HL7 key such as <c>MSH.10</c>, <c>PID.3[2].1</c>, <c>OBX[3].5</c>
    /// or <c>PID.5.1.1</c>; an empty string when the segment, field, repetition or component is absent.
    /// A key without <c>[n]</c> means the first occurrence or repetition; a key that stops at a field or
    /// component returns that element's whole ER7 text.
    /// </summary>
    string GetValue(string key);
}
