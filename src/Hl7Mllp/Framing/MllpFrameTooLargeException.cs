namespace Hl7Mllp.Framing;

/// <summary>
/// A frame grew past <see cref="MllpFramingOptions.MaxFrameBytes"/> without an end block (RELIABILITY A1, F22).
/// The reader stopped buffering; close the connection, optionally after a negative ACK built from
/// <see cref="Prefix"/>.
/// </summary>
/// <remarks>The message holds the limit and sizes only; the frame's bytes are only in <see cref="Prefix"/>.</remarks>
public sealed class MllpFrameTooLargeException : MllpFramingException
{
    /// <summary>The most bytes <see cref="Prefix"/> holds: 1 KiB, enough for an MSH segment.</summary>
    public const int MaxPrefixBytes = 1024;

    /// <summary>Creates the exception.</summary>
    /// <param name="maxFrameBytes">The limit that was exceeded.</param>
    /// <param name="bytesBuffered">How many bytes of the frame (start block included) were buffered.</param>
    /// <param name="prefix">A copy of the first payload bytes, at most <see cref="MaxPrefixBytes"/>; longer input is cut.</param>
    /// <param name="position">The stream offset of the frame's start block.</param>
    public MllpFrameTooLargeException(int maxFrameBytes, long bytesBuffered, ReadOnlyMemory<byte> prefix, long position)
        : base(
            MllpFramingViolation.FrameTooLarge,
            position,
            $"An MLLP frame at stream offset {position} exceeded the limit of {maxFrameBytes} bytes ({bytesBuffered} bytes buffered without an end block).")
    {
        MaxFrameBytes = maxFrameBytes;
        BytesBuffered = bytesBuffered;
        Prefix = prefix.Length > MaxPrefixBytes ? prefix[..MaxPrefixBytes] : prefix;
    }

    /// <summary>The limit that was exceeded (<see cref="MllpFramingOptions.MaxFrameBytes"/>).</summary>
    public int MaxFrameBytes { get; }

    /// <summary>How many bytes of the frame, start block included, were buffered when the reader gave up.</summary>
    public long BytesBuffered { get; }

    /// <summary>
    /// A copy of the first payload bytes (at most <see cref="MaxPrefixBytes"/>), so a listener can still read
    /// MSH-10 and send a negative ACK. This is message content: never log it.
    /// </summary>
    public ReadOnlyMemory<byte> Prefix { get; }
}
