using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hl7Mllp.Framing;

/// <summary>
/// The synchronous MLLP frame parser: finds one frame at a time in a <see cref="ReadOnlySequence{T}"/> without
/// allocating or copying. <see cref="MllpFrameReader"/> drives it from a <c>PipeReader</c>; use it directly over
/// any buffer that grows at its end.
/// </summary>
/// <remarks>
/// <para>
/// Call <see cref="TryParse"/> in a loop. It slices what it consumed (frames, skipped bytes, abandoned partial
/// frames) off the front of the buffer. When it returns <see langword="false"/> the remaining buffer is empty or
/// holds the start of an unfinished frame: keep those bytes (consumed = the buffer's start) and call again with
/// the same start and more bytes appended. The parser remembers how far it searched, so a large frame that
/// arrives in many reads is scanned once. Bytes outside frames are skipped per
/// <see cref="MllpFramingOptions.BetweenFramesPolicy"/>, counted in <see cref="BytesSkipped"/> and logged.
/// </para>
/// <para>
/// A start block inside an unfinished frame, or (when CR is required) an end block followed by another byte,
/// abandons the partial frame: it is counted in <see cref="FramesAbandoned"/>, logged, and parsing resumes at the
/// next start block, so two messages are never spliced. After an end block without CR every byte up to the next
/// start block is skipped, whatever the policy, within <see cref="MllpFramingOptions.MaxBytesBetweenFrames"/>.
/// </para>
/// <para>One parser serves one byte stream; it is not thread-safe. After it throws, the stream is broken: close it.</para>
/// </remarks>
public sealed class MllpFrameParser
{
    private static readonly SearchValues<byte> Whitespace = SearchValues.Create([0x0D, 0x0A, 0x00, 0x20, 0x09]);
    private static readonly SearchValues<byte> StartBlockOnly = SearchValues.Create([MllpFrame.StartBlock]);

    private readonly int _maxFrameBytes;
    private readonly int _maxBytesBetweenFrames;
    private readonly bool _skipAny;
    private readonly bool _requireCarriageReturn;
    private readonly ILogger _logger;

    // Where the unfinished frame started and how many of its payload bytes hold no block byte.
    private SequencePosition _pendingStart;
    private long _pendingScanned = -1;

    // Bytes skipped since the last start block; bounded by MaxBytesBetweenFrames.
    private long _skippedInGap;

    // After an end block without CR: skip anything up to the next start block.
    private bool _resynchronizing;

    // Lenient mode delivered a frame on 0x1C alone: a CR right after it still belongs to that frame.
    private bool _skipTrailingCarriageReturn;

