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
/// <para>
/// Plain TCP reads straight from the socket (<see cref="MllpListenerSocketReader"/>) and sends each response with one
/// socket send; TLS goes through <see cref="SslStream"/> and stream pipes. Every wait on the peer (TLS handshake, idle,
/// per-read, whole-frame, response write) records a deadline that the listener's timer enforces (see
/// <c>MllpListenerConnection.Deadlines.cs</c>). Nothing the peer does can throw out of <see cref="RunAsync"/>.
/// </para>
/// <para>
/// Up to <see cref="MllpListenerOptions.DedicatedThreadConnections"/> plain-TCP connections run on a thread of their
/// own (<see cref="HasOwnThread"/>, one of the listener's <see cref="ConnectionThreads"/>, reused after a connection
/// closes): every receive and send blocks that thread, and a handler that does not finish at
/// once is waited for on it, so the loop never reaches a pool thread. No asynchronous operation ever touches such a
/// socket (it stays blocking); a deadline, stop or abort that must wake the thread closes the socket under it. The
/// other connections run on the thread pool with asynchronous socket calls.
/// </para>
/// </remarks>
internal sealed partial class MllpListenerConnection
{
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true);
    private static readonly StreamPipeWriterOptions WriterOptions = new(minimumBufferSize: 4096, leaveOpen: true);

    private readonly MllpListener _listener;
    private readonly Socket _socket;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _abort = new();
    private readonly Task[] _handlerWait = new Task[1];

    private long _frameStart;
    private long _lastActivity;
    private long _bytesReceived;
    private long _messagesHandled;
    private int _stopRequested;
    private volatile bool _drainExpired;
    private MllpFrameWriter? _streamWriter;
    private ArrayBufferWriter<byte>? _sendBuffer;

    public MllpListenerConnection(MllpListener listener, Socket socket, long id, EndPoint? remoteEndPoint, EndPoint? localEndPoint, TimeProvider timeProvider)
    {
        _listener = listener;
        _socket = socket;
        _timeProvider = timeProvider;
        Id = id;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
        ConnectedAt = timeProvider.GetUtcNow();
        _lastActivity = timeProvider.GetTimestamp();
    }

    public long Id { get; }

    public EndPoint? RemoteEndPoint { get; }

    public EndPoint? LocalEndPoint { get; }

    public DateTimeOffset ConnectedAt { get; }

    public Task Completion { get; private set; } = Task.CompletedTask;

    public long MessagesHandled => Volatile.Read(ref _messagesHandled);

    private MllpListenerOptions Options => _listener.Options;

    private ILogger Logger => _listener.Logger;

    public MllpConnectionStatus GetStatus() => new(
        Id,
        RemoteEndPoint,
        LocalEndPoint,
        ConnectedAt,
        _timeProvider.GetUtcNow() - _timeProvider.GetElapsedTime(Volatile.Read(ref _lastActivity)),
        MessagesHandled,
        Volatile.Read(ref _bytesReceived),
        _listener.Tls is not null);

    /// <summary>Gets whether the connection runs on a thread of its own that blocks on the socket (plain TCP only).</summary>
    public bool HasOwnThread { get; private set; }

    /// <summary>
    /// Starts the read loop: on a thread of its own when the listener has one free for a plain-TCP connection
    /// (<see cref="MllpListenerOptions.DedicatedThreadConnections"/>), otherwise on the thread pool.
    /// </summary>
    public void Start()
    {
        if (_listener.Tls is null)
        {
            // Every receive and send then blocks that thread, and it waits for a handler that does not finish at once,
            // so the loop never leaves it (a blocking receive must never run on a pool thread).
            HasOwnThread = true;
            var started = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);

            // The loop runs in the accept loop's context (Activity, logging scopes), as Task.Run gives the pool path.
            var context = ExecutionContext.Capture();
            if (_listener.ConnectionThreads.TryRun(() => RunWithin(context, started)))
            {
                Completion = started.Task.Unwrap();
                return;
            }

            // Every connection thread is busy (or none could be started): this connection shares the pool.
            HasOwnThread = false;
        }

        Completion = Task.Run(RunAsync);
    }

    private void RunWithin(ExecutionContext? context, TaskCompletionSource<Task> started)
    {
        if (context is null)
        {
            started.TrySetResult(RunAsync());
            return;
        }

        ExecutionContext.Run(context, static state =>
        {
            var (connection, started) = ((MllpListenerConnection, TaskCompletionSource<Task>))state!;
            started.TrySetResult(connection.RunAsync());
        }, (this, started));
    }

    /// <summary>Stops reading: a connection waiting for bytes closes now; one in its handler finishes that message first.</summary>
    public void RequestStop()
    {
        Interlocked.Exchange(ref _stopRequested, 1);
        InterruptWaitForPeer();
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
        // Written by the read loop only, read by status snapshots: no interlocked update needed.
        long now = _timeProvider.GetTimestamp();
        if (_frameStart == 0)
        {
            _frameStart = now;
        }

        Volatile.Write(ref _lastActivity, now);
        Volatile.Write(ref _bytesReceived, _bytesReceived + count);
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

    private async Task RunAsync()
    {
        var reason = MllpConnectionCloseReason.PeerClosed;
        Stream? stream = null;
        PipeWriter? writer = null;
        ConnectionPipeReader? reader = null;
        try
        {
            _listener.ConfigureSocket(_socket);
            X509Certificate2? clientCertificate = null;
            PipeReader input;
            if (_listener.Tls is { } tls)
            {
                var ssl = new SslStream(new NetworkStream(_socket, ownsSocket: false), leaveInnerStreamOpen: false);
                stream = ssl;
                if (await AuthenticateAsync(ssl, tls.AuthenticationOptions).ConfigureAwait(false) is { } failure)
                {
                    reason = failure;
                    return;
                }

                clientCertificate = ssl.RemoteCertificate as X509Certificate2;
                input = PipeReader.Create(ssl, ReaderOptions);
                writer = PipeWriter.Create(ssl, WriterOptions);
                _streamWriter = new MllpFrameWriter(writer);
            }
            else
            {
                // Enough for the largest frame the parser accepts (start block, payload, end block, CR).
                input = HasOwnThread
                    ? new MllpListenerSocketReader(_socket, Options.Framing.MaxFrameBytes + MllpFrame.Overhead, Options.ReceiveSpin, () => _listener.MaySpin)
                    : new MllpListenerSocketReader(_socket, Options.Framing.MaxFrameBytes + MllpFrame.Overhead);
            }

            reader = new ConnectionPipeReader(input, this);
            reason = await ReadLoopAsync(reader, clientCertificate).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            reason = Classify(exception);
        }
        finally
        {
            await CloseAsync(reader, stream, writer).ConfigureAwait(false);
            _listener.OnConnectionClosed(this, reason, Volatile.Read(ref _bytesReceived));
        }
    }

    private async ValueTask<MllpConnectionCloseReason?> AuthenticateAsync(SslStream ssl, SslServerAuthenticationOptions options)
    {
        if (Volatile.Read(ref _stopRequested) == 1)
        {
            return MllpConnectionCloseReason.ListenerStopped;
        }

        BeginWait(_listener.Deadlines.TlsHandshake, MllpConnectionCloseReason.TlsHandshakeTimeout, waitingForPeer: true);
        try
        {
            await ssl.AuthenticateAsServerAsync(options, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is AuthenticationException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            EndWait();
            var reason = Classify(exception);
            if (reason == MllpConnectionCloseReason.TransportError)
            {
                reason = MllpConnectionCloseReason.TlsHandshakeFailed;
                Log.TlsHandshakeFailed(Logger, Options.Name, Id, RemoteEndPoint, exception.GetType().Name, exception.Message);
            }

            return reason;
        }

        // Finished as the deadline passed (the socket is being shut down), or a stop came during the handshake.
        return EndWait() ? Classify(new OperationCanceledException()) : null;
    }

    private async Task<MllpConnectionCloseReason> ReadLoopAsync(ConnectionPipeReader reader, X509Certificate2? clientCertificate)
    {
        var frameReader = new MllpFrameReader(reader, Options.Framing, Logger);
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
                read = await frameReader.ReadAsync().ConfigureAwait(false);
            }
            catch (MllpFrameTooLargeException exception)
            {
                return await OnFrameTooLargeAsync(exception).ConfigureAwait(false);
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

            if (await HandleAsync(frame.Payload, context).ConfigureAwait(false) is { } closeReason)
            {
                return closeReason;
            }

            frameReader.Advance();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<MllpConnectionCloseReason?> HandleAsync(ReadOnlySequence<byte> payload, MllpReceiveContext context)
    {
        string name = Options.Name;
        long payloadBytes = payload.Length;
        context.Reset(payload, _timeProvider.GetUtcNow());
        ListenerMetrics.Add(ListenerMetrics.FramesReceived, 1, name);
        using var activity = ListenerMetrics.StartReceive(name, Id, RemoteEndPoint, LocalEndPoint, payloadBytes);
        try
        {
            var handling = _listener.Handler.HandleAsync(context, _abort.Token);
            if (HasOwnThread && !handling.IsCompleted)
            {
                handling = WaitOnOwnThread(handling.AsTask());
            }

            await handling.ConfigureAwait(false);
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
        Volatile.Write(ref _messagesHandled, _messagesHandled + 1);
        var response = context.WrittenResponse;

        // The message is handled: the idle timeout counts from here (read before the ACK leaves, so a peer that reacts
        // to the ACK never sees a later start), not from the message's arrival, which a slow handler would eat into.
        Volatile.Write(ref _lastActivity, _timeProvider.GetTimestamp());
        if (!response.IsEmpty)
        {
            try
            {
                await SendAsync(response).ConfigureAwait(false);
            }
            catch (ArgumentException)
            {
                // The handler wrote bytes that cannot be framed (0x0B or 0x1C): a handler bug, never sent half-framed.
                Log.HandlerFailed(Logger, name, Id, nameof(ArgumentException), payloadBytes, "its response cannot be framed; closing the connection");
                return MllpConnectionCloseReason.HandlerFailed;
            }
        }

        Log.FrameHandled(Logger, name, Id, payloadBytes, response.Length);
        return context.CloseAfterResponse ? MllpConnectionCloseReason.ClosedByHandler : null;
    }

    /// <summary>
    /// Waits on the connection's own thread for a handler that did not finish at once (a store's flush, an asynchronous
    /// handler), so the loop, and its next blocking receive, stays on that thread. It is not a pool thread: waiting
    /// starves nothing. An abort ends the wait and lets the thread go, but the handler may ignore its token: the task
    /// is then awaited like a pool connection's, so the payload and the context stay the handler's until it returns.
    /// </summary>
    /// <param name="handling">The handler's task.</param>
    /// <returns>The handler's task, completed unless the connection was aborted.</returns>
    private ValueTask WaitOnOwnThread(Task handling)
    {
        // WaitAny, not Wait: a faulted handler is for the caller's await to rethrow. Its one-task array is the
        // connection's, so a store's flush per message allocates no array.
        _handlerWait[0] = handling;
        try
        {
            Task.WaitAny(_handlerWait, _abort.Token);
        }
        catch (OperationCanceledException)
        {
            // Aborted: the caller's await leaves this thread, and the connection closes once the handler returns.
        }
        finally
        {
            _handlerWait[0] = null!;
        }

        return new ValueTask(handling);
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

        if (_timedOut is { } timedOut)
        {
            return timedOut;
        }

        if (exception is not (IOException or SocketException or ObjectDisposedException or OperationCanceledException or AuthenticationException))
        {
            // Not the peer's doing: a bug worth an error, yet it still closes only this connection.
            Log.ConnectionFailed(Logger, Options.Name, Id, exception.GetType().FullName ?? exception.GetType().Name, exception);
        }

        return MllpConnectionCloseReason.TransportError;
    }

    /// <summary>Frames the response and sends it: one socket send on plain TCP, the frame writer over TLS.</summary>
    private ValueTask SendAsync(ReadOnlyMemory<byte> response)
    {
        if (_streamWriter is { } streamWriter)
        {
            return WaitForWriteAsync(streamWriter.WriteAsync(response));
        }

        var buffer = _sendBuffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        MllpFrame.Write(buffer, response.Span);
        return SendFrameAsync(buffer.WrittenMemory);
    }

    private ValueTask SendFrameAsync(ReadOnlyMemory<byte> frame)
    {
        if (HasOwnThread)
        {
            SendBlocking(frame.Span);
            return ValueTask.CompletedTask;
        }

        // A stream socket sends everything before the send completes; the loop only guards against a short send.
        while (true)
        {
            var send = _socket.SendAsync(frame, SocketFlags.None);
            if (!send.IsCompletedSuccessfully)
            {
                return WaitForSendAsync(send, frame);
            }

            frame = frame[send.Result..];
            if (frame.IsEmpty)
            {
                return ValueTask.CompletedTask;
            }
        }
    }

    /// <summary>Sends on the connection's own thread, blocking it until the kernel took every byte, within the write deadline.</summary>
    private void SendBlocking(ReadOnlySpan<byte> frame)
    {
        BeginWait(_listener.Deadlines.Read, MllpConnectionCloseReason.ReadTimeout, waitingForPeer: false);
        try
        {
            while (!frame.IsEmpty)
            {
                frame = frame[_socket.Send(frame, SocketFlags.None)..];
            }
        }
        catch
        {
            ThrowIfWaitInterrupted();
            throw;
        }

        ThrowIfWaitInterrupted();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WaitForSendAsync(ValueTask<int> send, ReadOnlyMemory<byte> frame)
    {
        int sent = await WaitForWriteAsync(send).ConfigureAwait(false);
        if (sent < frame.Length)
        {
            await SendFrameAsync(frame[sent..]).ConfigureAwait(false);
        }
    }

    private async Task CloseAsync(ConnectionPipeReader? reader, Stream? stream, PipeWriter? writer)
    {
        reader?.Complete();
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
        _abort.Dispose();
    }
}
