namespace Hl7Mllp.Framing;

/// <summary>What the frame parser does with bytes that arrive outside any MLLP frame.</summary>
public enum MllpBetweenFramesPolicy
{
    /// <summary>
    /// Skip CR, LF, NUL, space and tab (peers often pad or terminate frames with them); count them.
    /// Any other byte outside a frame is a framing violation that ends the connection. This is the default.
    /// </summary>
    SkipWhitespace = 0,

    /// <summary>Skip every byte up to the next start block (<c>0x0B</c>) and count it, as Mirth does.</summary>
    SkipAny = 1,
}
