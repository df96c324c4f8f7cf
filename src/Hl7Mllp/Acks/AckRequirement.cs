namespace Hl7Mllp.Acks;

/// <summary>HL7 table 0155, accept/application acknowledgment conditions: the values of MSH-15 and MSH-16.</summary>
public enum AckRequirement
{
    /// <summary><c>AL</c>: always acknowledge.</summary>
    Always = 0,

    /// <summary><c>NE</c>: never acknowledge.</summary>
    Never = 1,

    /// <summary><c>ER</c>: acknowledge error and reject conditions only.</summary>
    ErrorOnly = 2,

    /// <summary><c>SU</c>: acknowledge successful completion only.</summary>
    SuccessOnly = 3,
}
