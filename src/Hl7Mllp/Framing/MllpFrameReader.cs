using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hl7Mllp.Framing;

/// <summary>
/// Reads MLLP frames from a <see cref="PipeReader"/>, one per <see cref="ReadAsync"/>, without copying them.
/// </summary>
/// <remarks>
/// <para>
/// Frames split at any byte, or many in one read, come out one at a time and in order. A frame's payload stays
/// valid until <see cref="Advance"/> or the next <see cref="ReadAsync"/>: handle or copy it before then. Bytes
/// between frames are skipped within bounds and counted (<see cref="BytesSkipped"/>); broken partial frames are
/// abandoned and counted (<see cref="FramesAbandoned"/>), see <see cref="MllpFrameParser"/>.
/// </para>
/// <para>
/// Memory stays bounded: while a frame is incomplete the reader marks every buffered byte as examined, and as
/// soon as more than <see cref="MllpFramingOptions.MaxFrameBytes"/> payload bytes are buffered without an end
/// block it throws <see cref="MllpFrameTooLargeException"/> and releases the buffer, so the pipe holds at most
/// the limit plus what arrived in one read (with a <see cref="Pipe"/>: plus its pause threshold, since a pipe counts
/// examined bytes as relieved back-pressure). Any <see cref="MllpFramingException"/> ends the stream: every later
/// <see cref="ReadAsync"/> throws <see cref="InvalidOperationException"/>; close the connection.
/// </para>
/// <para>
/// Not thread-safe: one read loop per connection. The reader does not own the <see cref="PipeReader"/> and never
/// completes it.
/// </para>
/// </remarks>
public sealed class MllpFrameReader
{
    private readonly PipeReader _input;
    private readonly MllpFrameParser _parser;
    private readonly ILogger _logger;

    private SequencePosition _frameEnd;
    private bool _holdingFrame;
    private bool _cancelPending;
    private bool _completed;
    private MllpFramingException? _failure;

    /// <summary>Creates a reader; no I/O happens until <see cref="ReadAsync"/>.</summary>
    /// <param name="input">The bytes from the peer.</param>
    /// <param name="options">The limits and policies; <see langword="null"/> for the defaults. Copied: later changes have no effect.</param>
    /// <param name="logger">Where framing events are logged (sizes and offsets, never payload bytes); <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message lists every problem.</exception>
    public MllpFrameReader(PipeReader input, MllpFramingOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = input;
        _logger = logger ?? NullLogger.Instance;
        _parser = new MllpFrameParser(options, _logger);
    }

    /// <summary>Bytes skipped outside frames so far on this stream.</summary>
    public long BytesSkipped => _parser.BytesSkipped;

    /// <summary>Partial frames abandoned so far on this stream (start block inside a frame, end block without CR).</summary>
    public long FramesAbandoned => _parser.FramesAbandoned;

    /// <summary>Bytes consumed so far: frames, skipped bytes and abandoned partial frames.</summary>
    public long BytesConsumed => _parser.BytesConsumed;

    /// <summary>
    /// Reads the next frame. The previous frame, if not yet released with <see cref="Advance"/>, is released first.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for bytes.</param>
    /// <returns>The next frame, or a result with <see cref="MllpReadResult.IsCompleted"/> on a clean close, or with
    /// <see cref="MllpReadResult.IsCanceled"/> when the pending read was canceled.</returns>
    /// <exception cref="MllpFrameTooLargeException">More than <see cref="MllpFramingOptions.MaxFrameBytes"/> payload bytes without an end block.</exception>
    /// <exception cref="MllpTruncatedFrameException">The peer closed the stream in the middle of a frame.</exception>
    /// <exception cref="MllpFramingException">Unexpected or too many bytes between frames.</exception>
    /// <exception cref="InvalidOperationException">A previous read threw a framing exception.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<MllpReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_failure is not null)
        {
            throw new InvalidOperationException("A previous read failed with a framing error; the stream cannot be read further.", _failure);
        }

        Advance();
        if (_cancelPending)
        {
            _cancelPending = false;
            return new MllpReadResult(default, isCompleted: false, isCanceled: true);
        }

        if (_completed)
        {
            return new MllpReadResult(default, isCompleted: true, isCanceled: false);
        }

        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;

            // Nothing consumed, everything examined: an incomplete frame waits for more bytes (STYLE 1).
            var consumed = buffer.Start;
            var examined = buffer.End;
            try
            {
                if (_parser.TryParse(ref buffer, out var frame))
                {
                    // The payload is a slice of this read: the pipe is advanced past it only by Advance (STYLE 3).
                    _frameEnd = buffer.Start;
                    _holdingFrame = true;
                    _cancelPending = result.IsCanceled;
                    return new MllpReadResult(frame, isCompleted: false, isCanceled: false);
                }

                consumed = buffer.Start;
                if (result.IsCanceled)
                {
                    return new MllpReadResult(default, isCompleted: false, isCanceled: true);
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        Log.FrameTruncated(_logger, _parser.BytesConsumed, buffer.Length);
                        throw new MllpTruncatedFrameException(buffer.Length, _parser.BytesConsumed);
                    }

                    _completed = true;
                    return new MllpReadResult(default, isCompleted: true, isCanceled: false);
                }
            }
            catch (MllpFramingException exception)
            {
                // The stream is over: release everything buffered now rather than when the caller gets round to it.
                _failure = exception;
                consumed = examined = result.Buffer.End;
                throw;
            }
            finally
            {
                if (!_holdingFrame)
                {
                    _input.AdvanceTo(consumed, examined);
                }
            }
        }
    }

    /// <summary>
    /// Releases the frame returned by the last <see cref="ReadAsync"/>: its payload is invalid afterwards. Does nothing
    /// when no frame is held. Calling it is optional; the next <see cref="ReadAsync"/> does it.
    /// </summary>
    public void Advance()
    {
        if (_holdingFrame)
        {
            _holdingFrame = false;
            _input.AdvanceTo(_frameEnd);
        }
    }
}
