using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Hl7Mllp.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hl7Mllp.Receiving;

/// <summary>
/// An MLLP server: accepts TCP (optionally TLS) connections on one or more endpoints and, per connection, reads MLLP
/// frames strictly in order, hands each message to an <see cref="IMllpMessageHandler"/> and sends back the response it
/// writes before reading the next frame.
/// </summary>
/// <remarks>
/// <para>
/// Faults close only the connection they happen on, and nothing a peer sends can stop the accept loop: a frame past
/// <c>MaxFrameBytes</c>, junk beyond the framing policy, a reset or close in the middle of a frame (the partial frame
/// is dropped, the handler is not called), idle, read, whole-frame and TLS handshake timeouts, a refused TLS handshake
/// or client certificate. A handler that throws without writing a response closes its connection and gets no response
/// sent; if it wrote a response before throwing, that response is sent and the connection goes on.
/// </para>
/// <para>
/// <see cref="StopAsync"/> stops accepting, closes idle connections, lets each connection finish the message in flight
/// (handler call and response) for up to <see cref="MllpListenerOptions.DrainTimeout"/>, then aborts the rest without
/// a response. A message read but not yet handed to the handler is never answered.
/// </para>
/// <para>Thread-safe. One listener is started once; create a new one to listen again.</para>
/// </remarks>
public sealed class MllpListener : IAsyncDisposable
{
    // Grace period after an abort for handlers that ignore their cancellation token.
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(1);
    private static long _nextConnectionId;

    private readonly IMllpMessageHandler _handler;
    private readonly TimeProvider _timeProvider;
    private readonly RemoteAddressFilter _addressFilter;
    private readonly ConcurrentDictionary<long, MllpListenerConnection> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<(bool Opened, MllpConnectionEvent Event)> _events;
    private readonly Lock _stateLock = new();

    private List<Socket> _listenSockets = [];
    private IReadOnlyList<IPEndPoint> _localEndPoints = [];
    private Task[] _acceptLoops = [];
    private Task _eventDispatcher = Task.CompletedTask;
    private Task? _stopTask;
    private ITimer? _deadlineTimer;
    private int _checkingDeadlines;
    private bool _started;
    private volatile bool _listening;
    private int _activeConnections;
    private long _connectionsAccepted;
    private long _connectionsRejected;
    private long _closedMessagesHandled;

