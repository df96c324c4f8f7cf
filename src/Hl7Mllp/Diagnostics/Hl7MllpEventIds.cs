namespace Hl7Mllp.Diagnostics;

/// <summary>
/// The event IDs of every log message Hl7Mllp writes. IDs are grouped by area and never reused:
/// 1xxx client, 2xxx listener, 3xxx framing, 4xxx ACK, 5xxx storage, 6xxx validation.
/// </summary>
/// <remarks>Filter or route logs on these numbers; they are stable across releases.</remarks>
public static class Hl7MllpEventIds
{
    // 3xxx framing

    /// <summary>Bytes outside any MLLP frame were skipped.</summary>
    public const int BytesSkippedOutsideFrame = 3000;

    /// <summary>A frame grew past the configured maximum size.</summary>
    public const int FrameTooLarge = 3001;

    /// <summary>The peer closed the connection in the middle of a frame.</summary>
    public const int FrameTruncated = 3002;

    /// <summary>A frame broke the MLLP rules (start block inside a frame, end block not followed by CR).</summary>
    public const int FramingViolation = 3003;

    /// <summary>A partial frame was abandoned (start block inside it, or end block without CR) and parsing resynchronized.</summary>
    public const int FrameAbandoned = 3004;

    // 6xxx validation

    /// <summary>A rule's <c>matches</c> regular expression ran past its timeout; the message got a 207 finding.</summary>
    public const int RuleMatchTimedOut = 6000;
}
