namespace Hl7Mllp.Testing.Network;

/// <summary>An immutable fault for one direction of a <see cref="FaultProxy"/>; build it with the static members.</summary>
/// <remarks>
/// Byte positions (<see cref="Corrupt"/>, <see cref="ResetAfter"/>, <see cref="CloseAfter"/>) count from the start of the
/// connection in that direction, 0-based. Frame faults work on whole MLLP frames (0x0B … 0x1C 0x0D): bytes are held
/// until a frame completes, and a swapped frame without a partner waits until the stream ends or the fault changes.
/// </remarks>
public sealed record ProxyFault
{
    private ProxyFault(ProxyFaultKind kind, long count = 0, TimeSpan delay = default, byte mask = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        (Kind, Count, Delay, Mask) = (kind, count, delay, mask);
    }

    /// <summary>Forward bytes unchanged (the default).</summary>
    public static ProxyFault PassThrough { get; } = new(ProxyFaultKind.PassThrough);

    /// <summary>Read and discard everything in this direction (for example drop ACKs); set on both directions for a blackhole.</summary>
    public static ProxyFault Drop { get; } = new(ProxyFaultKind.Drop);

    /// <summary>Forward each complete MLLP frame twice (duplicate ACK).</summary>
    public static ProxyFault DuplicateFrames { get; } = new(ProxyFaultKind.DuplicateFrames);

    /// <summary>Swap consecutive MLLP frames (swap ACKs of pipelined messages).</summary>
    public static ProxyFault SwapFrames { get; } = new(ProxyFaultKind.SwapFrames);

    /// <summary>The kind of fault.</summary>
    public ProxyFaultKind Kind { get; }

    /// <summary>Chunk size for <see cref="ProxyFaultKind.Split"/>; byte position or count for corrupt, reset and close.</summary>
    public long Count { get; }

    /// <summary>Delay for split, delay-each-write and latency.</summary>
    public TimeSpan Delay { get; }

    /// <summary>XOR mask for <see cref="ProxyFaultKind.Corrupt"/>.</summary>
    public byte Mask { get; }

    /// <summary>Writes every <paramref name="chunkSize"/> bytes separately (Nagle off), waiting <paramref name="delayBetweenChunks"/> after each.</summary>
    public static ProxyFault Split(int chunkSize, TimeSpan delayBetweenChunks = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        return new(ProxyFaultKind.Split, chunkSize, delayBetweenChunks);
    }

    /// <summary>Waits <paramref name="delay"/> before each write; a burst of reads is slowed cumulatively.</summary>
    public static ProxyFault DelayEachWrite(TimeSpan delay) => new(ProxyFaultKind.DelayEachWrite, delay: delay);

    /// <summary>Forwards each read <paramref name="delay"/> after it arrived (ACK past a timeout).</summary>
    public static ProxyFault Latency(TimeSpan delay) => new(ProxyFaultKind.Latency, delay: delay);

    /// <summary>XORs the byte at 0-based <paramref name="position"/> with <paramref name="xorMask"/> (default 0xFF).</summary>
    public static ProxyFault Corrupt(long position, byte xorMask = 0xFF)
    {
        ArgumentOutOfRangeException.ThrowIfZero(xorMask);
        return new(ProxyFaultKind.Corrupt, position, mask: xorMask);
    }

    /// <summary>Forwards <paramref name="bytes"/> bytes, then resets both sockets (linger 0, close: RST). 0 = reset on the first byte.</summary>
    public static ProxyFault ResetAfter(long bytes) => new(ProxyFaultKind.ResetAfter, bytes);

    /// <summary>Forwards <paramref name="bytes"/> bytes, then sends FIN to both peers and discards whatever still arrives.</summary>
    public static ProxyFault CloseAfter(long bytes) => new(ProxyFaultKind.CloseAfter, bytes);
}
