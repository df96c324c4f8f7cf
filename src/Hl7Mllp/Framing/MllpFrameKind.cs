namespace Hl7Mllp.Framing;

/// <summary>What an MLLP frame carries.</summary>
public enum MllpFrameKind
{
    /// <summary>An HL7 message (or any payload that is not a commit acknowledgement block).</summary>
    Message = 0,

    /// <summary>An MLLP Release 2 commit acknowledgement block: <c>0x0B 0x06 0x1C 0x0D</c>.</summary>
    CommitAcknowledgement = 1,

    /// <summary>An MLLP Release 2 negative commit acknowledgement block: <c>0x0B 0x15 0x1C 0x0D</c>.</summary>
    NegativeCommitAcknowledgement = 2,
}