    /// <summary>Creates a parser.</summary>
    /// <param name="options">The limits and policies; <see langword="null"/> for the defaults. Copied: later changes have no effect.</param>
    /// <param name="logger">Where skipped bytes and violations are logged (no payload bytes); <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message lists every problem.</exception>
    public MllpFrameParser(MllpFramingOptions? options = null, ILogger? logger = null)
    {
        options ??= new MllpFramingOptions();
        options.Validate();
        _maxFrameBytes = options.MaxFrameBytes;
        _maxBytesBetweenFrames = options.MaxBytesBetweenFrames;
        _skipAny = options.BetweenFramesPolicy == MllpBetweenFramesPolicy.SkipAny;
        _requireCarriageReturn = options.RequireCarriageReturnAfterEndBlock;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Bytes consumed so far: the stream offset of the next byte the parser will look at.</summary>
    public long BytesConsumed { get; private set; }

    /// <summary>Bytes skipped outside frames so far (padding, junk, the rest of a broken frame).</summary>
    public long BytesSkipped { get; private set; }

    /// <summary>Partial frames abandoned so far because of a start block inside them or an end block without CR.</summary>
    public long FramesAbandoned { get; private set; }

    /// <summary>Bytes of abandoned partial frames so far, start blocks included.</summary>
    public long BytesDiscarded { get; private set; }

    /// <summary>
    /// Looks for the next frame at the start of <paramref name="buffer"/>, skipping bytes outside frames and
    /// abandoning broken partial frames on the way.
    /// </summary>
    /// <param name="buffer">
    /// The bytes received and not yet consumed. On return it starts after everything consumed: after the frame
    /// when one is returned, otherwise at the start of an unfinished frame (or it is empty).
    /// </param>
    /// <param name="frame">The frame found; its payload is a slice of the original buffer, valid as long as that buffer.</param>
    /// <returns><see langword="true"/> when a frame was found; <see langword="false"/> when more bytes are needed.</returns>
    /// <exception cref="MllpFrameTooLargeException">The frame's payload is longer than <see cref="MllpFramingOptions.MaxFrameBytes"/>.</exception>
    /// <exception cref="MllpFramingException">
    /// A byte that may not be skipped arrived outside a frame, or more than
    /// <see cref="MllpFramingOptions.MaxBytesBetweenFrames"/> bytes arrived between frames.
    /// </exception>
    public bool TryParse(ref ReadOnlySequence<byte> buffer, out MllpFrame frame)
    {
        frame = default;
        while (true)
        {
            if (buffer.IsEmpty)
            {
                return false;
            }

            if (_skipTrailingCarriageReturn)
            {
                _skipTrailingCarriageReturn = false;
                if (SequenceSearch.ByteAt(buffer, 0) == MllpFrame.CarriageReturn)
                {
                    Consume(ref buffer, 1);
                    continue;
                }
            }

            if (SequenceSearch.ByteAt(buffer, 0) != MllpFrame.StartBlock && !SkipOutsideFrames(ref buffer))
            {
                return false;
            }

            _skippedInGap = 0;
            _resynchronizing = false;
            long available = buffer.Length - 1;

            // An end block at payload index p means a payload of p bytes: search p in [0, MaxFrameBytes] only,
            // so an oversized frame is never scanned (or buffered) much past the limit.
            long searchFrom = ResumePoint(buffer);
            long searchTo = Math.Min(available, (long)_maxFrameBytes + 1);
            long found = searchFrom >= searchTo
                ? -1
                : SequenceSearch.IndexOfAny(buffer, 1 + searchFrom, 1 + searchTo, MllpFrame.StartBlock, MllpFrame.EndBlock);
            if (found < 0)
            {
                if (available > _maxFrameBytes)
                {
                    ThrowFrameTooLarge(buffer);
                }

                Remember(buffer, available);
                return false;
            }

            long payloadLength = found - 1;
            if (SequenceSearch.ByteAt(buffer, found) == MllpFrame.StartBlock)
            {
                Abandon(ref buffer, found, MllpFramingViolation.StartBlockInsideFrame);
                continue;
            }

            long afterEndBlock = found + 1;
            if (afterEndBlock == buffer.Length)
            {
                if (_requireCarriageReturn)
                {
                    Remember(buffer, payloadLength);
                    return false;
                }

                frame = Deliver(ref buffer, payloadLength, afterEndBlock);
                _skipTrailingCarriageReturn = true;
                return true;
            }

            if (SequenceSearch.ByteAt(buffer, afterEndBlock) == MllpFrame.CarriageReturn)
            {
                frame = Deliver(ref buffer, payloadLength, afterEndBlock + 1);
                return true;
            }

            if (!_requireCarriageReturn)
            {
                frame = Deliver(ref buffer, payloadLength, afterEndBlock);
                return true;
            }

            Abandon(ref buffer, afterEndBlock, MllpFramingViolation.EndBlockNotFollowedByCarriageReturn);
            _resynchronizing = true;
        }
    }

    /// <summary>Forgets everything about the current stream except the counters; use it before parsing an unrelated buffer.</summary>
    public void Reset()
    {
        _pendingScanned = -1;
        _pendingStart = default;
        _skippedInGap = 0;
        _resynchronizing = false;
        _skipTrailingCarriageReturn = false;
    }

    private long ResumePoint(in ReadOnlySequence<byte> buffer)
    {
        // Resume only over the very bytes searched before: same start position, at least as long.
        bool resume = _pendingScanned >= 0 && buffer.Start.Equals(_pendingStart) && buffer.Length - 1 >= _pendingScanned;
        return resume ? _pendingScanned : 0;
    }

    private void Remember(in ReadOnlySequence<byte> buffer, long scannedPayload)
    {
        _pendingStart = buffer.Start;
        _pendingScanned = scannedPayload;
    }

    private bool SkipOutsideFrames(ref ReadOnlySequence<byte> buffer)
    {
        bool skipAny = _skipAny || _resynchronizing;
        long allowed = _maxBytesBetweenFrames - _skippedInGap;

        // Look one byte past the allowance so that exceeding it is seen however the bytes were split.
        long count = skipAny
            ? SequenceSearch.CountSkippable(buffer, StartBlockOnly, skipMembers: false, allowed + 1)
            : SequenceSearch.CountSkippable(buffer, Whitespace, skipMembers: true, allowed + 1);
        // The allowance is skipped (and counted) before giving up, so the counters do not depend on how the
        // bytes were split into reads.
        Skip(ref buffer, Math.Min(count, allowed));
        if (count > allowed)
        {
            ThrowViolation(
                MllpFramingViolation.TooManyBytesBetweenFrames,
                BytesConsumed,
                $"More than {_maxBytesBetweenFrames} bytes arrived outside MLLP frames, at stream offset {BytesConsumed}.");
        }

        if (buffer.IsEmpty)
        {
            return false;
        }

        byte next = SequenceSearch.ByteAt(buffer, 0);
        if (next != MllpFrame.StartBlock)
        {
            // Only whitespace skipping stops on a byte other than a start block.
            ThrowViolation(
                MllpFramingViolation.UnexpectedByteBetweenFrames,
                BytesConsumed,
                $"Unexpected byte 0x{next:X2} outside an MLLP frame at stream offset {BytesConsumed}; only CR, LF, NUL, space and tab may appear between frames.");
        }

        return true;
    }

    private void Skip(ref ReadOnlySequence<byte> buffer, long count)
    {
        if (count > 0)
        {
            Log.BytesSkipped(_logger, count, BytesConsumed);
            _skippedInGap += count;
            BytesSkipped += count;
            Consume(ref buffer, count);
        }
    }

    private MllpFrame Deliver(ref ReadOnlySequence<byte> buffer, long payloadLength, long frameLength)
    {
        var frame = new MllpFrame(buffer.Slice(1, payloadLength));
        Consume(ref buffer, frameLength);
        return frame;
    }

    private void Abandon(ref ReadOnlySequence<byte> buffer, long length, MllpFramingViolation violation)
    {
        Log.FrameAbandoned(_logger, length, BytesConsumed, violation);
        FramesAbandoned++;
        BytesDiscarded += length;
        Consume(ref buffer, length);
    }

    private void Consume(ref ReadOnlySequence<byte> buffer, long length)
    {
        buffer = buffer.Slice(length);
        BytesConsumed += length;
        _pendingScanned = -1;
    }

    private void ThrowViolation(MllpFramingViolation violation, long position, string message)
    {
        Log.FramingViolation(_logger, violation, position);
        throw new MllpFramingException(violation, position, message);
    }

    private void ThrowFrameTooLarge(in ReadOnlySequence<byte> buffer)
    {
        Log.FrameTooLarge(_logger, BytesConsumed, _maxFrameBytes, buffer.Length);
        var prefix = buffer.Slice(1, Math.Min(buffer.Length - 1, MllpFrameTooLargeException.MaxPrefixBytes)).ToArray();
        throw new MllpFrameTooLargeException(_maxFrameBytes, buffer.Length, prefix, BytesConsumed);
    }
}
