namespace Hl7Mllp.Validation;

/// <summary>One segment in a Named Fields definition.</summary>
/// <param name="Id">The segment ID, three characters: an uppercase letter, then uppercase letters or digits (<c>PID</c>, <c>NK1</c>).</param>
/// <param name="Name">The segment's name, e.g. <c>Patient Identification</c>.</param>
/// <param name="Fields">The fields in order: item 0 is field 1 (for MSH, MSH-1 the field separator).</param>
public sealed record SegmentDefinition(string Id, string Name, IReadOnlyList<FieldDefinition> Fields);
