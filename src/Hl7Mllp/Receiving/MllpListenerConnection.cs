using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Hl7Mllp.Diagnostics;
using Hl7Mllp.Framing;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Receiving;

/// <summary>
/// One accepted connection of an <see cref="MllpListener"/>: optional TLS handshake, then the read loop, strictly in
/// order: read a frame, call the handler, send its response, release the frame, read the next.
/// </summary>
/// <remarks>
/// One deadline timer per connection (a <see cref="CancellationTokenSource"/> on the listener's
/// <see cref="TimeProvider"/>) is re-armed before every wait on the peer: TLS handshake, idle, per-read, whole-frame,
/// response write. Nothing the peer does can throw out of <see cref="RunAsync"/>.
/// </remarks>
internal sealed class MllpListenerConnection
{
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true);
    private static readonly StreamPipeWriterOptions WriterOptions = new(minimumBufferSize: 4096, leaveOpen: true);

    private readonly MllpListener _listener;
    private readonly Socket _socket;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _io;

    private MllpConnectionCloseReason _armedReason;
    private bool _armed;
    private long _frameStart;
    private long _lastActivityTicks;
    private long _bytesReceived;
    private long _messagesHandled;
    private int _stopRequested;
    private int _handshaking;
    private volatile bool _drainExpired;
    private ConnectionPipeReader? _reader;

    public MllpListenerConnection(MllpListener listener, Socket socket, long id, EndPoint? remoteEndPoint, EndPoint? localEndPoint, TimeProvider timeProvider)
    {
        _listener = listener;
        _socket = socket;
        _timeProvider = timeProvider;
        Id = id;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
        ConnectedAt = timeProvider.GetUtcNow();
        _lastActivityTicks = ConnectedAt.UtcTicks;
        _deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        _io = CancellationTokenSource.CreateLinkedTokenSource(_deadline.Token, _abort.Token);
    }

    public long Id { get; }

    public EndPoint? RemoteEndPoint { get; }

    public EndPoint? LocalEndPoint { get; }

    public DateTimeOffset ConnectedAt { get; }

    public Task Completion { get; private set; } = Task.CompletedTask;

    public long MessagesHandled => Interlocked.Read(ref _messagesHandled);

    private MllpListenerOptions Options => _listener.Options;

    private ILogger Logger => _listener.Logger;

    public MllpConnectionStatus GetStatus() => new(
        Id,
        RemoteEndPoint,
        LocalEndPoint,
        ConnectedAt,
        new DateTimeOffset(Interlocked.Read(ref _lastActivityTicks), TimeSpan.Zero),
        MessagesHandled,
        Interlocked.Read(ref _bytesReceived),
        _listener.Tls is not null);

    public void Start() => Completion = Task.Run(RunAsync);

    /// <summary>Stops reading: a connection waiting for bytes closes now; one in its handler finishes that message first.</summary>
    public void RequestStop()
    {
        Interlocked.Exchange(ref _stopRequested, 1);
        Volatile.Read(ref _reader)?.CancelPendingRead();
        if (Volatile.Read(ref _handshaking) == 1)
        {
            Cancel(_abort);
        }
    }

    /// <summary>Abandons the message in flight: no response is sent for it.</summary>
    public void Abort()
    {
        _drainExpired = true;
        Cancel(_abort);
        try
        {
            _socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    internal void ArmReadDeadline(bool frameUnderWay)
    {
        if (!frameUnderWay)
        {
            Arm(Options.IdleTimeout, MllpConnectionCloseReason.IdleTimeout);
            return;
        }

        var timeout = Options.ReadTimeout;
        var reason = MllpConnectionCloseReason.ReadTimeout;
        long frameStart = _frameStart;
        if (Options.FrameTimeout != Timeout.InfiniteTimeSpan && frameStart != 0)
        {
            var left = Options.FrameTimeout - _timeProvider.GetElapsedTime(frameStart);
            left = left < TimeSpan.Zero ? TimeSpan.Zero : left;
            if (timeout == Timeout.InfiniteTimeSpan || left < timeout)
            {
                timeout = left;
                reason = MllpConnectionCloseReason.FrameTimeout;
            }
        }

        Arm(timeout, reason);
    }

    internal void DisarmDeadline()
    {
        if (_armed)
        {
            _armed = false;
            _deadline.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    internal void MarkFrameStart()
    {
        if (_frameStart == 0)
        {
            _frameStart = _timeProvider.GetTimestamp();
        }
    }

    internal void ClearFrameStart() => _frameStart = 0;

    internal void OnBytesReceived(long count)
    {
        Interlocked.Add(ref _bytesReceived, count);
        Interlocked.Exchange(ref _lastActivityTicks, _timeProvider.GetUtcNow().UtcTicks);
        ListenerMetrics.Add(ListenerMetrics.BytesReceived, count, Options.Name);
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Arm(TimeSpan timeout, MllpConnectionCloseReason reason)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        _armedReason = reason;
        _armed = true;
        _deadline.CancelAfter(timeout);
    }

    private async Task RunAsync()
    {
        var reason = MllpConnectionCloseReason.PeerClosed;
        Stream? stream = null;
        PipeWriter? writer = null;
        try
        {
            _listener.ConfigureSocket(_socket);
            stream = new NetworkStream(_socket, ownsSocket: true);
            X509Certificate2? clientCertificate = null;
            if (_listener.Tls is { } tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                if (await AuthenticateAsync(ssl, tls.AuthenticationOptions).ConfigureAwait(false) is { } failure)
                {
                    reason = failure;
                    return;
                }

                clientCertificate = ssl.RemoteCertificate as X509Certificate2;
            }

            var reader = new ConnectionPipeReader(PipeReader.Create(stream, ReaderOptions), this);
            Interlocked.Exchange(ref _reader, reader);
            writer = PipeWriter.Create(stream, WriterOptions);
            reason = await ReadLoopAsync(reader, writer, clientCertificate).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            reason = Classify(exception);
        }
        finally
        {
            await CloseAsync(stream, writer).ConfigureAwait(false);
            _listener.OnConnectionClosed(this, reason, Interlocked.Read(ref _bytesReceived));
        }
    }

    private async ValueTask<MllpConnectionCloseReason?> AuthenticateAsync(SslStream ssl, SslServerAuthenticationOptions options)
    {
        Volatile.Write(ref _handshaking, 1);
        if (Volatile.Read(ref _stopRequested) == 1)
        {
            return MllpConnectionCloseReason.ListenerStopped;
        }

        Arm(Options.TlsHandshakeTimeout, MllpConnectionCloseReason.TlsHandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(options, _io.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception exception) when (exception is AuthenticationException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            var reason = Classify(exception);
            if (reason == MllpConnectionCloseReason.TransportError)
            {
                reason = MllpConnectionCloseReason.TlsHandshakeFailed;
                Log.TlsHandshakeFailed(Logger, Options.Name, Id, RemoteEndPoint, exception.GetType().Name, exception.Message);
            }

            return reason;
        }
        finally
        {
            DisarmDeadline();
            Volatile.Write(ref _handshaking, 0);
        }
    }

    private async Task<MllpConnectionCloseReason> ReadLoopAsync(ConnectionPipeReader reader, PipeWriter writer, X509Certificate2? clientCertificate)
    {
        var frameReader = new MllpFrameReader(reader, Options.Framing, Logger);
        var frameWriter = new MllpFrameWriter(writer);
        using var context = new MllpReceiveContext(Id, RemoteEndPoint, LocalEndPoint, Options.Name, clientCertificate);
        while (true)
        {
            if (Volatile.Read(ref _stopRequested) == 1)
            {
                return MllpConnectionCloseReason.ListenerStopped;
            }

            MllpReadResult read;
            try
            {
                read = await frameReader.ReadAsync(_io.Token).ConfigureAwait(false);
            }
            catch (MllpFramingException exception)
            {
                return OnFramingError(exception);
            }
            catch (Exception exception) when (exception is IOException or SocketException && reader.HasBufferedBytes)
            {
                // A reset in the middle of a frame (RELIABILITY A10): the partial frame is dropped, never delivered.
                return OnFramingError(new MllpTruncatedFrameException(reader.BufferedBytes, frameReader.BytesConsumed));
            }

            if (read.IsCanceled)
            {
                return MllpConnectionCloseReason.ListenerStopped;
            }

            if (read.IsCompleted)
            {
                return MllpConnectionCloseReason.PeerClosed;
            }

            // The frame is complete: the next frame's deadline starts with its own first byte.
            ClearFrameStart();
            var frame = read.Frame;
            if (frame.Kind != MllpFrameKind.Message)
            {
                Log.CommitBlockIgnored(Logger, Options.Name, Id, frame.Kind);
                continue;
            }

            if (Volatile.Read(ref _stopRequested) == 1)
            {
                // Read but not handled: it gets no response, so the sender will send it again.
                return MllpConnectionCloseReason.ListenerStopped;
            }

            if (await HandleAsync(frame.Payload, context, frameWriter).ConfigureAwait(false) is { } closeReason)
            {
                return closeReason;
            }

            frameReader.Advance();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<MllpConnectionCloseReason?> HandleAsync(ReadOnlySequence<byte> payload, MllpReceiveContext context, MllpFrameWriter frameWriter)
    {
        string name = Options.Name;
        long payloadBytes = payload.Length;
        context.Reset(payload, _timeProvider.GetUtcNow());
        ListenerMetrics.Add(ListenerMetrics.FramesReceived, 1, name);
        using var activity = ListenerMetrics.StartReceive(name, Id, RemoteEndPoint, LocalEndPoint, payloadBytes);
        try
        {
            await _listener.Handler.HandleAsync(context, _abort.Token).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            if (_drainExpired)
            {
                return MllpConnectionCloseReason.DrainTimeout;
            }

            // Whatever the handler wrote before it failed may be half done: it is discarded, never sent.
            bool wroteResponse = !context.WrittenResponse.IsEmpty;
            Log.HandlerFailed(Logger, name, Id, exception.GetType().FullName ?? exception.GetType().Name, payloadBytes, wroteResponse ? "discarding the response it wrote and closing the connection" : "closing the connection without a response");
            return MllpConnectionCloseReason.HandlerFailed;
        }

        if (_drainExpired)
        {
            // Aborted while stopping: whatever the handler decided, nothing more goes out.
            return MllpConnectionCloseReason.DrainTimeout;
        }

        // Counted before the response leaves, so a status read after the ACK arrived includes this message.
        Interlocked.Increment(ref _messagesHandled);
        _listener.OnMessageHandled();
        var response = context.WrittenResponse;
        if (!response.IsEmpty)
        {
            Arm(Options.ReadTimeout, MllpConnectionCloseReason.ReadTimeout);
            try
            {
                await frameWriter.WriteAsync(response, _io.Token).ConfigureAwait(false);
            }
            catch (ArgumentException)
            {
                // The handler wrote bytes that cannot be framed (0x0B or 0x1C): a handler bug, never sent half-framed.
                Log.HandlerFailed(Logger, name, Id, nameof(ArgumentException), payloadBytes, "its response cannot be framed; closing the connection");
                return MllpConnectionCloseReason.HandlerFailed;
            }
            finally
            {
                DisarmDeadline();
            }
        }

        Log.FrameHandled(Logger, name, Id, payloadBytes, response.Length);
        return context.CloseAfterResponse ? MllpConnectionCloseReason.ClosedByHandler : null;
    }

    private MllpConnectionCloseReason OnFramingError(MllpFramingException exception)
    {
        string name = Options.Name;
        Log.ConnectionFramingError(Logger, name, Id, RemoteEndPoint, exception.Violation, exception.Position);
        switch (exception)
        {
            case MllpFrameTooLargeException:
                ListenerMetrics.Add(ListenerMetrics.FramesOversized, 1, name);
                return MllpConnectionCloseReason.FrameTooLarge;
            case MllpTruncatedFrameException:
                ListenerMetrics.Add(ListenerMetrics.FramesTruncated, 1, name);
                return MllpConnectionCloseReason.FrameTruncated;
            default:
                return MllpConnectionCloseReason.FramingViolation;
        }
    }

    private MllpConnectionCloseReason Classify(Exception exception)
    {
        if (_drainExpired)
        {
            return MllpConnectionCloseReason.DrainTimeout;
        }

        if (Volatile.Read(ref _stopRequested) == 1)
        {
            return MllpConnectionCloseReason.ListenerStopped;
        }

        if (exception is OperationCanceledException && _deadline.IsCancellationRequested)
        {
            return _armedReason;
        }

        if (exception is not (IOException or SocketException or ObjectDisposedException or OperationCanceledException or AuthenticationException))
        {
            // Not the peer's doing: a bug worth an error, yet it still closes only this connection.
            Log.ConnectionFailed(Logger, Options.Name, Id, exception.GetType().FullName ?? exception.GetType().Name, exception);
        }

        return MllpConnectionCloseReason.TransportError;
    }

    private async ValueTask CloseAsync(Stream? stream, PipeWriter? writer)
    {
        Interlocked.Exchange(ref _reader, null)?.Complete();
        try
        {
            if (writer is not null)
            {
                await writer.CompleteAsync().ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The peer is gone; nothing is left to flush (every response was flushed when written).
        }

        try
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        _io.Dispose();
        _deadline.Dispose();
        _abort.Dispose();
    }
}
