using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Hl7Mllp.Receiving;

/// <summary>
/// The plain-TCP input of a listener connection: a <see cref="PipeReader"/> that receives straight from the
/// <see cref="Socket"/> into one growable buffer, with no <c>NetworkStream</c> or stream pipe in between.
/// </summary>
/// <remarks>
/// <para>
/// Buffered bytes live in one array: <see cref="ReadAsync"/> hands out a single-segment sequence over the unconsumed
/// part, so a frame's payload is always contiguous. The array starts at 4 KiB from the shared pool and, while a frame
/// is incomplete, is compacted or doubled up to <c>maxBufferedBytes</c>; it never grows past that bound (a framing
/// consumer has thrown "frame too large" long before). Arrays over 1 MiB are allocated to size rather than pooled, and
/// any array over 64 KiB is given back as soon as everything in it is consumed, so one large frame does not pin its
/// memory for the rest of the connection.
/// </para>
/// <para>
/// Sequence positions are valid until the next <see cref="ReadAsync"/>: compaction or growth moves the bytes.
/// <see cref="CancelPendingRead"/> makes the next read return canceled; it cannot wake a receive already pending
/// (the connection shuts the socket down for that). Single consumer, like any <see cref="PipeReader"/>; the reader
/// does not own the socket.
/// </para>
/// <para>
/// On a connection's own thread the reader receives blocking: <see cref="ReadAsync"/> returns once bytes arrived (or
/// fails), never pending. Before it blocks it may poll the socket for up to the spin time, when the previous wait was
/// shorter than that and the listener allows it: on a streaming link the next frame then arrives while the thread
/// still runs, instead of waking it from sleep.
/// </para>
/// </remarks>
internal sealed class MllpListenerSocketReader : PipeReader
{
    internal const int InitialBufferSize = 4096;
    internal const int KeepBufferSize = 64 * 1024;
    private const int MinimumReceiveSize = 1024;
    private const int PooledBufferSize = 1024 * 1024;

    private readonly Socket _socket;
    private readonly int _maxBufferedBytes;
    private readonly bool _blocking;
    private readonly long _spinTicks;
    private readonly Func<bool>? _maySpin;
    private bool _spinNext;
    private byte[] _buffer;
    private bool _pooled;
    private int _start;
    private int _end;
    private int _examined;
    private bool _socketCompleted;
    private bool _readerCompleted;
    private volatile bool _cancelPending;

    /// <summary>Creates a reader that receives asynchronously; the first buffer is rented at once.</summary>
    /// <param name="socket">The connected socket to receive from.</param>
    /// <param name="maxBufferedBytes">The most unconsumed bytes ever buffered (at least 4 KiB is used).</param>
    public MllpListenerSocketReader(Socket socket, int maxBufferedBytes)
    {
        _socket = socket;
        _maxBufferedBytes = Math.Max(maxBufferedBytes, InitialBufferSize);
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        _pooled = true;
    }

    /// <summary>Creates a reader that receives blocking, for a connection's own thread.</summary>
    /// <param name="socket">The connected socket to receive from; never used asynchronously, so it stays blocking.</param>
    /// <param name="maxBufferedBytes">The most unconsumed bytes ever buffered (at least 4 KiB is used).</param>
    /// <param name="spin">The longest poll for bytes before blocking; <see cref="TimeSpan.Zero"/> for none.</param>
    /// <param name="maySpin">Asked before each poll: whether polling is allowed now.</param>
    public MllpListenerSocketReader(Socket socket, int maxBufferedBytes, TimeSpan spin, Func<bool> maySpin)
        : this(socket, maxBufferedBytes)
    {
        _blocking = true;
        _spinTicks = (long)(spin.TotalSeconds * Stopwatch.Frequency);

        // A sender's first message usually follows its connect at once.
        _spinNext = true;
        _maySpin = maySpin;
    }

    /// <summary>Gets whether reads block the calling thread instead of completing later.</summary>
    internal bool ReceivesBlocking => _blocking;

    /// <summary>Gets whether the next read must receive from the socket: nothing unexamined is buffered and the stream is not over.</summary>
    internal bool MustReceive => !(_end > _examined || _socketCompleted || _cancelPending);

