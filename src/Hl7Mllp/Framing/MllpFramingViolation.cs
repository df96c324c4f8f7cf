namespace Hl7Mllp.Framing;

/// <summary>The ways a byte stream can break the MLLP framing rules.</summary>
public enum MllpFramingViolation
{
    /// <summary>
    /// A start block (<c>0x0B</c>) arrived inside an unfinished frame. The partial frame is abandoned and
    /// parsing restarts at the new start block, so two messages are never spliced (RELIABILITY A7, F20).
    /// </summary>
    StartBlockInsideFrame = 1,

    /// <summary>
    /// An end block (<c>0x1C</c>) was followed by a byte other than CR while CR is required. The partial frame
    /// is abandoned and parsing resumes at the next start block.
    /// </summary>
    EndBlockNotFollowedByCarriageReturn = 2,

    /// <summary>A byte other than CR, LF, NUL, space or tab arrived outside a frame under <see cref="MllpBetweenFramesPolicy.SkipWhitespace"/>.</summary>
    UnexpectedByteBetweenFrames = 3,

    /// <summary>More than <see cref="MllpFramingOptions.MaxBytesBetweenFrames"/> bytes arrived between two frames.</summary>
    TooManyBytesBetweenFrames = 4,

    /// <summary>A frame grew past <see cref="MllpFramingOptions.MaxFrameBytes"/> without an end block.</summary>
    FrameTooLarge = 5,

    /// <summary>The peer closed the connection in the middle of a frame.</summary>
    FrameTruncated = 6,
}
