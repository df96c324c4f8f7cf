using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using Hl7Mllp.Framing;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Sending;

/// <summary>
/// One open connection of an <see cref="MllpClient"/>: the socket, the (TLS) stream, the pipes over it and the
/// ACK frame reader. Used by one send at a time, under the client's send lock.
/// </summary>
internal sealed class MllpClientConnection : IAsyncDisposable
{
    /// <summary>How recent the last ACK must be for the next send to skip the liveness probe.</summary>
    private static readonly TimeSpan ProbeSkipWindow = TimeSpan.FromMilliseconds(1);

    private readonly Socket? _socket;
    private readonly Stream _stream;
    private readonly MllpLowLatencyStream? _lowLatency;
    private readonly TimeProvider _timeProvider;
    private readonly long _probeSkipTicks;
    private long _receivedBeforeUnprobedSend = -1;
    private CancellationTokenSource _ackTimeout;
    private int _disposed;

    public MllpClientConnection(Socket? socket, Stream stream, MllpFramingOptions framing, ILogger logger, TimeProvider timeProvider)
    {
        _socket = socket;
        _stream = stream;
        _lowLatency = stream as MllpLowLatencyStream;
        _timeProvider = timeProvider;
        _probeSkipTicks = (long)(ProbeSkipWindow.TotalSeconds * timeProvider.TimestampFrequency);
        IsTls = stream is SslStream;
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 4096, leaveOpen: true));
        Frames = new MllpFrameReader(Input, framing, logger);
        _ackTimeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        LastActivity = timeProvider.GetTimestamp();
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    public MllpFrameReader Frames { get; }

    public bool IsTls { get; }

    /// <summary>When the connection last carried a message or an ACK (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastActivity { get; set; }

    /// <summary>Whether a message was already sent on this connection.</summary>
    public bool Used { get; set; }

    /// <summary>Set when the connection must not carry another message (stray bytes after an ACK).</summary>
    public bool MustRenew { get; set; }

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Whether an idle connection looks fit for the next message (RELIABILITY C5, F3). In MLLP a receiver never
    /// speaks first, so any readable state before a send (a FIN, a RST, unexpected bytes) means the connection is
    /// closed or out of step, and it is renewed. A connection that never carried a message skips the check: a TLS 1.3
    /// receiver sends session tickets right after the handshake. A low-latency connection whose last ACK arrived less
    /// than <see cref="ProbeSkipWindow"/> ago skips it too (no <c>poll</c> per message on a busy connection); a send
    /// on it that then fails before any byte of its ACK is what the probe would have caught
    /// (<see cref="NothingReceivedSinceSkippedProbe"/>).
    /// </summary>
    public bool IsFitForSend()
    {
        _receivedBeforeUnprobedSend = -1;
        if (MustRenew || IsDisposed)
        {
            return false;
        }

        if (!Used || _socket is null)
        {
            return true;
        }

        if (_lowLatency is not null && _timeProvider.GetTimestamp() - LastActivity < _probeSkipTicks)
        {
            _receivedBeforeUnprobedSend = _lowLatency.BytesReceived;
            return true;
        }

        try
        {
            return !_socket.Poll(0, SelectMode.SelectRead);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the send in progress skipped the liveness probe and has received no byte since: its end-of-stream or
    /// reset may be a FIN or RST that was already there, which the probe would have caught before the send.
    /// </summary>
    public bool NothingReceivedSinceSkippedProbe => _receivedBeforeUnprobedSend >= 0 && _lowLatency!.BytesReceived == _receivedBeforeUnprobedSend;

    /// <summary>Blocks up to <paramref name="microseconds"/> until bytes can be read, so that the read that follows completes synchronously.</summary>
    public void WaitReadable(int microseconds)
    {
        if (_socket is null)
        {
            return;
        }

        try
        {
            _ = _socket.Poll(microseconds, SelectMode.SelectRead);
        }
        catch (SocketException)
        {
            // The read that follows reports the broken connection.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Arms the ACK timeout and returns the token to read the ACK with.</summary>
    public CancellationToken StartAckTimeout(TimeSpan timeout)
    {
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            _ackTimeout.CancelAfter(timeout);
        }

        return _ackTimeout.Token;
    }

    /// <summary>Cancels the pending ACK read at once (the caller's token was canceled).</summary>
    public void CancelAck()
    {
        try
        {
            _ackTimeout.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connection was closed meanwhile: nothing left to cancel.
        }
    }

    /// <summary>Disarms the ACK timeout after a read; a fired timer costs a new token source.</summary>
    public void StopAckTimeout()
    {
        if (IsDisposed)
        {
            return;
        }

        if (!_ackTimeout.TryReset())
        {
            _ackTimeout.Dispose();
            _ackTimeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _timeProvider);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Input.CompleteAsync().ConfigureAwait(false);
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // TLS close_notify on a reset connection.
        }

        _socket?.Dispose();
        try
        {
            // After the stream: the rest of a write that failed must not be sent (a blocking write could wait again).
            await Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _ackTimeout.Dispose();
    }
}
