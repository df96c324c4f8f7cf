using System.Text;
using System.Text.Unicode;
using Hl7Mllp.Acks;
using Hl7Mllp.Duplicates;
using Hl7Mllp.Messages;
using Hl7Mllp.Storage;
using Hl7Mllp.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hl7Mllp.Receiving;

/// <summary>
/// The standard <see cref="IMllpMessageHandler"/>: checks a received message, stores it durably, records its key
/// and acknowledges it. Usable with an <c>MllpListener</c> or on its own over an <see cref="MllpReceiveContext"/>.
/// </summary>
/// <remarks>
/// <para>Per message, in order: parse (failure → a NAK with the parse error's HL7 code, built from whatever of the
/// MSH can be salvaged; in enhanced mode only when its MSH-15 asks for an accept ACK on failure) → processing ID (202) → control ID (blank → 101, duplicate → 205 or a repeated positive
/// ACK) → text encoding (102, optional) → rules → Named Fields → the application's <see cref="IReceiveStep"/>s → store (durable before it
/// returns; a failure → 207, nothing recorded) → record the key in the <see cref="IDuplicateTracker"/> → ACK. Every
/// error found becomes one ERR; the first error with severity Error or Fatal decides MSA-1 (1xx → AE, 2xx → AR).
/// The message is stored only when no error rejects it.</para>
/// <para>Enhanced mode (MSH-15 or MSH-16 valued): the pipeline writes the accept (commit) ACK — CA only after the
/// store returned, CE/CR otherwise — and only when MSH-15 asks for one in that case (AL always, NE never, ER on
/// error, SU on success); when none is due, the response stays empty and the listener sends nothing. The pipeline
/// never sends the application ACK: the application produces it later, when it has processed the message, with
/// <see cref="AckBuilder"/> (<see cref="BuildApplicationAck"/>) and <c>AckMode.IsApplicationAckDue</c>, and sends
/// it to the sender's own receiver as the standard describes.</para>
/// <para>Thread-safe: one instance serves every connection. No per-message allocation beyond one
/// <see cref="ReceivedMessage"/> on the success path (plus what the store and tracker need).</para>
/// </remarks>
public sealed class ReceivePipeline : IMllpMessageHandler
{
    private const int ControlIdGateCount = 64;

    private static readonly Hl7Key ControlIdKey = Hl7Key.Create("MSH", 10);
    private static readonly Hl7Key ProcessingIdKey = Hl7Key.Create("MSH", 11, component: 1);
    private static readonly Hl7Key ContinuationPointerKey = Hl7Key.Create("MSH", 14);

    private readonly IMessageStore _store;
    private readonly IDuplicateTracker? _tracker;

    // The built-in tracker takes the key fields this pipeline has found already: one key build per message, not two.
    private readonly InMemoryDuplicateTracker? _memoryTracker;
    private readonly ILogger _logger;
    private readonly Hl7ParseOptions _parseOptions;
    private readonly byte[]? _processingIds;
    private readonly bool _allowBlankControlId;
    private readonly bool _acknowledgeDuplicates;
    private readonly bool _rejectInvalidText;
    private readonly int _maxErrors;
    private readonly IReceiveStep[] _steps;
    private readonly Hl7RuleSet? _rules;
    private readonly NamedFieldsValidator? _namedFields;
    private readonly ReceivePipelineContinuations? _continuations;
    private readonly WarningLogLimiter _warnings;
    private readonly int _maxWarnings;
    private readonly TimeSpan _warningInterval;

    // Striped gates that serialise messages with the same control ID: a resend waits for the first copy.
    private readonly SemaphoreSlim[] _controlIdGates = Enumerable.Range(0, ControlIdGateCount).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly ReceivePipelineCounterCells _counters = new();

