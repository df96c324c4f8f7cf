using System.Net.Security;
using System.Security.Authentication;
using Hl7Mllp.Acks;
using Hl7Mllp.Framing;
using Hl7Mllp.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace Hl7Mllp.Sending;

/// <summary>
/// Sends HL7 v2 messages over MLLP to one receiver and returns each ACK's outcome (seed 000, the HL7 Outbound
/// device). Exactly one message is in flight per connection; concurrent callers queue in arrival order.
/// </summary>
/// <remarks>
/// <para>
/// The constructor does no I/O. <see cref="SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/> connects on
/// demand; <see cref="ConnectAsync"/> connects ahead of time. A persistent connection (the default) is kept open
/// between sends; a connection found closed by the peer while idle is renewed before the next send without counting
/// as a failure (RELIABILITY C5).
/// </para>
/// <para>
/// Outcomes: every reply that is an ACK for the message sent is returned as an <see cref="MllpSendResult"/>
/// (<see cref="MllpSendStatus.Accepted"/>, <see cref="MllpSendStatus.ApplicationError"/>,
/// <see cref="MllpSendStatus.Rejected"/>), and so is a reply that cannot count as one
/// (<see cref="MllpSendStatus.ProtocolError"/>: MSA-2 not the MSH-10 sent, not an ACK, garbled, not framed, too
/// large); the connection is closed after a protocol error. Transport failures throw:
/// <see cref="MllpAckTimeoutException"/> when no ACK came in time (connection closed, RELIABILITY C1),
/// <see cref="MllpConnectionException"/> when no connection could be made or it broke before the ACK. A message is
/// never reported accepted without a matching positive ACK (F4).
/// </para>
/// <para>Thread-safe. Dispose it to close the connection.</para>
/// </remarks>
public sealed partial class MllpClient : IAsyncDisposable
{
    private readonly string _host;
    private readonly int _port;
    private readonly string _endPoint;
    private readonly TimeSpan _connectTimeout;
    private readonly TimeSpan _ackTimeout;
    private readonly bool _persistent;
    private volatile bool _holdingConnection;
    private readonly MllpClientEncoding _encoding;
    private readonly MllpFramingOptions _framing;
    private readonly AckCondition _ackCondition;
    private readonly ResiliencePipeline _retry;
    private readonly MllpClientKeepAliveOptions _keepAlive;
    private readonly int _lowLatencyAckWaitMicroseconds;
    private readonly TimeSpan _idleReset;
    private readonly TimeSpan _heartbeatInterval;
    private readonly HeartbeatMessage? _heartbeat;
    private readonly MllpClientTlsOptions? _tls;
    private readonly MllpCertificatePin? _pin;
    private readonly bool _debugLogging;
    private readonly ErrorLogThrottle _throttle;
    private readonly ILogger _logger;
    private readonly EventPump<MllpClientEventArgs> _eventPump;
    private readonly ILogger _wireLogger;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly MllpConnectionAttempt?[] _attempts;
    private readonly Lock _attemptsLock = new();
    private long _attemptCount;
    private MllpClientConnection? _connection;
    private int _state;
    private bool _everConnected;
    private int _disposed;

    /// <summary>Creates a client; no I/O happens until a connect or a send.</summary>
    /// <param name="options">The receiver and the client's settings; validated once, and copied (later changes have no effect).</param>
    /// <param name="loggerFactory">Where logs go (category <c>Hl7Mllp.Sending.MllpClient</c>, and <c>Hl7Mllp.Sending.Wire</c> for <see cref="MllpClientOptions.DebugLogging"/>); <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock for timeouts, backoff, heartbeats and diagnostics; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message lists every problem.</exception>
    public MllpClient(MllpClientOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger("Hl7Mllp.Sending.MllpClient");
        _eventPump = new EventPump<MllpClientEventArgs>(this, () => EventRaised, (args, exception) => Log.EventHandlerFailed(_logger, exception, args.Kind));
        _wireLogger = loggerFactory.CreateLogger("Hl7Mllp.Sending.Wire");
        _host = options.Host.Trim();
        _port = options.Port;
        _endPoint = _host.Contains(':', StringComparison.Ordinal) ? $"[{_host}]:{_port}" : $"{_host}:{_port}";
        _connectTimeout = options.ConnectTimeout;
        _ackTimeout = options.AckTimeout;
        _persistent = options.PersistentConnection;
        _encoding = options.Encoding;
        _framing = new MllpFramingOptions
        {
            MaxFrameBytes = options.Framing.MaxFrameBytes,
            MaxBytesBetweenFrames = options.Framing.MaxBytesBetweenFrames,
            BetweenFramesPolicy = options.Framing.BetweenFramesPolicy,
            RequireCarriageReturnAfterEndBlock = options.Framing.RequireCarriageReturnAfterEndBlock,
        };
        _ackCondition = new AckCondition(options.AckCondition);
        _retry = options.Retry ?? MllpClientOptions.CreateDefaultRetryPipeline(
            options.ReconnectAttempts, options.ReconnectDelay, options.ReconnectMaxDelay, _timeProvider);
        _keepAlive = new MllpClientKeepAliveOptions
        {
            Enabled = options.KeepAlive.Enabled,
            Time = options.KeepAlive.Time,
            Interval = options.KeepAlive.Interval,
            RetryCount = options.KeepAlive.RetryCount,
        };
        _lowLatencyAckWaitMicroseconds = (int)(options.LowLatencyAckWait.Ticks / 10);
        _idleReset = options.IdleReset == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : options.IdleReset;
        if (options.Heartbeat.Enabled)
        {
            _heartbeatInterval = options.Heartbeat.Interval;
            byte[] heartbeat = options.Heartbeat.Message.IsEmpty
                ? EncodeText(options.Heartbeat.MessageText!)
                : options.Heartbeat.Message.ToArray();
            _ = ReadControlId(heartbeat, nameof(options));
            _heartbeat = new HeartbeatMessage(heartbeat, _timeProvider);
        }

        if (options.Tls.Enabled)
        {
            _tls = CopyTls(options.Tls);
            _ = MllpCertificatePin.TryParse(_tls.PinnedThumbprint, out _pin);
        }

        _debugLogging = options.DebugLogging;
        _throttle = new ErrorLogThrottle(options.ErrorLogging, _timeProvider);
        _attempts = new MllpConnectionAttempt?[options.ConnectionAttemptHistory];
    }

