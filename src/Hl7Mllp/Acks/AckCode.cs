namespace Hl7Mllp.Acks;

/// <summary>
/// HL7 table 0008, acknowledgment code: the value of MSA-1. <c>AA</c>, <c>AE</c> and <c>AR</c> answer in original
/// mode and as the application ACK of enhanced mode; <c>CA</c>, <c>CE</c> and <c>CR</c> are the enhanced-mode accept
/// (commit) ACK, added in v2.2.
/// </summary>
/// <remarks>Write and read the two-letter text with <see cref="AckCodeExtensions"/>.</remarks>
public enum AckCode
{
    /// <summary><c>AA</c>: application accept; the message was processed.</summary>
    AA = 0,

    /// <summary><c>AE</c>: application error; the sender should correct the message before sending it again.</summary>
    AE = 1,

    /// <summary><c>AR</c>: application reject (unsupported type, event, processing ID or version, or a failure of the receiver); the sender may send it again later.</summary>
    AR = 2,

    /// <summary><c>CA</c>: commit accept; the message is in safe storage and must not be sent again.</summary>
    CA = 3,

    /// <summary><c>CE</c>: commit error; the message was not committed because of an error in it.</summary>
    CE = 4,

    /// <summary><c>CR</c>: commit reject; the message was not committed (unsupported header values or a receiver failure).</summary>
    CR = 5,
}