    /// <summary>Creates a pipeline; does no I/O.</summary>
    /// <param name="options">The settings; <see langword="null"/> for the defaults (any processing ID, blank control ID rejected, duplicates rejected, no steps).</param>
    /// <param name="store">Where accepted messages are made durable.</param>
    /// <param name="duplicateTracker">Recognises resent messages; <see langword="null"/> turns duplicate detection off.</param>
    /// <param name="loggerFactory">Where to log; default none.</param>
    /// <param name="timeProvider">The clock for the ACK's MSH-7; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are invalid (the message lists every problem).</exception>
    public ReceivePipeline(ReceivePipelineOptions? options, IMessageStore store, IDuplicateTracker? duplicateTracker = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new ReceivePipelineOptions();
        options.Validate();
        _store = store;
        _tracker = duplicateTracker;
        _memoryTracker = duplicateTracker as InMemoryDuplicateTracker;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ReceivePipeline>();
        _parseOptions = options.Parse;
        _processingIds = string.IsNullOrWhiteSpace(options.ProcessingIds) ? null : Encoding.UTF8.GetBytes(options.ProcessingIds);
        _allowBlankControlId = options.AllowBlankControlId;
        _acknowledgeDuplicates = options.DuplicateHandling == DuplicateHandling.AcknowledgeAgain;
        _rejectInvalidText = options.RejectInvalidText;
        _maxErrors = options.MaxErrors;
        _steps = [.. options.Steps];
        _rules = options.Rules;
        _namedFields = options.NamedFields is null ? null : new NamedFieldsValidator(options.NamedFields, options.ValidationFlags) { MaxFindings = options.MaxErrors };
        AckBuilder = new AckBuilder(options.Ack, timeProvider);
        _maxWarnings = options.MaxWarningsPerInterval;
        _warningInterval = options.WarningLogInterval;
        _warnings = new WarningLogLimiter(_maxWarnings, _warningInterval, timeProvider ?? TimeProvider.System);
        if (options.ContinuationTimeout > TimeSpan.Zero)
        {
            _continuations = new ReceivePipelineContinuations(options.ContinuationTimeout, options.MaxContinuationBytes, options.MaxHeldContinuationBytes, options.MaxPendingContinuations, timeProvider ?? TimeProvider.System, _logger);
        }
    }

    /// <summary>Gets the ACK builder the pipeline uses; the application builds its enhanced-mode application ACKs with it too.</summary>
    public AckBuilder AckBuilder { get; }

    /// <summary>Gets a snapshot of the counters.</summary>
    /// <returns>The counts since the pipeline was created.</returns>
    public ReceivePipelineCounters GetCounters() => new(
        _counters.Read(ReceivePipelineCounter.Received),
        _counters.Read(ReceivePipelineCounter.Stored),
        _counters.Read(ReceivePipelineCounter.Rejected),
        _counters.Read(ReceivePipelineCounter.Unparseable),
        _counters.Read(ReceivePipelineCounter.Duplicates),
        _counters.Read(ReceivePipelineCounter.StoreFailures),
        _counters.Read(ReceivePipelineCounter.StepFailures),
        _counters.Read(ReceivePipelineCounter.AcceptAcksSuppressed));

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the message was stored; no ACK was written.</exception>
    public ValueTask HandleAsync(MllpReceiveContext context, CancellationToken cancellationToken = default)
    {
        ValueTask<ReceiveResult> processing = ProcessAsync(context, cancellationToken);
        if (processing.IsCompletedSuccessfully)
        {
            _ = processing.Result;
            return ValueTask.CompletedTask;
        }

        return AwaitAsync(processing);

        static async ValueTask AwaitAsync(ValueTask<ReceiveResult> pending) => await pending.ConfigureAwait(false);
    }

