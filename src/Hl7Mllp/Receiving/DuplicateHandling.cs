namespace Hl7Mllp.Receiving;

/// <summary>What the receive pipeline answers when a message's key was recorded before (a duplicate).</summary>
public enum DuplicateHandling
{
    /// <summary>Reject it with a negative ACK: AR (CR in enhanced mode) with HL7 error 205, "duplicate key identifier". The seed's behaviour; the default.</summary>
    Reject = 0,

    /// <summary>
    /// Answer it positively again (AA, or CA in enhanced mode) without storing or recording it a second time: a new
    /// ACK (new MSH-10 and MSH-7) whose MSA-2 is the same control ID. Right for senders that resend after a lost
    /// ACK (RELIABILITY B1, B4): they get the positive answer they missed, and the message is kept once.
    /// </summary>
    AcknowledgeAgain = 1,
}
