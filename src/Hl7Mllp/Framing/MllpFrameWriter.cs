using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Hl7Mllp.Framing;

/// <summary>
/// Writes MLLP frames to a <see cref="PipeWriter"/>: start block, payload and trailer straight into the pipe's
/// memory, then one flush per frame.
/// </summary>
/// <remarks>
/// Thread-safe: writes are serialized, so frames from concurrent callers never interleave. The writer does not
/// own the <see cref="PipeWriter"/> and never completes it.
/// </remarks>
public sealed class MllpFrameWriter
{
    private readonly PipeWriter _output;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <summary>Creates a writer; no I/O happens until a write.</summary>
    /// <param name="output">The bytes to the peer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is <see langword="null"/>.</exception>
    public MllpFrameWriter(PipeWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>Writes one frame around <paramref name="payload"/> and flushes it.</summary>
    /// <param name="payload">The message bytes; they must not contain <c>0x0B</c> or <c>0x1C</c>.</param>
    /// <param name="cancellationToken">Cancels the wait for the write lock or for the flush.</param>
    /// <returns>A task that completes when the frame is flushed.</returns>
    /// <exception cref="ArgumentException"><paramref name="payload"/> contains <c>0x0B</c> or <c>0x1C</c>.</exception>
    /// <exception cref="MllpException">The pipe's reader completed (the connection is closing); the frame may not have been sent.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled or the flush was canceled.</exception>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        WriteFrameAsync(payload, static (writer, payload) => MllpFrame.Write(writer, payload.Span), cancellationToken);

    /// <summary>Writes one frame around <paramref name="payload"/> and flushes it.</summary>
    /// <param name="payload">The message bytes, possibly in several segments; they must not contain <c>0x0B</c> or <c>0x1C</c>.</param>
    /// <param name="cancellationToken">Cancels the wait for the write lock or for the flush.</param>
    /// <returns>A task that completes when the frame is flushed.</returns>
    /// <exception cref="ArgumentException"><paramref name="payload"/> contains <c>0x0B</c> or <c>0x1C</c>.</exception>
    /// <exception cref="MllpException">The pipe's reader completed (the connection is closing); the frame may not have been sent.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled or the flush was canceled.</exception>
    public ValueTask WriteAsync(ReadOnlySequence<byte> payload, CancellationToken cancellationToken = default) =>
        WriteFrameAsync(payload, static (writer, payload) => MllpFrame.Write(writer, payload), cancellationToken);

    /// <summary>
    /// Writes an MLLP Release 2 commit acknowledgement block (<c>0x0B 0x06 0x1C 0x0D</c>), or a negative one
    /// (<c>0x0B 0x15 0x1C 0x0D</c>), and flushes it.
    /// </summary>
    /// <param name="positive"><see langword="true"/> for a commit acknowledgement, <see langword="false"/> for a negative one.</param>
    /// <param name="cancellationToken">Cancels the wait for the write lock or for the flush.</param>
    /// <returns>A task that completes when the block is flushed.</returns>
    /// <exception cref="MllpException">The pipe's reader completed (the connection is closing); the block may not have been sent.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled or the flush was canceled.</exception>
    public ValueTask WriteCommitAcknowledgementAsync(bool positive, CancellationToken cancellationToken = default) =>
        WriteFrameAsync(positive, static (writer, positive) => MllpFrame.WriteCommitAcknowledgement(writer, positive), cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteFrameAsync<TState>(TState state, Action<PipeWriter, TState> write, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The whole frame is in the pipe before the flush, so a canceled flush never leaves half a frame.
            write(_output, state);
            var result = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The flush of an MLLP frame was canceled.");
            }

            if (result.IsCompleted)
            {
                throw new MllpException("The connection's output was closed while an MLLP frame was written; the frame may not have been sent.");
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
