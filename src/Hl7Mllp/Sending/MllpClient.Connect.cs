using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Hl7Mllp.Diagnostics;

namespace Hl7Mllp.Sending;

public sealed partial class MllpClient
{
    private X509Certificate2? _clientCertificate;

    /// <summary>Benchmarks and unit tests: opens an in-memory stream instead of a socket (no TLS, no keep-alive).</summary>
    internal Func<CancellationToken, ValueTask<Stream>>? StreamFactory { get; set; }
    private X509Certificate2Collection? _trustedRoots;

    /// <summary>
    /// Opens the connection now, through the retry pipeline, instead of at the first send. Does nothing when a
    /// connection that looks fit is already open. Optional.
    /// </summary>
    /// <param name="cancellationToken">Cancels the attempt and the backoff.</param>
    /// <returns>A task that completes when connected.</returns>
    /// <exception cref="MllpConnectionException">Every attempt the retry pipeline allowed failed; <see cref="MllpConnectionException.Attempt"/> is the last one.</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public async ValueTask ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _retry.ExecuteAsync(
                static async (client, token) => await client.EnsureConnectedAsync(token).ConfigureAwait(false),
                this,
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Closes the connection once the send in flight (and the sends queued before this call) has finished; the next
    /// send or <see cref="ConnectAsync"/> connects again. Lets a caller hold one connection for a stretch of work (a
    /// poll of a message source) and drop it after. Does nothing when no connection is open.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for the sends ahead; the connection is then left as it is.</param>
    /// <returns>A task that completes when the connection is closed.</returns>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public async ValueTask DisconnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CloseConnectionAsync("disconnected by the caller", error: null).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// A transmitter's poll cycle on a client without <see cref="MllpClientOptions.PersistentConnection"/>: the connection
    /// opened by the cycle's first send stays open for the rest of the cycle (instead of closing after each send) and
    /// closes at <see cref="EndConnectionHoldAsync"/>, so a poll that finds messages costs one connection (seed 002: "a
    /// connection will be made only when there are messages to be transmitted and disconnected immediately afterwards").
    /// Nothing changes for a persistent client.
    /// </summary>
    internal void BeginConnectionHold() => _holdingConnection = !_persistent;

    /// <summary>Ends <see cref="BeginConnectionHold"/>: closes the held connection once the send in flight is done.</summary>
    internal ValueTask EndConnectionHoldAsync()
    {
        if (!_holdingConnection)
        {
            return ValueTask.CompletedTask;
        }

        _holdingConnection = false;
        return DisconnectAsync(CancellationToken.None);
    }

    /// <summary>Returns an open connection fit for a message, renewing a dead idle one (C5). Caller holds the send lock.</summary>
    private ValueTask<MllpClientConnection> EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = _connection;
        if (connection is not null && connection.IsFitForSend())
        {
            return new ValueTask<MllpClientConnection>(connection);
        }

