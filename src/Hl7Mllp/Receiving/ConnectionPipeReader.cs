using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Hl7Mllp.Receiving;

/// <summary>
/// Wraps a connection's <see cref="PipeReader"/> to put a deadline on every wait for the peer and to count what
/// arrives: with nothing buffered the idle timeout applies; once bytes of a frame are buffered, the per-read timeout
/// and the whole-frame deadline (slowloris, RELIABILITY A2, A3).
/// </summary>
/// <remarks>
/// <para>
/// A read that completes at once (bytes already buffered) costs no deadline work. Only a read that has to wait records
/// its deadline in the connection (on a connection's own thread: every read that must receive, before it blocks); the
/// listener's deadline timer shuts the socket down when it passes, and the read then throws
/// <see cref="OperationCanceledException"/> whatever the inner reader returned, so a timeout or a stop is never
/// mistaken for the peer closing (or truncating a frame).
/// </para>
/// <para>Single consumer (one read loop), like any <see cref="PipeReader"/>.</para>
/// </remarks>
internal sealed class ConnectionPipeReader : PipeReader
{
    private readonly PipeReader _inner;
    private readonly MllpListenerSocketReader? _blockingInner;
    private readonly MllpListenerConnection _connection;
    private ReadOnlySequence<byte> _lastBuffer;
    private long _unconsumed;

    public ConnectionPipeReader(PipeReader inner, MllpListenerConnection connection)
    {
        _inner = inner;
        _blockingInner = inner is MllpListenerSocketReader { ReceivesBlocking: true } blocking ? blocking : null;
        _connection = connection;
    }

    /// <summary>Gets whether bytes of an unfinished frame are buffered.</summary>
    public bool HasBufferedBytes => _unconsumed > 0;

    /// <summary>Gets how many received bytes are buffered and not yet consumed.</summary>
    public long BufferedBytes => _unconsumed;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_blockingInner is { MustReceive: true })
        {
            // The read will block the connection's own thread: its deadline is recorded before, not after.
            _connection.BeginReadWait(frameUnderWay: _unconsumed > 0);
            return WaitAsync(_inner.ReadAsync(cancellationToken));
        }

        var read = _inner.ReadAsync(cancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            return new ValueTask<ReadResult>(Observe(read.Result));
        }

        _connection.BeginReadWait(frameUnderWay: _unconsumed > 0);
        return WaitAsync(read);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!_inner.TryRead(out result))
        {
            return false;
        }

        result = Observe(result);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _unconsumed = _lastBuffer.Slice(consumed).Length;
        if (_unconsumed == 0)
        {
            _connection.ClearFrameStart();
        }
        else
        {
            // Bytes of a frame stay buffered (a partial frame, or one pipelined behind the frame just handled).
            _connection.MarkFrameStart();
        }

        _lastBuffer = default;
        _inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => _inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => _inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => _inner.CompleteAsync(exception);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> WaitAsync(ValueTask<ReadResult> read)
    {
        ReadResult result;
        try
        {
            result = await read.ConfigureAwait(false);
        }
        catch
        {
            // A reset, or the socket shut down under the read by a deadline or a stop: the connection knows which.
            _connection.ThrowIfWaitInterrupted();
            throw;
        }

        _connection.ThrowIfWaitInterrupted();
        return Observe(result);
    }

    private ReadResult Observe(ReadResult result)
    {
        long fresh = result.Buffer.Length - _unconsumed;
        if (fresh > 0)
        {
            _connection.OnBytesReceived(fresh);

            // Counted once: until AdvanceTo, the same bytes come back on a repeated read.
            _unconsumed = result.Buffer.Length;
        }

        _lastBuffer = result.Buffer;
        return result;
    }
}