    /// <summary>Handles one message as <see cref="HandleAsync"/> does and tells what happened.</summary>
    /// <param name="context">The received payload; the ACK is written to its <see cref="MllpReceiveContext.Response"/>.</param>
    /// <param name="cancellationToken">Signalled when the listener stops or the connection closes.</param>
    /// <returns>The outcome, MSA-1 and the deciding error.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the message was stored; no ACK was written.</exception>
    public async ValueTask<ReceiveResult> ProcessAsync(MllpReceiveContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        _counters.Increment(ReceivePipelineCounter.Received);
        ReadOnlyMemory<byte> payload = context.GetPayloadMemory();
        if (!Hl7Message.TryParse(payload, out Hl7Message message, out Hl7ParseError parseError, _parseOptions))
        {
            return Unparseable(payload.Span, parseError, context);
        }

        Hl7Message ackFor = message;
        if (_continuations is not null)
        {
            switch (Continue(message, out Hl7Message assembled))
            {
                case ContinuationStep.Held:
                    return Respond(message, AckMode.Determine(message), null, context, ReceiveOutcome.FragmentHeld);
                case ContinuationStep.Orphan:
                    return Respond(message, AckMode.Determine(message), [Hl7Error.At(ContinuationPointerKey, Hl7ErrorCode.SegmentSequenceError, "Continuation pointer matches no pending message")], context, ReceiveOutcome.Rejected);
                case ContinuationStep.TooLarge:
                    return Respond(message, AckMode.Determine(message), [new Hl7Error(Hl7ErrorCode.SegmentSequenceError, "Continued message too large")], context, ReceiveOutcome.Rejected);
                case ContinuationStep.Complete:
                    message = assembled;
                    break;
            }
        }

        List<Hl7Error>? errors = null;
        bool hasKey = CheckHeader(message, ref errors, out AckMode mode, out int gateIndex, out DuplicateKeyFields keyFields);
        CheckText(message, ref errors);

        if (!hasKey || _tracker is null)
        {
            return await CheckAndStoreAsync(message, ackFor, errors, hasKey, keyFields, mode, context, cancellationToken).ConfigureAwait(false);
        }

        // The duplicate check and the record are not atomic: a resend on another connection while this one is still
        // being stored would pass the check and be stored twice. Messages with the same control ID are therefore
        // handled one at a time; the later one waits, then sees the first recorded (a duplicate) or, if the first
        // failed, is stored itself. Never lost, never stored twice. The gate is one of a fixed set chosen by a hash of
        // the raw MSH-10, so the uncontended path allocates nothing; two different IDs that share a gate only wait.
        SemaphoreSlim gate = _controlIdGates[gateIndex];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await CheckAndStoreAsync(message, ackFor, errors, hasKey, keyFields, mode, context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Runs the duplicate check, the rules, the steps and the store for a parsed message; records its key once stored.</summary>
    private async ValueTask<ReceiveResult> CheckAndStoreAsync(Hl7Message message, Hl7Message ackFor, List<Hl7Error>? errors, bool hasKey, DuplicateKeyFields keyFields, AckMode mode, MllpReceiveContext context, CancellationToken cancellationToken)
    {
        var received = new ReceivedMessage(message, context.ReceivedAt, context.RemoteEndPoint, context.ConnectionId, context.ListenerName);
        int keyHash = 0;
        if (hasKey && _tracker is not null && (_memoryTracker is not null
            ? _memoryTracker.IsDuplicate(message.Header.Bytes.Span, keyFields, out keyHash)
            : await _tracker.IsDuplicateAsync(received, cancellationToken).ConfigureAwait(false)))
        {
            _counters.Increment(ReceivePipelineCounter.Duplicates);
            ReceivePipelineMetrics.Duplicate();
            bool acknowledgeAgain = _acknowledgeDuplicates && !HasRejection(errors);
            if (ShouldLogWarning())
            {
                Log.PipelineDuplicate(_logger, message.ControlId, message.MessageType, context.ConnectionId, acknowledgeAgain ? DuplicateHandling.AcknowledgeAgain : DuplicateHandling.Reject);
            }

            if (acknowledgeAgain)
            {
                return Respond(ackFor, mode, errors, context, ReceiveOutcome.DuplicateAcknowledged);
            }

            Add(ref errors, Hl7Error.At(ControlIdKey, Hl7ErrorCode.DuplicateKeyIdentifier, "Duplicate message control ID"));
        }

        if (_rules is not null || _namedFields is not null)
        {
            errors ??= [];
            _rules?.Evaluate(message, errors);
            _namedFields?.Validate(message, errors);
        }

        bool skipStore = false;
        if (_steps.Length > 0)
        {
            errors ??= [];
            var stepContext = new ReceiveStepContext(received, context, errors);
            foreach (IReceiveStep step in _steps)
            {
                try
                {
                    await step.ExecuteAsync(stepContext, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!IsCancellation(ex, cancellationToken))
                {
                    _counters.Increment(ReceivePipelineCounter.StepFailures);
                    if (_logger.IsEnabled(LogLevel.Error))
                    {
                        Log.PipelineStepFailed(_logger, step.GetType().Name, message.ControlId, message.MessageType, context.ConnectionId, ex.GetType().Name);
                    }

                    errors.Add(new Hl7Error(Hl7ErrorCode.ApplicationInternalError, "Application internal error"));
                    return Respond(ackFor, mode, errors, context, ReceiveOutcome.Failed);
                }
            }

            skipStore = stepContext.SkipStore;
        }

        if (HasRejection(errors))
        {
            return Respond(ackFor, mode, errors, context, ReceiveOutcome.Rejected);
        }

        if (!skipStore)
        {
            try
            {
                await _store.StoreAsync(received, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!IsCancellation(ex, cancellationToken))
            {
                _counters.Increment(ReceivePipelineCounter.StoreFailures);
                ReceivePipelineMetrics.StoreFailure();
                if (_logger.IsEnabled(LogLevel.Error))
                {
                    Log.PipelineStoreFailed(_logger, message.ControlId, message.MessageType, context.ConnectionId, ex.GetType().Name, ex.HResult);
                }

                Add(ref errors, new Hl7Error(Hl7ErrorCode.ApplicationInternalError, "Message could not be stored; send it again later"));
                return Respond(ackFor, mode, errors, context, ReceiveOutcome.Failed);
            }
        }

        if (hasKey && _tracker is not null)
        {
            try
            {
                if (_memoryTracker is not null)
                {
                    _memoryTracker.Record(message.Header.Bytes.Span, keyFields, keyHash);
                }
                else
                {
                    await _tracker.RecordAsync(received, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (!IsCancellation(ex, cancellationToken))
            {
                // The message is durable: acknowledging it is right. Not recording it only means a resend is kept twice.
                if (ShouldLogWarning())
                {
                    Log.PipelineRecordFailed(_logger, message.ControlId, ex.GetType().Name);
                }
            }
        }

        return Respond(ackFor, mode, errors, context, ReceiveOutcome.Stored);
    }

    /// <summary>
    /// Builds an enhanced-mode application ACK (AA, AE or AR) for a message the application has processed after the
    /// pipeline committed it: call it when <c>AckMode.Determine(message).IsApplicationAckDue(success)</c> says one is
    /// due, and send the result to the sender's receiver (for example with an <c>MllpClient</c>).
    /// </summary>
    /// <param name="message">The message as received.</param>
    /// <param name="errors">The errors of its processing; empty for AA. The first Error or Fatal one decides AE or AR.</param>
    /// <param name="output">Where the ACK bytes are written.</param>
    /// <returns>MSA-1 of the ACK written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="errors"/> or <paramref name="output"/> is <see langword="null"/>.</exception>
    public AckCode BuildApplicationAck(in Hl7Message message, IReadOnlyList<Hl7Error> errors, System.Buffers.IBufferWriter<byte> output)
    {
        AckCode code = AckPolicy.Decide(errors);
        AckBuilder.Build(message, code, errors, output);
        return code;
    }

    private ReceiveResult Respond(in Hl7Message message, AckMode mode, List<Hl7Error>? errors, MllpReceiveContext context, ReceiveOutcome outcome)
    {
        IReadOnlyList<Hl7Error> reported = (IReadOnlyList<Hl7Error>?)errors ?? [];
        AckCode code = AckPolicy.Decide(reported, mode.IsEnhanced);
        Hl7Error? deciding = FirstRejection(errors);
        if (errors is not null && errors.Count > _maxErrors)
        {
            errors.RemoveRange(_maxErrors, errors.Count - _maxErrors);
        }

        bool success = deciding is null;
        bool write = !mode.IsEnhanced || mode.IsAcceptAckDue(success);
        if (write)
        {
            AckBuilder.Build(message, code, reported, context.Response);
        }
        else
        {
            _counters.Increment(ReceivePipelineCounter.AcceptAcksSuppressed);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.PipelineAcceptAckSuppressed(_logger, message.ControlId, code);
            }
        }

        Count(outcome, code, deciding, reported.Count, message, context);
        return new ReceiveResult(outcome, code, deciding?.Code ?? Hl7ErrorCode.MessageAccepted, reported.Count, write);
    }

    private ReceiveResult Unparseable(ReadOnlySpan<byte> payload, Hl7ParseError error, MllpReceiveContext context)
    {
        _counters.Increment(ReceivePipelineCounter.Unparseable);

        // Nothing is written only when the salvaged MSH asks for enhanced mode and no accept ACK on failure (NE, SU):
        // the NAK decided on is then the enhanced-mode one.
        AckCode? written = AckBuilder.TryBuildNak(payload, Hl7Error.FromParseError(error), context.Response, honourNoAcceptAck: true, out _);
        AckCode code = written ?? AckPolicy.ForError(error.ErrorCode, commit: true);
        if (written is null)
        {
            _counters.Increment(ReceivePipelineCounter.AcceptAcksSuppressed);
        }

        ReceivePipelineMetrics.Message(ReceiveOutcome.Unparseable, code);
        ReceivePipelineMetrics.Error(error.ErrorCode);
        if (ShouldLogWarning())
        {
            Log.PipelineMessageUnparseable(_logger, payload.Length, context.ConnectionId, (int)error.ErrorCode, error.Position, code, written is null ? Log.NakNotSent : Log.NakSent);
        }

        return new ReceiveResult(ReceiveOutcome.Unparseable, code, error.ErrorCode, 1, written is not null);
    }

    private void Count(ReceiveOutcome outcome, AckCode code, Hl7Error? deciding, int errorCount, in Hl7Message message, MllpReceiveContext context)
    {
        ReceivePipelineMetrics.Message(outcome, code);
        switch (outcome)
        {
            case ReceiveOutcome.Stored:
            case ReceiveOutcome.DuplicateAcknowledged:
                if (outcome == ReceiveOutcome.Stored)
                {
                    _counters.Increment(ReceivePipelineCounter.Stored);
                }

                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    Log.PipelineMessageAccepted(_logger, message.ControlId, message.MessageType, message.Bytes.Length, context.ConnectionId, code);
                }

                break;
            default:
                if (outcome == ReceiveOutcome.Rejected)
                {
                    _counters.Increment(ReceivePipelineCounter.Rejected);
                }

                if (deciding is not null)
                {
                    ReceivePipelineMetrics.Error(deciding.Code);
                    if (ShouldLogWarning())
                    {
                        Log.PipelineMessageRejected(_logger, message.ControlId, message.MessageType, context.ConnectionId, code, (int)deciding.Code, Log.Describe(deciding), errorCount);
                    }
                }

                break;
        }
    }

    /// <summary>Passes a message to the continuation assembler when MSH-14 or a final DSC says it is a fragment.</summary>
    private ContinuationStep Continue(in Hl7Message message, out Hl7Message assembled)
    {
        assembled = default;
        ReadOnlySpan<byte> header = message.Header.Bytes.Span;
        Span<Range> fields = stackalloc Range[ReceivePipelineHeader.MaxField + 1];
        ReceivePipelineHeader.Split(header, message.Delimiters.FieldByte, fields);
        ReadOnlySpan<byte> pointer = header[fields[14]];
        if (!ReceivePipelineContinuations.IsFragment(message, pointer))
        {
            return ContinuationStep.None;
        }

        // MSH-3 and MSH-4 with the separator between them name the sender.
        int senderStart = fields[3].Start.Value;
        ReadOnlySpan<byte> sender = header[senderStart..Math.Max(senderStart, fields[4].End.Value)];
        ContinuationStep step = _continuations!.Accept(message, sender, pointer, out byte[]? bytes);
        if (step == ContinuationStep.Complete && !Hl7Message.TryParse(bytes, out assembled, out _, _parseOptions))
        {
            return ContinuationStep.TooLarge;
        }

        return step;
    }

    /// <summary>Reads MSH once: the ACK mode (MSH-15/16), the processing ID (MSH-11), the control ID (MSH-10) and where the duplicate key's fields lie.</summary>
    /// <returns>Whether the message has a key (a non-blank MSH-10); <paramref name="gate"/> is then the control ID gate to take.</returns>
    private bool CheckHeader(in Hl7Message message, ref List<Hl7Error>? errors, out AckMode mode, out int gate, out DuplicateKeyFields keyFields)
    {
        ReadOnlySpan<byte> header = message.Header.Bytes.Span;
        Span<Range> fields = stackalloc Range[ReceivePipelineHeader.MaxField + 1];
        ReceivePipelineHeader.Split(header, message.Delimiters.FieldByte, fields);
        keyFields = DuplicateKeyFields.From(fields);
        byte component = message.Delimiters.ComponentByte;
        mode = AckMode.FromFields(header[fields[15]], header[fields[16]], component);

        // The seed: accepted when MSH-11 appears anywhere in the configured text (case-sensitive); blank is accepted.
        ReadOnlySpan<byte> processingId = Hl7Scanner.FirstComponent(header[fields[11]], component);
        if (_processingIds is not null && !processingId.IsEmpty && _processingIds.AsSpan().IndexOf(processingId) < 0)
        {
            Add(ref errors, Hl7Error.At(ProcessingIdKey, Hl7ErrorCode.UnsupportedProcessingId, "Unsupported processing ID"));
        }

        gate = 0;
        if (!header[fields[10]].Trim((byte)' ').IsEmpty)
        {
            var hash = default(HashCode);
            hash.AddBytes(header[fields[10]]);
            gate = (int)((uint)hash.ToHashCode() % ControlIdGateCount);
            return true;
        }

        if (!_allowBlankControlId)
        {
            Add(ref errors, Hl7Error.At(ControlIdKey, Hl7ErrorCode.RequiredFieldMissing, "Message control ID missing"));
        }

        return false;
    }

    private void CheckText(in Hl7Message message, ref List<Hl7Error>? errors)
    {
        if (_rejectInvalidText && message.Encoding.CodePage == Encoding.UTF8.CodePage && !Utf8.IsValid(message.Bytes.Span))
        {
            Add(ref errors, Hl7Error.At(Hl7Key.Create("MSH", 18), Hl7ErrorCode.DataTypeError, "Message is not valid UTF-8"));
        }
    }

    /// <summary>Whether a per-message warning is logged: Warning enabled and within the warning limit; logs how many the limit left out first.</summary>
    private bool ShouldLogWarning()
    {
        if (!_logger.IsEnabled(LogLevel.Warning) || !_warnings.TryLog(out long suppressed, out TimeSpan period))
        {
            return false;
        }

        if (suppressed > 0)
        {
            Log.PipelineWarningsSuppressed(_logger, suppressed, period, _maxWarnings, _warningInterval);
        }

        return true;
    }

    private static void Add(ref List<Hl7Error>? errors, Hl7Error error) => (errors ??= []).Add(error);

    private static bool HasRejection(List<Hl7Error>? errors) => FirstRejection(errors) is not null;

    private static Hl7Error? FirstRejection(List<Hl7Error>? errors) => errors?.Find(static error => error.IsRejection);

    private static bool IsCancellation(Exception exception, CancellationToken cancellationToken) =>
        exception is OperationCanceledException && cancellationToken.IsCancellationRequested;
}