    /// <summary>Creates a listener; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Endpoints, limits, timeouts, TLS. Validated here; do not change them afterwards.</param>
    /// <param name="handler">Called for every message; the receive pipeline, or application code. Must be thread-safe.</param>
    /// <param name="loggerFactory">Where logs go; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock of every timeout and timestamp; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="handler"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message lists every problem.</exception>
    public MllpListener(MllpListenerOptions options, IMllpMessageHandler handler, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        options.Validate();
        Options = options;
        _handler = handler;
        _timeProvider = timeProvider ?? TimeProvider.System;
        Logger = (ILogger?)loggerFactory?.CreateLogger<MllpListener>() ?? NullLogger.Instance;
        _addressFilter = new RemoteAddressFilter(options.AllowedRemoteAddresses);
        ConnectionThreads = new ConnectionThreads(options.DedicatedThreadConnections);
        _events = Channel.CreateBounded<(bool, MllpConnectionEvent)>(new BoundedChannelOptions(1024)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
    }

    /// <summary>Gets the listener's name (<see cref="MllpListenerOptions.Name"/>).</summary>
    public string Name => Options.Name;

    /// <summary>Gets whether the listener accepts connections: started and not stopping.</summary>
    public bool IsListening => _listening;

    /// <summary>Gets the bound endpoints, with the actual port where port 0 was asked for; empty before <see cref="StartAsync"/>.</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => _localEndPoints;

    /// <summary>Gets the first bound endpoint.</summary>
    /// <exception cref="InvalidOperationException">The listener has not been started.</exception>
    public IPEndPoint LocalEndPoint => _localEndPoints.Count > 0 ? _localEndPoints[0] : throw new InvalidOperationException("The listener has not been started.");

    /// <summary>
    /// Gets or sets a callback for every accepted connection. Called off the read loops, one event at a time, in order;
    /// an exception it throws is logged and ignored. Events beyond 1 024 waiting are dropped. Set it before
    /// <see cref="StartAsync"/>. Default: <see langword="null"/>.
    /// </summary>
    public Func<MllpConnectionEvent, CancellationToken, ValueTask>? ConnectionOpened { get; set; }

    /// <summary>
    /// Gets or sets a callback for every closed connection, and for every connection refused at once (connection limit,
    /// allow-list), with <see cref="MllpConnectionEvent.CloseReason"/> set. Delivered like <see cref="ConnectionOpened"/>.
    /// Default: <see langword="null"/>.
    /// </summary>
    public Func<MllpConnectionEvent, CancellationToken, ValueTask>? ConnectionClosed { get; set; }

    internal MllpListenerOptions Options { get; }

    /// <summary>Gets the threads plain-TCP connections run on (<see cref="MllpListenerOptions.DedicatedThreadConnections"/>).</summary>
    internal ConnectionThreads ConnectionThreads { get; }

    /// <summary>
    /// Gets whether a connection's own thread may poll for its next message (<see cref="MllpListenerOptions.ReceiveSpin"/>):
    /// no more connections are open than half the processors, so polling never takes a core that another connection needs.
    /// </summary>
    internal bool MaySpin => Volatile.Read(ref _activeConnections) <= SpinConnectionLimit;

    private static int SpinConnectionLimit { get; } = Math.Max(1, Environment.ProcessorCount / 2);

    internal ILogger Logger { get; }

    internal IMllpMessageHandler Handler => _handler;

    internal TlsServerSetup? Tls { get; private set; }

    internal MllpListenerDeadlines Deadlines { get; private set; } = null!;

    /// <summary>
    /// Loads the TLS certificate (if any), binds every endpoint and starts accepting connections. When it returns,
    /// <see cref="LocalEndPoints"/> holds the bound endpoints.
    /// </summary>
    /// <param name="cancellationToken">Checked before binding.</param>
    /// <returns>A task that completes when every endpoint is bound and listening.</returns>
    /// <exception cref="InvalidOperationException">The listener was already started.</exception>
    /// <exception cref="MllpException">An endpoint could not be bound (in use, no permission) or the certificate could not be loaded; nothing stays bound.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_stateLock)
        {
            if (_started)
            {
                throw new InvalidOperationException("The listener was already started; create a new one to listen again.");
            }

            _started = true;
        }

        try
        {
            Tls = Options.Tls is null ? null : new TlsServerSetup(Options.Tls);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new MllpException($"The TLS certificate of listener {Name} could not be loaded ({exception.GetType().Name}).", exception);
        }

        IEnumerable<IPEndPoint> endpoints = Options.Endpoints.Count > 0 ? Options.Endpoints : [new IPEndPoint(IPAddress.Any, MllpListenerOptions.DefaultPort)];
        var sockets = new List<Socket>();
        try
        {
            foreach (var endpoint in endpoints)
            {
                sockets.Add(Bind(endpoint));
            }
        }
        catch (SocketException exception)
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }

