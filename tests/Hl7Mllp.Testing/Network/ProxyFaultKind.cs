namespace Hl7Mllp.Testing.Network;

/// <summary>What a <see cref="FaultProxy"/> does to the bytes of one direction; see the <see cref="ProxyFault"/> factories.</summary>
public enum ProxyFaultKind
{
    /// <summary>Forward bytes as read.</summary>
    PassThrough,

    /// <summary>Forward in chunks of <see cref="ProxyFault.Count"/> bytes, one send each, <see cref="ProxyFault.Delay"/> apart.</summary>
    Split,

    /// <summary>Wait <see cref="ProxyFault.Delay"/> before each write (delays add up: a throttle).</summary>
    DelayEachWrite,

    /// <summary>Forward each read <see cref="ProxyFault.Delay"/> after it arrived (latency; order kept, delays do not add up).</summary>
    Latency,

    /// <summary>Read and discard everything; the connection stays open.</summary>
    Drop,

    /// <summary>Forward every complete MLLP frame twice.</summary>
    DuplicateFrames,

    /// <summary>Forward complete MLLP frames pairwise swapped (2, 1, 4, 3, …).</summary>
    SwapFrames,

    /// <summary>XOR the byte at stream position <see cref="ProxyFault.Count"/> with <see cref="ProxyFault.Mask"/>.</summary>
    Corrupt,

    /// <summary>Forward the first <see cref="ProxyFault.Count"/> bytes, then reset (RST) both sides.</summary>
    ResetAfter,

    /// <summary>Forward the first <see cref="ProxyFault.Count"/> bytes, then close both sides gracefully (FIN).</summary>
    CloseAfter,
}
