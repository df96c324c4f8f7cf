using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Hl7Mllp.Receiving;

/// <summary>
/// Wraps a connection's <see cref="PipeReader"/> to arm the right deadline before each read and to count what arrives:
/// with nothing buffered the idle timeout applies; once bytes of a frame are buffered, the per-read timeout and the
/// whole-frame deadline (slowloris, RELIABILITY A2, A3). The deadline cancels the read through the connection's token.
/// </summary>
/// <remarks>Single consumer (one read loop), like any <see cref="PipeReader"/>.</remarks>
internal sealed class ConnectionPipeReader : PipeReader
{
    private readonly PipeReader _inner;
    private readonly MllpListenerConnection _connection;
    private ReadOnlySequence<byte> _lastBuffer;
    private long _unconsumed;

    public ConnectionPipeReader(PipeReader inner, MllpListenerConnection connection)
    {
        _inner = inner;
        _connection = connection;
    }

    /// <summary>Gets whether bytes of an unfinished frame are buffered.</summary>
    public bool HasBufferedBytes => _unconsumed > 0;

    /// <summary>Gets how many received bytes are buffered and not yet consumed.</summary>
    public long BufferedBytes => _unconsumed;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        _connection.ArmReadDeadline(frameUnderWay: _unconsumed > 0);
        ReadResult result;
        try
        {
            result = await _inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _connection.DisarmDeadline();
        }

        return Observe(result);
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

    private ReadResult Observe(ReadResult result)
    {
        long fresh = result.Buffer.Length - _unconsumed;
        if (fresh > 0)
        {
            _connection.MarkFrameStart();
            _connection.OnBytesReceived(fresh);

            // Counted once: until AdvanceTo, the same bytes come back on a repeated read.
            _unconsumed = result.Buffer.Length;
        }

        _lastBuffer = result.Buffer;
        return result;
    }
}