    /// <summary>Gets how many bytes the buffer in use may hold: its length, but never more than the bound (a pooled array can be longer).</summary>
    internal int Capacity => Math.Min(_buffer.Length, _maxBufferedBytes);

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_readerCompleted, this);
        if (TryReadBuffered(out var result))
        {
            return new ValueTask<ReadResult>(result);
        }

        if (_blocking)
        {
            return ReceiveBlocking(PrepareReceive().Span);
        }

        var receive = _socket.ReceiveAsync(PrepareReceive(), SocketFlags.None, cancellationToken);
        return receive.IsCompletedSuccessfully ? new ValueTask<ReadResult>(OnReceived(receive.Result)) : WaitForReceiveAsync(receive);
    }

    public override bool TryRead(out ReadResult result)
    {
        ObjectDisposedException.ThrowIf(_readerCompleted, this);
        if (_end > _start || _socketCompleted || _cancelPending)
        {
            result = Result();
            return true;
        }

        result = default;
        return false;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        ObjectDisposedException.ThrowIf(_readerCompleted, this);
        int consumedIndex = IndexOf(consumed);
        int examinedIndex = IndexOf(examined);
        if (examinedIndex < consumedIndex)
        {
            throw new InvalidOperationException("The examined position must not be before the consumed position.");
        }

        _start = consumedIndex;
        _examined = Math.Max(examinedIndex, _examined);
        if (_start == _end)
        {
            // Everything consumed: start over at the front, and let a buffer grown for a large frame go.
            _start = _end = _examined = 0;
            if (Capacity > KeepBufferSize)
            {
                ReplaceBuffer(InitialBufferSize, 0);
            }
        }
    }

    public override void CancelPendingRead() => _cancelPending = true;

    public override void Complete(Exception? exception = null)
    {
        if (_readerCompleted)
        {
            return;
        }

        _readerCompleted = true;
        if (_pooled)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
    }

    private bool TryReadBuffered(out ReadResult result)
    {
        // Bytes the consumer has not examined yet, a pending cancellation or the end of the stream: no receive needed.
        if (!MustReceive)
        {
            result = Result();
            return true;
        }

        result = default;
        return false;
    }

    private ValueTask<ReadResult> ReceiveBlocking(Span<byte> buffer)
    {
        try
        {
            long start = Stopwatch.GetTimestamp();
            if (_spinNext && _maySpin!())
            {
                while (!_socket.Poll(0, SelectMode.SelectRead) && Stopwatch.GetTimestamp() - start < _spinTicks)
                {
                    Thread.SpinWait(10);
                }
            }

            int count = _socket.Receive(buffer, SocketFlags.None);

            // Poll next time only if this wait was short: a sender that pauses between messages costs no polling.
            _spinNext = Stopwatch.GetTimestamp() - start < _spinTicks;
            return new ValueTask<ReadResult>(OnReceived(count));
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Failed like an asynchronous receive would: the caller awaits the result and classifies the failure.
            return ValueTask.FromException<ReadResult>(exception);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> WaitForReceiveAsync(ValueTask<int> receive) => OnReceived(await receive.ConfigureAwait(false));

    private ReadResult OnReceived(int count)
    {
        if (count == 0)
        {
            _socketCompleted = true;
        }

        _end += count;
        return Result();
    }

    private ReadResult Result()
    {
        bool canceled = _cancelPending;
        _cancelPending = false;
        return new ReadResult(new ReadOnlySequence<byte>(_buffer, _start, _end - _start), canceled, _socketCompleted);
    }

    private Memory<byte> PrepareReceive()
    {
        if (Capacity - _end < MinimumReceiveSize)
        {
            int length = _end - _start;
            bool atLimit = Capacity == _maxBufferedBytes;
            if (_start > 0 && (length <= Capacity / 2 || atLimit))
            {
                // Move the unconsumed bytes to the front; the consumer sees new positions and searches them again.
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, length);
                _examined -= _start;
                _end = length;
                _start = 0;
            }
            else if (!atLimit)
            {
                int size = (int)Math.Min(Math.Max(2L * Capacity, length + MinimumReceiveSize), _maxBufferedBytes);
                ReplaceBuffer(size, length);
            }

            if (_end == Capacity)
            {
                throw new InvalidOperationException($"{_end} bytes are buffered and none of them was consumed; the consumer must bound what it buffers.");
            }
        }

        return _buffer.AsMemory(_end, Capacity - _end);
    }

    private void ReplaceBuffer(int size, int length)
    {
        bool pooled = size <= PooledBufferSize;
        byte[] next = pooled ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);
        Buffer.BlockCopy(_buffer, _start, next, 0, length);
        if (_pooled)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _examined -= _start;
        _end = length;
        _start = 0;
        _buffer = next;
        _pooled = pooled;
    }

    private int IndexOf(SequencePosition position)
    {
        if (!ReferenceEquals(position.GetObject(), _buffer))
        {
            throw new InvalidOperationException("The position does not belong to the buffer of the last read.");
        }

        int index = position.GetInteger();
        if (index < _start || index > _end)
        {
            throw new ArgumentOutOfRangeException(nameof(position), "The position is outside the buffer of the last read.");
        }

        return index;
    }
}
