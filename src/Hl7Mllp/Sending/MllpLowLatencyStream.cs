using System.Net.Sockets;

namespace Hl7Mllp.Sending;

/// <summary>
/// The plain-TCP stream of a client in low-latency mode (<see cref="MllpClientOptions.LowLatencyAckWait"/>). The
/// socket stays in blocking mode and every call on it is synchronous, as in a blocking load generator: a write is one
/// <c>send</c>, and a read is one <c>recv</c> that the kernel ends after the configured wait (<c>SO_RCVTIMEO</c>), so an
/// ACK that arrives within that time costs two system calls per message, no <c>poll</c> with its high-resolution
/// timer, no thread hop and no event-loop wake-up. A slower ACK is awaited by the stream's waiter thread (started at the
/// first slow ACK, reused after), polling in short slices.
/// No asynchronous socket call is ever made: the first one would switch the socket to non-blocking mode and register
/// it with the runtime's event loop for good, and every later ACK would then wake that loop and a pool thread for
/// nothing.
/// </summary>
internal sealed class MllpLowLatencyStream : Stream
{
    private const int SlowPollMicroseconds = 20_000;
    private readonly Socket _socket;
    private SlowWaiter? _slowWaiter;
    private volatile bool _disposed;

    /// <param name="socket">A connected socket in blocking mode, never used asynchronously; the stream owns it.</param>
    /// <param name="wait">How long a read blocks in the kernel before it falls back to the slow wait; rounded up to whole milliseconds.</param>
    /// <param name="sendTimeout">How long one blocked <c>send</c> may wait for room in the send buffer (the peer does not read); <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    public MllpLowLatencyStream(Socket socket, TimeSpan wait, TimeSpan sendTimeout)
    {
        _socket = socket;
        _socket.ReceiveTimeout = (int)Math.Max(1, Math.Ceiling(wait.TotalMilliseconds));
        _socket.SendTimeout = sendTimeout == Timeout.InfiniteTimeSpan ? 0 : (int)Math.Min(int.MaxValue, Math.Ceiling(sendTimeout.TotalMilliseconds));
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Gets how many slow waits this stream's waiter thread has served (for tests: one thread, many waits).</summary>
    internal int SlowWaitsOnOwnThread => _slowWaiter?.Served ?? 0;

    /// <summary>Bytes received so far: tells the client whether a failed exchange got any byte of its ACK.</summary>
    public long BytesReceived { get; private set; }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return TryReceive(buffer.Span, out int received)
            ? new ValueTask<int>(received)
            : new ValueTask<int>(ReceiveSlowlyAsync(buffer, cancellationToken));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        int received;
        while (!TryReceive(buffer.AsSpan(offset, count), out received))
        {
        }

        return received;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // A send blocks only while the send buffer is full (the peer does not read). Cancellation then closes the
        // socket, which ends the call; the socket timeout bounds it otherwise.
        using var abort = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((Socket)state!).Dispose(), _socket)
            : default;
        try
        {
            Write(buffer.Span);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int sent = _socket.Send(buffer, SocketFlags.None, out SocketError error);
            if (error != SocketError.Success)
            {
                throw Failed("write", error);
            }

            buffer = buffer[sent..];
        }
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _disposed = true;
            _socket.Dispose();
            _slowWaiter?.Stop();
        }

        base.Dispose(disposing);
    }

    /// <summary>One blocking <c>recv</c>, ended by the kernel after the receive timeout; false when it timed out. Socket errors throw <see cref="IOException"/>.</summary>
    private bool TryReceive(Span<byte> buffer, out int received)
    {
        received = _socket.Receive(buffer, SocketFlags.None, out SocketError error);
        if (error == SocketError.Success)
        {
            BytesReceived += received;
            return true;
        }

        return error is SocketError.WouldBlock or SocketError.TimedOut ? false : throw Failed("read", error);
    }

    /// <summary>As <see cref="NetworkStream"/> reports a socket error: an <see cref="IOException"/> around the <see cref="SocketException"/>.</summary>
    private static IOException Failed(string operation, SocketError error) =>
        new($"Unable to {operation} data on the transport connection: {error}.", new SocketException((int)error));

    /// <summary>
    /// The wait for an ACK slower than the receive timeout, on the stream's waiter thread: it may block for up to the ACK
    /// timeout, far too long to hold a pool thread (a starved pool could delay the very peer being waited for).
    /// </summary>
    private Task<int> ReceiveSlowlyAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        (_slowWaiter ??= new SlowWaiter(this)).ReceiveAsync(buffer, cancellationToken);

    /// <summary>Blocks until bytes arrive, polling in short slices so that cancellation is seen; runs on the waiter thread.</summary>
    private int ReceiveSlowly(Span<byte> buffer, CancellationToken cancellationToken)
    {
        int received;
        do
        {
            while (!_socket.Poll(SlowPollMicroseconds, SelectMode.SelectRead))
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        while (!TryReceive(buffer, out received));

        return received;
    }

    /// <summary>
    /// One thread per stream, started at its first slow ACK and parked between slow ACKs, so a peer that always answers
    /// later than the receive timeout costs a thread wake-up per message, not a new thread. Reads on a stream are
    /// sequential, so one request slot is enough. Ends when the stream is disposed.
    /// </summary>
    private sealed class SlowWaiter
    {
        private readonly MllpLowLatencyStream _stream;
        private readonly SemaphoreSlim _requested = new(0);
        private Memory<byte> _buffer;
        private CancellationToken _cancellationToken;
        private TaskCompletionSource<int>? _result;
        private volatile bool _stopped;
        private int _served;

        public SlowWaiter(MllpLowLatencyStream stream)
        {
            _stream = stream;

            // Unsafe: the thread outlives the send that starts it and must not keep that send's async-locals
            // (Activity.Current with its tags, logging scopes) alive for the life of the connection.
            new Thread(Run) { IsBackground = true, Name = "Hl7Mllp ACK wait" }.UnsafeStart();
        }

        /// <summary>Gets how many waits this thread has served.</summary>
        public int Served => Volatile.Read(ref _served);

        public Task<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            // The caller's code continues on the pool, never on this thread.
            var result = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            _buffer = buffer;
            _cancellationToken = cancellationToken;
            _result = result;
            _requested.Release();
            if (_stopped)
            {
                // The stream was disposed: the thread may have ended before it saw this request.
                result.TrySetException(new ObjectDisposedException(nameof(MllpLowLatencyStream)));
            }

            return result.Task;
        }

        public void Stop()
        {
            _stopped = true;
            _requested.Release();
        }

        private void Run()
        {
            while (true)
            {
                _requested.Wait();
                if (_stopped)
                {
                    // A request that raced the stop would otherwise never complete. The semaphore is left undisposed
                    // (it has no wait handle) so that a late request's release cannot throw.
                    _result?.TrySetException(new ObjectDisposedException(nameof(MllpLowLatencyStream)));
                    return;
                }

                var result = _result!;
                Interlocked.Increment(ref _served);
                try
                {
                    result.TrySetResult(_stream.ReceiveSlowly(_buffer.Span, _cancellationToken));
                }
                catch (OperationCanceledException ex)
                {
                    result.TrySetCanceled(ex.CancellationToken);
                }
                catch (Exception ex)
                {
                    result.TrySetException(ex);
                }

                if (_stream._disposed)
                {
                    // A dispose that raced the first slow read may have found no waiter to stop: no read comes after it.
                    _stopped = true;
                    return;
                }
            }
        }
    }
}
