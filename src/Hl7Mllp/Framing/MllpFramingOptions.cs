namespace Hl7Mllp.Framing;

/// <summary>
/// How MLLP frames are read: size bounds and tolerance for bytes outside frames. Bindable from configuration.
/// </summary>
/// <remarks>
/// <see cref="MaxFrameBytes"/> and <see cref="MaxBytesBetweenFrames"/> are security limits: together they bound
/// the memory one connection can make the reader hold, whatever the peer sends.
/// </remarks>
public sealed class MllpFramingOptions
{
    /// <summary>The largest <see cref="MaxFrameBytes"/> accepted: a payload must still fit in one array.</summary>
    public const int MaxFrameBytesLimit = 0x7FFFFFC7 - 3;

    /// <summary>
    /// The largest payload (the bytes between <c>0x0B</c> and <c>0x1C</c>) one frame may carry, and so the bound
    /// of bytes buffered for one frame. A frame that grows past it without an end block is reported as too
    /// large and the connection should be closed. Default: 10 MiB (10 485 760), room for ORU and MDM
    /// messages with embedded documents. Security limit.
    /// </summary>
    public int MaxFrameBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// The most bytes skipped between two frames (or before the first) before the reader gives up with a
    /// framing violation. Default: 64 KiB (65 536), far more than any padding a real peer sends, small enough
    /// that a peer sending no frames at all is dropped quickly. 0 allows no byte outside frames. Security limit.
    /// </summary>
    public int MaxBytesBetweenFrames { get; set; } = 64 * 1024;

    /// <summary>What is done with bytes outside frames. Default: <see cref="MllpBetweenFramesPolicy.SkipWhitespace"/>.</summary>
    public MllpBetweenFramesPolicy BetweenFramesPolicy { get; set; } = MllpBetweenFramesPolicy.SkipWhitespace;

    /// <summary>
    /// Whether the end block <c>0x1C</c> must be followed by CR (<c>0x0D</c>), as MLLP requires. When
    /// <see langword="true"/> (the default), <c>0x1C</c> followed by another byte abandons the partial frame.
    /// When <see langword="false"/>, <c>0x1C</c> alone ends a frame, which is delivered at once, and a CR
    /// right after it is skipped without being counted.
    /// </summary>
    public bool RequireCarriageReturnAfterEndBlock { get; set; } = true;

    /// <summary>Checks every setting and reports all problems at once.</summary>
    /// <exception cref="ArgumentException">One or more settings are out of range; the message lists each of them.</exception>
    public void Validate()
    {
        List<string>? problems = null;
        if (MaxFrameBytes is < 1 or > MaxFrameBytesLimit)
        {
            (problems ??= []).Add($"{nameof(MaxFrameBytes)} must be between 1 and {MaxFrameBytesLimit} (was {MaxFrameBytes}).");
        }

        if (MaxBytesBetweenFrames < 0)
        {
            (problems ??= []).Add($"{nameof(MaxBytesBetweenFrames)} must not be negative (was {MaxBytesBetweenFrames}).");
        }

        if (!Enum.IsDefined(BetweenFramesPolicy))
        {
            (problems ??= []).Add($"{nameof(BetweenFramesPolicy)} has an unknown value ({(int)BetweenFramesPolicy}).");
        }

        if (problems is not null)
        {
            throw new ArgumentException("Invalid MLLP framing options: " + string.Join(" ", problems));
        }
    }
}