    /// <summary>
    /// Raised for connection and send events (connecting, connected, disconnected, sending, ACK, NAK, send failed,
    /// heartbeat failed). Handlers run one at a time, in order, on a background task, never on the send path; a
    /// handler that throws is logged (event 1011) and ignored. Events raised while nobody subscribes are dropped. At most
    /// 1024 events wait for the handlers; when they fall further behind, the oldest waiting event is dropped, so a slow or
    /// blocked handler never grows memory and never slows a send.
    /// </summary>
    public event EventHandler<MllpClientEventArgs>? EventRaised;

    /// <summary>The receiver, as <c>host:port</c>.</summary>
    public string EndPoint => _endPoint;

    /// <summary>The state of the connection.</summary>
    public MllpClientState State => (MllpClientState)Volatile.Read(ref _state);

    /// <summary>
    /// The most recent connection attempts, oldest first (at most <see cref="MllpClientOptions.ConnectionAttemptHistory"/>):
    /// time, endpoint, outcome, error, TLS protocol and cipher, duration.
    /// </summary>
    /// <returns>A snapshot; later attempts do not change it.</returns>
    public IReadOnlyList<MllpConnectionAttempt> GetConnectionAttempts()
    {
        lock (_attemptsLock)
        {
            int count = (int)Math.Min(_attemptCount, _attempts.Length);
            var snapshot = new MllpConnectionAttempt[count];
            for (int i = 0; i < count; i++)
            {
                snapshot[i] = _attempts[(int)((_attemptCount - count + i) % _attempts.Length)]!;
            }

            return snapshot;
        }
    }

    /// <summary>
    /// Closes the connection and stops heartbeats. A send in progress fails with <see cref="MllpConnectionException"/>
    /// or <see cref="ObjectDisposedException"/>; queued sends throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <returns>A task that completes when the connection is closed and pending events were delivered.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        StopMaintenance();
        await CloseConnectionAsync("client disposed", error: null).ConfigureAwait(false);
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await CloseConnectionAsync("client disposed", error: null).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }

        await WaitForMaintenanceAsync().ConfigureAwait(false);
        await _eventPump.CompleteAsync().ConfigureAwait(false);
    }

    private static MllpClientTlsOptions CopyTls(MllpClientTlsOptions tls) => new()
    {
        Enabled = true,
        TargetHost = tls.TargetHost,
        EnabledProtocols = tls.EnabledProtocols,
        PinnedThumbprint = tls.PinnedThumbprint,
        TrustedRoots = tls.TrustedRoots is null ? null : [.. tls.TrustedRoots],
        TrustedRootsPath = tls.TrustedRootsPath,
        CheckCertificateRevocation = tls.CheckCertificateRevocation,
        ClientCertificate = tls.ClientCertificate,
        ClientCertificatePath = tls.ClientCertificatePath,
        ClientKeyPath = tls.ClientKeyPath,
        ClientCertificatePassword = tls.ClientCertificatePassword,
    };

    private void RecordAttempt(MllpConnectionAttempt attempt)
    {
        if (_attempts.Length == 0)
        {
            return;
        }

        lock (_attemptsLock)
        {
            _attempts[(int)(_attemptCount % _attempts.Length)] = attempt;
            _attemptCount++;
        }
    }

    private void SetState(MllpClientState state) => Volatile.Write(ref _state, (int)state);

    private static string TlsText(SslProtocols? protocol) => protocol?.ToString() ?? "off";

    private static string CipherText(TlsCipherSuite? suite) => suite?.ToString() ?? "-";
}
