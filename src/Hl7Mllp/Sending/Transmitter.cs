using System.Collections.Concurrent;
using Hl7Mllp.Acks;
using Hl7Mllp.Internal;
using Hl7Mllp.Messages;
using Hl7Mllp.Scheduling;
using Hl7Mllp.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace Hl7Mllp.Sending;

/// <summary>
/// Sends the messages of an <see cref="IMessageSource"/> through an <see cref="MllpClient"/>, one at a time and in
/// order, and hands each final outcome back to the source (seed 002, "Transmitters").
/// </summary>
/// <remarks>
/// <para>
/// Each polling interval the transmitter polls the source for at most <see cref="TransmitterOptions.MaxMessagesPerInterval"/>
/// messages and sends them in order, pausing <see cref="TransmitterOptions.TransmitDelay"/> between messages, while
/// <see cref="TransmitterOptions.Schedule"/> is on. The next message is never sent before the previous one was
/// accepted or failed finally (head-of-line blocking). A failed attempt (timeout, transport or protocol error, and
/// application error when configured) is retried with the same bytes and MSH-10 up to
/// <see cref="TransmitterOptions.FailRetries"/> times with exponential backoff; a rejection (AR, CR) is final at once.
/// A final failure either blocks the queue or is completed as failed, per <see cref="TransmitterOptions.OnFinalFailure"/>.
/// </para>
/// <para>
/// Delivery is at least once: <see cref="IMessageSource.CompleteAsync"/> is called only after a final outcome, and a
/// message that was not completed (stop, crash, source failure) is sent again, unchanged, after the next poll. Exceptions
/// from the client become <see cref="MllpSendStatus.Timeout"/> or <see cref="MllpSendStatus.TransportError"/>
/// results; a message that can never be sent (not HL7, no MSH-10, cannot be split) fails finally at once as a
/// <see cref="MllpSendStatus.TransportError"/> whose <see cref="MllpSendResult.Exception"/> says why.
/// </para>
/// <para>
/// Observability: logs (event IDs 1500–1511; failed attempts throttled per <see cref="TransmitterOptions.ErrorLogging"/>),
/// metrics <c>hl7mllp.transmitter.messages</c> (final outcomes, tag <c>outcome</c>),
/// <c>hl7mllp.transmitter.attempts.failed</c> (every failed attempt, logged or not, tag <c>status</c>),
/// <c>hl7mllp.transmitter.queue.depth</c> and <c>hl7mllp.transmitter.queue.age</c> (when the source can tell), all
/// tagged <c>hl7mllp.transmitter</c> with the name; <see cref="GetStatus"/> for a dashboard; <see cref="EventRaised"/>.
/// </para>
/// <para>Thread-safe. The transmitter does not own the client or the source: dispose them after the transmitter.</para>
/// </remarks>
public sealed partial class Transmitter : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<Transmitter, byte> Running = new();

    private readonly IMessageSource _source;
    private readonly ITransmitterSender _sender;
    private readonly string _name;
    private readonly TimeSpan _pollingInterval;
    private readonly int _maxPerInterval;
    private readonly TimeSpan _transmitDelay;
    private readonly Schedule _schedule;
    private readonly bool _retryOnApplicationError;
    private readonly TransmitterFailurePolicy _onFinalFailure;
    private readonly int _continuationMaxBytes;
    private readonly ContinuationSplitter? _splitter;
    private readonly ResiliencePipeline<MllpSendResult> _retry;
    private readonly int _attemptsPerRound;
    private readonly ErrorLogThrottle _throttle;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();
    private readonly EventPump<TransmitterEventArgs> _events;

    private CancellationTokenSource? _stopping;
    private CancellationTokenSource? _abort;
    private Task? _loop;
    private bool _disposed;
    private bool _scheduleOn = true;
    private long _lastSendEnd;
    private TransmitterState _state;
    private DateTimeOffset? _startedAt;
    private DateTimeOffset? _lastActivity;
    private DateTimeOffset? _lastErrorAt;
    private DateTimeOffset? _headEnqueuedAt;
    private string? _lastError;
    private string? _currentMessageId;
    private long _accepted;
    private long _failed;
    private long _failedAttempts;

    /// <summary>Creates a transmitter; nothing is polled or sent until <see cref="StartAsync"/>.</summary>
    /// <param name="source">The messages to send, in order.</param>
    /// <param name="client">The client that sends them; not owned (dispose it after the transmitter).</param>
    /// <param name="options">The settings; validated and copied. <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">Where logs go (category <c>Hl7Mllp.Sending.Transmitter</c>); <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock for polling, delays, retries and the schedule (its local time zone); <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="client"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message lists every problem.</exception>
    public Transmitter(IMessageSource source, MllpClient client, TransmitterOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(source, new MllpClientTransmitterSender(client ?? throw new ArgumentNullException(nameof(client))), options, loggerFactory, timeProvider)
    {
    }

    internal Transmitter(IMessageSource source, ITransmitterSender sender, TransmitterOptions? options, ILoggerFactory? loggerFactory, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sender);
        options ??= new TransmitterOptions();
        options.Validate();
        _source = source;
        _sender = sender;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Hl7Mllp.Sending.Transmitter");
        _name = options.Name;
        _events = new EventPump<TransmitterEventArgs>(this, () => EventRaised, (args, exception) => Log.EventHandlerFailed(_logger, _name, args.Kind, exception));
        _pollingInterval = options.PollingInterval;
        _maxPerInterval = options.MaxMessagesPerInterval;
        _transmitDelay = options.TransmitDelay;
        _schedule = options.Schedule;
        _retryOnApplicationError = options.RetryOnApplicationError;
        _onFinalFailure = options.OnFinalFailure;
        _continuationMaxBytes = options.ContinuationMaxBytes;
        _splitter = options.ContinuationMaxBytes > 0 ? new ContinuationSplitter(options.ContinuationMaxBytes) : null;
        _throttle = new ErrorLogThrottle(options.ErrorLogging, _timeProvider);
        _attemptsPerRound = options.FailRetries + 1;
        _retry = CreateRetryPipeline(options);
    }

    /// <summary>
    /// Raised after each accepted message, failed attempt, final failure and schedule change. Handlers run one at a
    /// time, in order, on a background task, never on the send path; a handler that throws is logged (event 1509) and
    /// ignored. At most 1 024 events wait for a slow handler; older ones are dropped.
    /// </summary>
    public event EventHandler<TransmitterEventArgs>? EventRaised;

    /// <summary>Gets the transmitter's name (<see cref="TransmitterOptions.Name"/>).</summary>
    public string Name => _name;

    /// <summary>Starts polling and sending on a background task; returns at once.</summary>
    /// <param name="cancellationToken">Not used beyond an early check; stop with <see cref="StopAsync"/>.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="InvalidOperationException">The transmitter is already running.</exception>
    /// <exception cref="ObjectDisposedException">The transmitter was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_loop is not null)
            {
                throw new InvalidOperationException($"Transmitter {_name} is already running.");
            }

            _stopping = new CancellationTokenSource();
            _abort = new CancellationTokenSource();
            _startedAt = _timeProvider.GetUtcNow();
            _state = TransmitterState.Idle;
            CancellationToken stopping = _stopping.Token;
            CancellationToken abort = _abort.Token;
            _loop = Task.Run(() => RunAsync(stopping, abort), CancellationToken.None);
        }

        Running.TryAdd(this, 0);
        Log.Started(_logger, _name, _schedule.ToString());
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops gracefully: no new message is started, waits are cut short, and the message in flight is finished (its
    /// ACK awaited and its outcome completed at the source). A message waiting for a retry is left uncompleted and sent
    /// again after the next start.
    /// </summary>
    /// <param name="cancellationToken">When canceled, the message in flight is abandoned too (its send is canceled; it stays in the source).</param>
    /// <returns>A task that completes when the transmitter has stopped. Does nothing when it is not running.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Task? loop;
        CancellationTokenSource? abort;
        bool first;
        lock (_lock)
        {
            loop = _loop;
            abort = _abort;
            if (loop is null || abort is null)
            {
                return;
            }

            first = !_stopping!.IsCancellationRequested;
            _state = TransmitterState.Stopping;
            _stopping.Cancel();
        }

        using (cancellationToken.Register(static a => CancelQuietly((CancellationTokenSource)a!), abort))
        {
            await loop.ConfigureAwait(false);
        }

        if (!first)
        {
            // A concurrent stop: the first caller cleans up.
            return;
        }

        lock (_lock)
        {
            _stopping?.Dispose();
            _abort?.Dispose();
            _stopping = null;
            _abort = null;
            _loop = null;
            _state = TransmitterState.Stopped;
            _currentMessageId = null;
        }

        Running.TryRemove(this, out _);
        Log.Stopped(_logger, _name, Interlocked.Read(ref _accepted), Interlocked.Read(ref _failed));
    }

    /// <summary>Gets a snapshot of the transmitter's state for a dashboard.</summary>
    /// <returns>The status; later changes do not affect it.</returns>
    public TransmitterStatus GetStatus()
    {
        int pending = SafePendingCount();
        lock (_lock)
        {
            return new TransmitterStatus
            {
                Name = _name,
                State = _state,
                StartedAt = _startedAt,
                LastActivity = _lastActivity,
                Accepted = Interlocked.Read(ref _accepted),
                Failed = Interlocked.Read(ref _failed),
                FailedAttempts = Interlocked.Read(ref _failedAttempts),
                ConsecutiveFailures = _throttle.ConsecutiveFailures,
                LastError = _lastError,
                LastErrorAt = _lastErrorAt,
                CurrentMessageId = _currentMessageId,
                Pending = pending,
            };
        }
    }

    /// <summary>Stops gracefully (see <see cref="StopAsync"/>) and releases the transmitter; the client and source stay open.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        await StopAsync().ConfigureAwait(false);
        await _events.CompleteAsync().ConfigureAwait(false);
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The loop already ended and the first stop disposed it: nothing left to abort.
        }
    }

    private static string? ReadControlId(ReadOnlyMemory<byte> bytes) =>
        Hl7Message.TryParse(bytes, out Hl7Message message, out _) ? message.ControlId : null;

    private ResiliencePipeline<MllpSendResult> CreateRetryPipeline(TransmitterOptions options)
    {
        if (options.FailRetries == 0)
        {
            return ResiliencePipeline<MllpSendResult>.Empty;
        }

        var retry = new RetryStrategyOptions<MllpSendResult>
        {
            MaxRetryAttempts = options.FailRetries,
            Delay = options.RetryDelay,
            MaxDelay = options.RetryMaxDelay,
            BackoffType = DelayBackoffType.Exponential,
            // Jitter keeps transmitters that failed together from retrying in lockstep (RELIABILITY.md; review finding 3).
            UseJitter = true,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { } result && IsRetryable(result)),
            OnRetry = _ =>
            {
                SetState(TransmitterState.Retrying);
                return default;
            },
        };
        if (options.RetryRandomizer is { } randomizer)
        {
            retry.Randomizer = randomizer;
        }

        return new ResiliencePipelineBuilder<MllpSendResult> { TimeProvider = _timeProvider }.AddRetry(retry).Build();
    }

    private bool IsRetryable(MllpSendResult result) => result.Status switch
    {
        MllpSendStatus.Timeout or MllpSendStatus.ProtocolError => true,

        // A message the client refuses (not HL7, no MSH-10) fails the same way every time.
        MllpSendStatus.TransportError => result.Exception is not (ArgumentException or ContinuationException),
        MllpSendStatus.ApplicationError => _retryOnApplicationError,
        _ => false,
    };

    private void SetState(TransmitterState state)
    {
        lock (_lock)
        {
            if (_state != TransmitterState.Stopping)
            {
                _state = state;
            }
        }
    }

    private int SafePendingCount()
    {
        try
        {
            return _source.GetPendingCount();
        }
        catch (Exception)
        {
            // The dashboard and the gauge must not fail because a source cannot count.
            return -1;
        }
    }

    private void Raise(TransmitterEventKind kind, OutboundMessage? message = null, string? controlId = null, int attempt = 0, MllpSendResult? result = null)
    {
        if (EventRaised is null)
        {
            return;
        }

        _events.Post(new TransmitterEventArgs(kind, _timeProvider.GetUtcNow(), message?.Id, controlId, attempt, result?.Status, result?.AckCode ?? string.Empty));
    }
}
