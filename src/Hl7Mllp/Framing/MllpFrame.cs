using System.Buffers;

namespace Hl7Mllp.Framing;

/// <summary>
/// One MLLP frame: <c>0x0B</c> payload <c>0x1C 0x0D</c>. <see cref="Payload"/> points into the reader's buffer
/// (no copy) and is valid only until the next read or advance; copy it or finish with it before then.
/// </summary>
/// <remarks>Also holds the static helpers that write frames into any <see cref="IBufferWriter{T}"/>.</remarks>
public readonly struct MllpFrame
{
    /// <summary>The start block, VT: <c>0x0B</c>.</summary>
    public const byte StartBlock = 0x0B;

    /// <summary>The end block, FS: <c>0x1C</c>.</summary>
    public const byte EndBlock = 0x1C;

    /// <summary>The carriage return that follows the end block: <c>0x0D</c>.</summary>
    public const byte CarriageReturn = 0x0D;

    /// <summary>The payload of an MLLP Release 2 commit acknowledgement block, ACK: <c>0x06</c>.</summary>
    public const byte CommitAcknowledgementByte = 0x06;

    /// <summary>The payload of an MLLP Release 2 negative commit acknowledgement block, NAK: <c>0x15</c>.</summary>
    public const byte NegativeCommitAcknowledgementByte = 0x15;

    /// <summary>The bytes a frame adds around its payload: start block, end block, carriage return.</summary>
    public const int Overhead = 3;

    /// <summary>Wraps a payload; <see cref="Kind"/> is worked out from it.</summary>
    /// <param name="payload">The bytes between the start and end blocks.</param>
    public MllpFrame(ReadOnlySequence<byte> payload)
    {
        Payload = payload;
        Kind = KindOf(payload);
    }

    /// <summary>
    /// What the frame carries: a message, or an MLLP Release 2 (negative) commit acknowledgement, whose payload
    /// is the single byte <c>0x06</c> (<c>0x15</c>).
    /// </summary>
    public MllpFrameKind Kind { get; }

    /// <summary>
    /// The bytes between <c>0x0B</c> and <c>0x1C</c>, without a copy: valid only until the reader reads or advances
    /// again.
    /// </summary>
    public ReadOnlySequence<byte> Payload { get; }

    /// <summary>Writes one frame (start block, payload, end block, CR) into <paramref name="writer"/>. Nothing is flushed.</summary>
    /// <param name="writer">Where the frame goes; a <c>PipeWriter</c> receives it in its own memory, without an intermediate array.</param>
    /// <param name="payload">The message bytes; they must not contain <c>0x0B</c> or <c>0x1C</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="payload"/> contains <c>0x0B</c> or <c>0x1C</c> (for example UTF-16 text), which would break the frame.</exception>
    public static void Write(IBufferWriter<byte> writer, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ThrowIfContainsBlock(payload, 0);
        WriteUnchecked(writer, payload);
    }

    /// <summary>Writes one frame (start block, payload, end block, CR) into <paramref name="writer"/>. Nothing is flushed.</summary>
    /// <param name="writer">Where the frame goes; a <c>PipeWriter</c> receives it in its own memory, without an intermediate array.</param>
    /// <param name="payload">The message bytes, possibly in several segments; they must not contain <c>0x0B</c> or <c>0x1C</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="payload"/> contains <c>0x0B</c> or <c>0x1C</c>, which would break the frame.</exception>
    public static void Write(IBufferWriter<byte> writer, in ReadOnlySequence<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (payload.IsSingleSegment)
        {
            Write(writer, payload.FirstSpan);
            return;
        }

        long offset = 0;
        foreach (var segment in payload)
        {
            ThrowIfContainsBlock(segment.Span, offset);
            offset += segment.Length;
        }

        writer.GetSpan(1)[0] = StartBlock;
        writer.Advance(1);
        foreach (var segment in payload)
        {
            writer.Write(segment.Span);
        }

        WriteTrailer(writer);
    }

    /// <summary>
    /// Writes an MLLP Release 2 commit acknowledgement block (<c>0x0B 0x06 0x1C 0x0D</c>) or, when
    /// <paramref name="positive"/> is <see langword="false"/>, a negative one (<c>0x0B 0x15 0x1C 0x0D</c>).
    /// Nothing is flushed.
    /// </summary>
    /// <param name="writer">Where the block goes.</param>
    /// <param name="positive"><see langword="true"/> for a commit acknowledgement, <see langword="false"/> for a negative one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is <see langword="null"/>.</exception>
    public static void WriteCommitAcknowledgement(IBufferWriter<byte> writer, bool positive)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var span = writer.GetSpan(4);
        span[0] = StartBlock;
        span[1] = positive ? CommitAcknowledgementByte : NegativeCommitAcknowledgementByte;
        span[2] = EndBlock;
        span[3] = CarriageReturn;
        writer.Advance(4);
    }

    private static void WriteUnchecked(IBufferWriter<byte> writer, ReadOnlySpan<byte> payload)
    {
        // Small frames go into one span with one Advance; large ones are copied piecewise into whatever
        // memory the writer hands out, so a 10 MiB payload never asks for a 10 MiB contiguous buffer.
        const int OneSpanLimit = 4096;
        if (payload.Length <= OneSpanLimit - Overhead)
        {
            var span = writer.GetSpan(payload.Length + Overhead);
            span[0] = StartBlock;
            payload.CopyTo(span[1..]);
            span[payload.Length + 1] = EndBlock;
            span[payload.Length + 2] = CarriageReturn;
            writer.Advance(payload.Length + Overhead);
            return;
        }

        writer.GetSpan(1)[0] = StartBlock;
        writer.Advance(1);
        writer.Write(payload);
        WriteTrailer(writer);
    }

    private static void WriteTrailer(IBufferWriter<byte> writer)
    {
        var span = writer.GetSpan(2);
        span[0] = EndBlock;
        span[1] = CarriageReturn;
        writer.Advance(2);
    }

    private static void ThrowIfContainsBlock(ReadOnlySpan<byte> payload, long offset)
    {
        int index = payload.IndexOfAny(StartBlock, EndBlock);
        if (index >= 0)
        {
            throw new ArgumentException(
                $"The payload contains the MLLP block byte 0x{payload[index]:X2} at offset {offset + index}; it cannot be framed (UTF-16 or binary content?).",
                nameof(payload));
        }
    }

    private static MllpFrameKind KindOf(in ReadOnlySequence<byte> payload)
    {
        if (payload.Length != 1)
        {
            return MllpFrameKind.Message;
        }

        return KindOf(SequenceSearch.ByteAt(payload, 0));
    }

    private static MllpFrameKind KindOf(byte single) => single switch
    {
        CommitAcknowledgementByte => MllpFrameKind.CommitAcknowledgement,
        NegativeCommitAcknowledgementByte => MllpFrameKind.NegativeCommitAcknowledgement,
        _ => MllpFrameKind.Message,
    };
}
