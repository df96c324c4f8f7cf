namespace Hl7Mllp.Framing;

/// <summary>
/// The peer closed the connection in the middle of a frame (RELIABILITY A10, F13). The partial frame is
/// dropped: it must not be delivered or acknowledged.
/// </summary>
public sealed class MllpTruncatedFrameException : MllpFramingException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="bytesBuffered">How many bytes of the unfinished frame (start block included) had arrived.</param>
    /// <param name="position">The stream offset of the unfinished frame's start block.</param>
    public MllpTruncatedFrameException(long bytesBuffered, long position)
        : base(
            MllpFramingViolation.FrameTruncated,
            position,
            $"The peer closed the connection in the middle of an MLLP frame at stream offset {position} ({bytesBuffered} bytes received without an end block).")
    {
        BytesBuffered = bytesBuffered;
    }

    /// <summary>How many bytes of the unfinished frame, start block included, had arrived.</summary>
    public long BytesBuffered { get; }
}
