namespace Hl7Mllp.Validation;

/// <summary>What Named Fields validation checks (the seed's "Validation Flags"). Combine with <c>|</c>.</summary>
[Flags]
public enum ValidationFlags
{
    /// <summary>Nothing is checked.</summary>
    None = 0,

    /// <summary>A required field that is empty or absent in a present segment gives 101.</summary>
    RequiredFields = 1,

    /// <summary>More repetitions than the field allows give 198 (non-conformant cardinality).</summary>
    Repetitions = 2,

    /// <summary>A field repetition longer than the field's maximum length gives 104.</summary>
    MaxLength = 4,

    /// <summary>A value that breaks its data type (NM, SI, DT, DTM/TS, TM, ID/IS, composite structure) gives 102.</summary>
    DataType = 8,

    /// <summary>A value missing from the field's or component's HL7 table gives 103.</summary>
    TableValues = 16,

    /// <summary>Everything above.</summary>
    All = RequiredFields | Repetitions | MaxLength | DataType | TableValues,
}
