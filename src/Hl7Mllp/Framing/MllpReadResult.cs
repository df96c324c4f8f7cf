namespace Hl7Mllp.Framing;

/// <summary>The outcome of <see cref="MllpFrameReader.ReadAsync"/>: a frame, a clean close, or a canceled read.</summary>
public readonly struct MllpReadResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="frame">The frame read; <see langword="default"/> when <paramref name="isCompleted"/> or <paramref name="isCanceled"/>.</param>
    /// <param name="isCompleted">Whether the peer closed the stream cleanly and no frame is left.</param>
    /// <param name="isCanceled">Whether the read was canceled with <c>PipeReader.CancelPendingRead</c>.</param>
    public MllpReadResult(MllpFrame frame, bool isCompleted, bool isCanceled)
    {
        Frame = frame;
        IsCompleted = isCompleted;
        IsCanceled = isCanceled;
    }

    /// <summary>
    /// The frame read, when <see cref="HasFrame"/>. Its payload is valid until <see cref="MllpFrameReader.Advance"/>
    /// or the next <see cref="MllpFrameReader.ReadAsync"/>.
    /// </summary>
    public MllpFrame Frame { get; }

    /// <summary>
    /// Whether the peer closed the stream cleanly: nothing, or only skippable bytes, followed the last frame.
    /// No frame comes with it, and none will follow.
    /// </summary>
    public bool IsCompleted { get; }

    /// <summary>Whether the pending read was canceled with <c>PipeReader.CancelPendingRead</c>; no frame comes with it.</summary>
    public bool IsCanceled { get; }

    /// <summary>Whether <see cref="Frame"/> holds a frame (neither completed nor canceled).</summary>
    public bool HasFrame => !IsCompleted && !IsCanceled;
}