        return RenewAsync(connection, cancellationToken);
    }

    private async ValueTask<MllpClientConnection> RenewAsync(MllpClientConnection? dead, CancellationToken cancellationToken)
    {
        if (dead is not null)
        {
            Log.DeadConnectionRenewed(_logger, _endPoint);
            await CloseConnectionAsync("renewed before a send: closed by the peer or out of step", error: null).ConfigureAwait(false);
        }

        return await ConnectOnceAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One connection attempt: TCP connect and, with TLS, the handshake, under the connect timeout.</summary>
    private async ValueTask<MllpClientConnection> ConnectOnceAsync(CancellationToken cancellationToken)
    {
        SetState(MllpClientState.Connecting);
        Log.Connecting(_logger, _endPoint);
        Raise(MllpClientEventKind.Connecting, null, null, null, null);
        var startedAt = _timeProvider.GetUtcNow();
        long started = _timeProvider.GetTimestamp();
        if (_everConnected)
        {
            MllpClientMetrics.RecordReconnect(_host);
        }

        if (StreamFactory is not null)
        {
            return ConnectInMemory(await StreamFactory(cancellationToken).ConfigureAwait(false), startedAt);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        using var timeout = new CancellationTokenSource(_connectTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            ConfigureKeepAlive(socket);
            if (_lowLatencyAckWaitMicroseconds > 0 && _tls is null)
            {
                await ConnectBlockingAsync(socket, linked.Token).ConfigureAwait(false);
            }
            else
            {
                await socket.ConnectAsync(_host, _port, linked.Token).ConfigureAwait(false);
            }

            stream = _lowLatencyAckWaitMicroseconds > 0 && _tls is null
                ? new MllpLowLatencyStream(socket, TimeSpan.FromMicroseconds(_lowLatencyAckWaitMicroseconds), _ackTimeout)
                : new NetworkStream(socket, ownsSocket: true);
            SslProtocols? protocol = null;
            TlsCipherSuite? cipher = null;
            if (_tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(CreateSslOptions(), linked.Token).ConfigureAwait(false);
                protocol = ssl.SslProtocol;
                cipher = ssl.NegotiatedCipherSuite;
            }

            var elapsed = _timeProvider.GetElapsedTime(started);
            var attempt = new MllpConnectionAttempt(startedAt, _endPoint, socket.RemoteEndPoint?.ToString(), MllpConnectionOutcome.Connected, null, protocol, cipher, elapsed);
            return OnConnected(new MllpClientConnection(socket, stream, _framing, _logger, _timeProvider), attempt);
        }
        catch (Exception exception) when (exception is SocketException or IOException or AuthenticationException or OperationCanceledException or ObjectDisposedException)
        {
            if (stream is not null)
            {
                await DisposeQuietlyAsync(stream).ConfigureAwait(false);
            }

            socket.Dispose();
            SetState(MllpClientState.Disconnected);
            var outcome = Classify(exception, timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested);
            var elapsed = _timeProvider.GetElapsedTime(started);
            string error = outcome == MllpConnectionOutcome.TimedOut
                ? $"No connection within {_connectTimeout.TotalSeconds:0.###} s."
                : exception.Message;
            var attempt = new MllpConnectionAttempt(startedAt, _endPoint, null, outcome, error, null, null, elapsed);
            RecordAttempt(attempt);
            if (outcome == MllpConnectionOutcome.Canceled)
            {
                throw;
            }

            MllpClientMetrics.RecordError(_host, "connect");
            Log.ConnectFailed(_logger, ErrorLevel(), _endPoint, outcome, elapsed.TotalMilliseconds, error);
            Raise(MllpClientEventKind.Disconnected, null, null, null, error);
            throw new MllpConnectionException($"Could not connect to {_endPoint} ({outcome}): {error}", _endPoint, attempt, exception);
        }
    }

    private MllpClientConnection ConnectInMemory(Stream stream, DateTimeOffset startedAt) => OnConnected(
        new MllpClientConnection(null, stream, _framing, _logger, _timeProvider),
        new MllpConnectionAttempt(startedAt, _endPoint, "memory", MllpConnectionOutcome.Connected, null, null, null, TimeSpan.Zero));

    private MllpClientConnection OnConnected(MllpClientConnection connection, MllpConnectionAttempt attempt)
    {
        RecordAttempt(attempt);
        Log.Connected(_logger, _endPoint, attempt.RemoteAddress, attempt.Duration.TotalMilliseconds, TlsText(attempt.TlsProtocol), CipherText(attempt.CipherSuite));
        _connection = connection;
        _everConnected = true;
        SetState(MllpClientState.Connected);
        Raise(MllpClientEventKind.Connected, null, null, null, null);
        ScheduleMaintenance();
        return connection;
    }

    /// <summary>
    /// Low-latency mode connects with a blocking call on a pool thread: an asynchronous connect would register the
    /// socket with the runtime's event loop (see <see cref="MllpLowLatencyStream"/>). The deadline disposes the socket.
    /// </summary>
    private async Task ConnectBlockingAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var abort = cancellationToken.Register(static state => ((Socket)state!).Dispose(), socket);
        try
        {
            await Task.Run(() => socket.Connect(_host, _port), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The connection attempt was canceled.", exception, cancellationToken);
        }
    }

    private static MllpConnectionOutcome Classify(Exception exception, bool timedOut)
    {
        if (timedOut)
        {
            return MllpConnectionOutcome.TimedOut;
        }

        return exception switch
        {
            OperationCanceledException => MllpConnectionOutcome.Canceled,
            AuthenticationException => MllpConnectionOutcome.TlsFailed,
            SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } => MllpConnectionOutcome.HostNotFound,
            SocketException { SocketErrorCode: SocketError.ConnectionRefused } => MllpConnectionOutcome.Refused,
            SocketException { SocketErrorCode: SocketError.TimedOut } => MllpConnectionOutcome.TimedOut,
            IOException { InnerException: AuthenticationException } => MllpConnectionOutcome.TlsFailed,
            _ => MllpConnectionOutcome.Failed,
        };
    }

    private void ConfigureKeepAlive(Socket socket)
    {
        if (!_keepAlive.Enabled)
        {
            return;
        }

        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, (int)_keepAlive.Time.TotalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, (int)_keepAlive.Interval.TotalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, _keepAlive.RetryCount);
    }

    private SslClientAuthenticationOptions CreateSslOptions()
    {
        Debug.Assert(_tls is not null, "TLS options are set when TLS is on.");
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = string.IsNullOrWhiteSpace(_tls.TargetHost) ? _host : _tls.TargetHost,
            EnabledSslProtocols = _tls.EnabledProtocols,
            CertificateRevocationCheckMode = _tls.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck,
        };

        var clientCertificate = LoadClientCertificate();
        if (clientCertificate is not null)
        {
            options.ClientCertificateContext = SslStreamCertificateContext.Create(clientCertificate, additionalCertificates: null, offline: true);
        }

        if (_pin is not null)
        {
            // The pin replaces chain and name validation: the receiver is trusted exactly when its certificate is this one.
            var pin = _pin;
            options.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && pin.Matches(certificate);
            return options;
        }

        var roots = LoadTrustedRoots();
        if (roots is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = options.CertificateRevocationCheckMode,
            };
            policy.CustomTrustStore.AddRange(roots);
            options.CertificateChainPolicy = policy;
        }

        return options;
    }

    private X509Certificate2? LoadClientCertificate()
    {
        Debug.Assert(_tls is not null, "TLS options are set when TLS is on.");
        if (_clientCertificate is not null || _tls.ClientCertificate is not null)
        {
            return _clientCertificate ??= _tls.ClientCertificate;
        }

        if (_tls.ClientCertificatePath is null)
        {
            return null;
        }

        string path = _tls.ClientCertificatePath;
        bool isPfx = path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
        _clientCertificate = isPfx
            ? MllpClientCertificates.ImportPfx(path, _tls.ClientCertificatePassword)
            : MllpClientCertificates.ImportPem(path, _tls.ClientKeyPath, _tls.ClientCertificatePassword);
        return _clientCertificate;
    }

    private X509Certificate2Collection? LoadTrustedRoots()
    {
        Debug.Assert(_tls is not null, "TLS options are set when TLS is on.");
        if (_trustedRoots is not null || (_tls.TrustedRoots is null && _tls.TrustedRootsPath is null))
        {
            return _trustedRoots;
        }

        var roots = new X509Certificate2Collection();
        if (_tls.TrustedRoots is not null)
        {
            roots.AddRange(_tls.TrustedRoots);
        }

        if (_tls.TrustedRootsPath is not null)
        {
            roots.ImportFromPemFile(_tls.TrustedRootsPath);
        }

        return _trustedRoots = roots;
    }

    private async ValueTask CloseConnectionAsync(string reason, string? error)
    {
        var connection = Interlocked.Exchange(ref _connection, null);
        if (connection is null)
        {
            return;
        }

        SetState(MllpClientState.Disconnected);
        Log.Disconnected(_logger, _endPoint, reason);
        Raise(MllpClientEventKind.Disconnected, null, null, null, error ?? reason);
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    private static async ValueTask DisposeQuietlyAsync(Stream stream)
    {
        try
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
    }
}