            Tls?.Dispose();
            throw new MllpException($"Listener {Name} could not bind its endpoints ({exception.SocketErrorCode}).", exception);
        }

        _listenSockets = sockets;
        _localEndPoints = [.. sockets.Select(socket => (IPEndPoint)socket.LocalEndPoint!)];
        Deadlines = new MllpListenerDeadlines(Options, Tls is not null, _timeProvider);
        if (Deadlines.Tick is { } tick)
        {
            _deadlineTimer = _timeProvider.CreateTimer(static state => ((MllpListener)state!).CheckDeadlines(), this, tick, tick);
        }

        _listening = true;
        _eventDispatcher = Task.Run(DispatchEventsAsync);
        _acceptLoops = [.. sockets.Select(socket => Task.Run(() => AcceptLoopAsync(socket)))];
        Log.ListenerStarted(Logger, Name, string.Join(", ", _localEndPoints), Tls is not null);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops the listener: stops accepting, closes connections waiting for bytes (a partial frame is dropped), lets each
    /// connection finish the message in flight for up to <see cref="MllpListenerOptions.DrainTimeout"/>, then aborts the
    /// rest without sending their response. Calling it again, or before start, is harmless.
    /// </summary>
    /// <param name="cancellationToken">Cuts the drain short: connections still busy are aborted at once.</param>
    /// <returns>A task that completes when every connection is closed (or, for a handler that ignores cancellation, about a second after the abort).</returns>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_stateLock)
        {
            if (!_started)
            {
                _started = true;
                _stopTask = Task.CompletedTask;
            }

            _stopTask ??= StopCoreAsync(cancellationToken);
            return _stopTask;
        }
    }

    /// <summary>Stops the listener as <see cref="StopAsync"/> does, with the configured drain time.</summary>
    /// <returns>A task that completes when the listener is stopped.</returns>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>Takes a snapshot of the listener: open connections and totals since start.</summary>
    /// <returns>The snapshot; later changes do not affect it.</returns>
    public MllpListenerStatus GetStatus()
    {
        var connections = _connections.Values.Select(connection => connection.GetStatus()).OrderBy(status => status.ConnectionId).ToArray();
        return new MllpListenerStatus(
            Name,
            _listening,
            _localEndPoints,
            connections,
            Interlocked.Read(ref _connectionsAccepted),
            Interlocked.Read(ref _connectionsRejected),
            MessagesHandled());
    }

    /// <summary>Messages handled since start: those of closed connections plus those of open ones (each connection counts its own, so no shared field is written per message).</summary>
    private long MessagesHandled()
    {
        long total = Interlocked.Read(ref _closedMessagesHandled);
        foreach (var pair in _connections)
        {
            total += pair.Value.MessagesHandled;
        }

        return total;
    }

    internal void ConfigureSocket(Socket socket)
    {
        SetOption(socket, "NoDelay", static (s, o) => s.NoDelay = o.NoDelay);
        if (!Options.KeepAlive)
        {
            return;
        }

        SetOption(socket, "KeepAlive", static (s, _) => s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true));
        SetOption(socket, "TcpKeepAliveTime", static (s, o) => s.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, (int)o.KeepAliveTime.TotalSeconds));
        SetOption(socket, "TcpKeepAliveInterval", static (s, o) => s.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, (int)o.KeepAliveInterval.TotalSeconds));
        SetOption(socket, "TcpKeepAliveRetryCount", static (s, o) => s.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, o.KeepAliveProbeCount));
    }

    internal void OnConnectionClosed(MllpListenerConnection connection, MllpConnectionCloseReason reason, long bytesReceived)
    {
        // Counted in the total before the connection leaves the list: a status read meanwhile may count it twice, never miss it.
        Interlocked.Add(ref _closedMessagesHandled, connection.MessagesHandled);
        _connections.TryRemove(connection.Id, out _);
        Interlocked.Decrement(ref _activeConnections);
        ListenerMetrics.Add(ListenerMetrics.ActiveConnections, -1, Name);
        if (TimeoutTag(reason) is { } tag)
        {
            ListenerMetrics.AddWithReason(ListenerMetrics.Timeouts, Name, tag);
            Log.ConnectionTimedOut(Logger, Name, connection.Id, connection.RemoteEndPoint, reason);
        }

        Log.ConnectionClosed(Logger, ConnectionLogLevel, Name, connection.Id, connection.RemoteEndPoint, reason, connection.MessagesHandled, bytesReceived);
        Raise(opened: false, connection.Id, connection.RemoteEndPoint, connection.LocalEndPoint, connection.ConnectedAt, reason, connection.MessagesHandled);
    }

    /// <summary>One tick of the deadline timer: every connection past the deadline of its current wait is shut down.</summary>
    private void CheckDeadlines()
    {
        // A tick that overruns the period is not run twice at once.
        if (Interlocked.Exchange(ref _checkingDeadlines, 1) == 1)
        {
            return;
        }

        try
        {
            long now = _timeProvider.GetTimestamp();
            foreach (var pair in _connections)
            {
                pair.Value.CheckDeadline(now);
            }
        }
        finally
        {
            Volatile.Write(ref _checkingDeadlines, 0);
        }
    }

    private LogLevel ConnectionLogLevel => Options.LogConnectionInfo ? LogLevel.Information : LogLevel.Debug;

    private static string? TimeoutTag(MllpConnectionCloseReason reason) => reason switch
    {
        MllpConnectionCloseReason.IdleTimeout => "idle",
        MllpConnectionCloseReason.ReadTimeout => "read",
        MllpConnectionCloseReason.FrameTimeout => "frame",
        MllpConnectionCloseReason.TlsHandshakeTimeout => "tls_handshake",
        _ => null,
    };

    private static bool IsTransient(SocketError error) => error is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable;

    private Socket Bind(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endpoint);
            socket.Listen(Options.ListenBacklog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync(Socket listenSocket)
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listenSocket.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // Nothing a peer does may end this loop (hapi #11): log, back off a little when out of descriptors, go on.
                var error = exception is SocketException socketException ? socketException.SocketErrorCode : SocketError.SocketError;
                Log.AcceptFailed(Logger, Name, listenSocket.LocalEndPoint, error.ToString(), exception);
                bool transient = exception is not SocketException || IsTransient(error);
                if (transient && !await BackOffAsync(stopping).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            try
            {
                Admit(accepted);
            }
            catch (Exception exception)
            {
                // A connection that cannot even be set up is dropped; the loop goes on.
                Log.AcceptFailed(Logger, Name, listenSocket.LocalEndPoint, exception.GetType().Name, exception);
                accepted.Dispose();
            }
        }
    }

    private async Task<bool> BackOffAsync(CancellationToken stopping)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), _timeProvider, stopping).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Admit(Socket socket)
    {
        long id = Interlocked.Increment(ref _nextConnectionId);
        EndPoint? remote;
        EndPoint? local;
        try
        {
            remote = socket.RemoteEndPoint;
            local = socket.LocalEndPoint;
            if (!_addressFilter.IsAllowed((remote as IPEndPoint)?.Address))
            {
                Log.RemoteAddressNotAllowed(Logger, Name, remote);
                Reject(socket, id, remote, local, MllpConnectionCloseReason.AddressNotAllowed, "address_not_allowed");
                return;
            }

            if (Interlocked.Increment(ref _activeConnections) > Options.MaxConnections)
            {
                Interlocked.Decrement(ref _activeConnections);
                Log.ConnectionLimitReached(Logger, Name, remote, Options.MaxConnections);
                Reject(socket, id, remote, local, MllpConnectionCloseReason.ConnectionLimit, "connection_limit");
                return;
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // The peer reset the connection before it could be looked at.
            socket.Dispose();
            return;
        }

        var connection = new MllpListenerConnection(this, socket, id, remote, local, _timeProvider);
        _connections[id] = connection;
        Interlocked.Increment(ref _connectionsAccepted);
        ListenerMetrics.Add(ListenerMetrics.ActiveConnections, 1, Name);
        Log.ConnectionOpened(Logger, ConnectionLogLevel, Name, id, remote);
        Raise(opened: true, id, remote, local, connection.ConnectedAt, closeReason: null, messagesHandled: 0);
        connection.Start();
    }

    private void Reject(Socket socket, long id, EndPoint? remote, EndPoint? local, MllpConnectionCloseReason reason, string tag)
    {
        Interlocked.Increment(ref _connectionsRejected);
        ListenerMetrics.AddWithReason(ListenerMetrics.RejectedConnections, Name, tag);
        try
        {
            // A reset, not a graceful close: the refused peer learns at once and no TIME_WAIT is left here.
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }
        finally
        {
            socket.Dispose();
        }

        Raise(opened: false, id, remote, local, _timeProvider.GetUtcNow(), reason, messagesHandled: 0);
    }

    private void SetOption(Socket socket, string name, Action<Socket, MllpListenerOptions> set)
    {
        try
        {
            set(socket, Options);
        }
        catch (Exception exception) when (exception is SocketException or PlatformNotSupportedException)
        {
            Log.SocketOptionFailed(Logger, Name, name, exception is SocketException socketException ? socketException.SocketErrorCode.ToString() : "not supported");
        }
    }

    private void Raise(bool opened, long id, EndPoint? remote, EndPoint? local, DateTimeOffset connectedAt, MllpConnectionCloseReason? closeReason, long messagesHandled)
    {
        if ((opened ? ConnectionOpened : ConnectionClosed) is null)
        {
            return;
        }

        _events.Writer.TryWrite((opened, new MllpConnectionEvent(Name, id, remote, local, connectedAt, closeReason, messagesHandled)));
    }

    private async Task DispatchEventsAsync()
    {
        await foreach (var (opened, connectionEvent) in _events.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            var callback = opened ? ConnectionOpened : ConnectionClosed;
            if (callback is null)
            {
                continue;
            }

            try
            {
                await callback(connectionEvent, _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                Log.ConnectionEventCallbackFailed(Logger, Name, exception.GetType().Name, exception);
            }
        }
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        _listening = false;
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var socket in _listenSockets)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);

        // No connection is admitted any more: this snapshot is complete.
        var connections = _connections.Values.ToArray();
        Log.ListenerStopping(Logger, Name, connections.Length, Options.DrainTimeout);
        foreach (var connection in connections)
        {
            connection.RequestStop();
        }

        var all = Task.WhenAll(connections.Select(connection => connection.Completion));
        try
        {
            await all.WaitAsync(Options.DrainTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
            var busy = connections.Where(connection => !connection.Completion.IsCompleted).ToArray();
            Log.DrainTimedOut(Logger, Name, busy.Length, Options.DrainTimeout);
            foreach (var connection in busy)
            {
                connection.Abort();
            }

            await WaitQuietlyAsync(all).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // A connection's close threw (a throwing logger or callback): every connection has still ended, and the stop
            // must still end the connection threads, the event dispatcher and the TLS setup below.
            Log.StopConnectionFaulted(Logger, Name, exception.GetType().FullName ?? exception.GetType().Name, exception);
        }

        if (_deadlineTimer is not null)
        {
            await _deadlineTimer.DisposeAsync().ConfigureAwait(false);
        }

        // The waiting connection threads end now, the busy ones (aborted handlers still running) when they are done.
        ConnectionThreads.Stop();
        _events.Writer.TryComplete();
        await WaitQuietlyAsync(_eventDispatcher).ConfigureAwait(false);
        Tls?.Dispose();
        Log.ListenerStopped(Logger, Name, MessagesHandled());
    }

    private async Task WaitQuietlyAsync(Task task)
    {
        try
        {
            await task.WaitAsync(AbortGrace, _timeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A handler or event callback that ignores cancellation is left behind rather than hanging the stop.
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Faulted, not hung: what failed was logged where it failed, or is a connection's close (see StopCoreAsync).
            Log.StopConnectionFaulted(Logger, Name, exception.GetType().FullName ?? exception.GetType().Name, exception);
        }
    }
}
