namespace Hl7Mllp.Messages;

/// <summary>
/// HL7 table 0357, "Message error condition codes": the code an ERR segment (ERR-3, or ERR-1.4 before v2.5)
/// carries. By convention 1xx codes are answered with AE and 2xx codes with AR.
/// </summary>
public enum Hl7ErrorCode
{
    /// <summary>0: message accepted.</summary>
    MessageAccepted = 0,

    /// <summary>100: segment sequence error (a segment is missing, misplaced or malformed).</summary>
    SegmentSequenceError = 100,

    /// <summary>101: a required field is missing.</summary>
    RequiredFieldMissing = 101,

    /// <summary>102: data type error (a value does not have the form its data type requires).</summary>
    DataTypeError = 102,

    /// <summary>103: table value not found.</summary>
    TableValueNotFound = 103,

    /// <summary>104: value too long (added in v2.7).</summary>
    ValueTooLong = 104,

    /// <summary>198: non-conformant cardinality (added in v2.9).</summary>
    NonConformantCardinality = 198,

    /// <summary>199: other HL7 error (added in v2.9).</summary>
    OtherError = 199,

    /// <summary>200: unsupported message type.</summary>
    UnsupportedMessageType = 200,

    /// <summary>201: unsupported event code.</summary>
    UnsupportedEventCode = 201,

    /// <summary>202: unsupported processing ID.</summary>
    UnsupportedProcessingId = 202,

    /// <summary>203: unsupported version ID.</summary>
    UnsupportedVersionId = 203,

    /// <summary>204: unknown key identifier.</summary>
    UnknownKeyIdentifier = 204,

    /// <summary>205: duplicate key identifier.</summary>
    DuplicateKeyIdentifier = 205,

    /// <summary>206: application record locked.</summary>
    ApplicationRecordLocked = 206,

    /// <summary>207: application internal error.</summary>
    ApplicationInternalError = 207,
}
