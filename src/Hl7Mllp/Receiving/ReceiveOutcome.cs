namespace Hl7Mllp.Receiving;

/// <summary>What happened to one received message.</summary>
public enum ReceiveOutcome
{
    /// <summary>The message was made durable (stored) and recorded; the ACK is positive.</summary>
    Stored = 0,

    /// <summary>The message was a duplicate answered positively again without storing (<see cref="DuplicateHandling.AcknowledgeAgain"/>).</summary>
    DuplicateAcknowledged = 1,

    /// <summary>The message was rejected (validation, duplicate, processing ID, control ID); nothing was stored.</summary>
    Rejected = 2,

    /// <summary>The payload could not be parsed as an HL7 message; nothing was stored.</summary>
    Unparseable = 3,

    /// <summary>The store or a custom step failed (HL7 error 207); nothing was recorded, the sender should resend.</summary>
    Failed = 4,

    /// <summary>A continuation fragment was held until the rest of its message arrives; it was acknowledged, not stored yet.</summary>
    FragmentHeld = 5,
}
