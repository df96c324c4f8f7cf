namespace Hl7Mllp.Validation;

/// <summary>
/// One field of a segment, or one component of a composite data type, in a Named Fields definition.
/// </summary>
/// <remarks>For components only <see cref="Name"/>, <see cref="DataType"/>, <see cref="MaxLength"/> and <see cref="Table"/> apply.</remarks>
public sealed record FieldDefinition
{
    /// <summary>The field's name, e.g. <c>Patient Identifier List</c>; used in finding texts. Default empty.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>
    /// The HL7 data type, e.g. <c>CX</c>, <c>NM</c>, <c>TS</c>. Primitive types the validator checks: NM, SI, DT,
    /// DTM, TM, ID, IS (and ST, TX, FT, GTS for structure only); composite types are looked up in
    /// <see cref="NamedFieldsDefinition.DataTypes"/>; <c>VARIES</c> and unknown types are not checked. Default empty.
    /// </summary>
    public string DataType { get; init; } = string.Empty;

    /// <summary>Whether the field must be valued when its segment is present (HL7 optionality R). Default <see langword="false"/>.</summary>
    public bool Required { get; init; }

    /// <summary>How many repetitions the field allows; 0 means unbounded. Default 1.</summary>
    public int MaxRepetitions { get; init; } = 1;

    /// <summary>The maximum length of each repetition, in characters of ER7 text; 0 means no limit. Default 0.</summary>
    public int MaxLength { get; init; }

    /// <summary>
    /// The HL7 table whose values the field allows (e.g. <c>0001</c>), checked only for primitive fields and
    /// components and only when <see cref="NamedFieldsDefinition.Tables"/> holds that table. Default <see langword="null"/>.
    /// </summary>
    public string? Table { get; init; }
}
