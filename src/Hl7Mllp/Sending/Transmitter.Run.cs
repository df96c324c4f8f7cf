using Hl7Mllp.Acks;
using Hl7Mllp.Storage;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Sending;

public sealed partial class Transmitter
{
    // The longest single wait for a schedule change, so a clock or time-zone change is noticed.
    private static readonly TimeSpan MaxScheduleWait = TimeSpan.FromMinutes(1);

    private enum CycleOutcome
    {
        Empty,
        More,
        Limited,
        Stalled,
        ScheduleOff,
    }

    private enum MessageOutcome
    {
        Completed,
        Blocked,
        SourceFailed,
    }

    private async Task RunAsync(CancellationToken stopping, CancellationToken abort)
    {
        bool outsideSchedule = false;
        while (!stopping.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                if (!IsScheduleOn())
                {
                    SetState(TransmitterState.OutsideSchedule);
                    if (!outsideSchedule)
                    {
                        outsideSchedule = true;
                        await ReleaseConnectionQuietlyAsync(scheduleOff: true).ConfigureAwait(false);
                    }

                    wait = UntilScheduleChange();
                }
                else
                {
                    outsideSchedule = false;
                    long started = _timeProvider.GetTimestamp();
                    CycleOutcome outcome = await RunCycleAsync(stopping, abort).ConfigureAwait(false);
                    wait = outcome switch
                    {
                        CycleOutcome.More or CycleOutcome.ScheduleOff => TimeSpan.Zero,
                        CycleOutcome.Limited => _pollingInterval - _timeProvider.GetElapsedTime(started),
                        _ => _pollingInterval,
                    };
                    if (outcome != CycleOutcome.Stalled)
                    {
                        SetState(TransmitterState.Idle);
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                // Never let the loop die: an unexpected failure is logged and the next interval tries again.
                Log.LoopFailed(_logger, _name, exception);
                wait = _pollingInterval;
            }

            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _timeProvider, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task<CycleOutcome> RunCycleAsync(CancellationToken stopping, CancellationToken abort)
    {
        SetState(TransmitterState.Polling);
        _sender.BeginCycle();
        int max = _maxPerInterval > 0 ? _maxPerInterval : int.MaxValue;
        int sent = 0;
        IAsyncEnumerator<OutboundMessage>? messages = null;
        try
        {
            while (sent < max)
            {
                OutboundMessage message;
                try
                {
                    messages ??= _source.PollAsync(max, stopping).GetAsyncEnumerator(stopping);
                    if (!await messages.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    message = messages.Current;
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stopping.IsCancellationRequested)
                {
                    Log.SourceFailed(_logger, _name, "poll", exception);
                    RecordError($"Source poll failed: {exception.GetType().Name}");
                    return CycleOutcome.Stalled;
                }

                stopping.ThrowIfCancellationRequested();
                if (!IsScheduleOn())
                {
                    return CycleOutcome.ScheduleOff;
                }

                MessageOutcome outcome = await TransmitAsync(message, stopping, abort).ConfigureAwait(false);
                if (outcome != MessageOutcome.Completed)
                {
                    return CycleOutcome.Stalled;
                }

                sent++;
            }
        }
        finally
        {
            lock (_lock)
            {
                _headEnqueuedAt = null;
            }

            if (messages is not null)
            {
                await DisposeQuietlyAsync(messages).ConfigureAwait(false);
            }

            await ReleaseConnectionQuietlyAsync(scheduleOff: false).ConfigureAwait(false);
        }

        return sent == 0 ? CycleOutcome.Empty : _maxPerInterval > 0 ? CycleOutcome.Limited : CycleOutcome.More;
    }

    private async Task<MessageOutcome> TransmitAsync(OutboundMessage message, CancellationToken stopping, CancellationToken abort)
    {
        lock (_lock)
        {
            _currentMessageId = message.Id;
            _headEnqueuedAt = message.EnqueuedAt;
        }

        string controlId = ReadControlId(message.Bytes) ?? string.Empty;
        MllpSendResult result;
        IReadOnlyList<ReadOnlyMemory<byte>> parts;
        try
        {
            parts = _splitter is null || message.Bytes.Length <= _continuationMaxBytes ? [message.Bytes] : _splitter.Split(message.Bytes);
        }
        catch (Exception exception) when (exception is ArgumentException or ContinuationException)
        {
            result = MllpSendResult.TransportError(controlId, exception);
            OnAttemptFailed(message, controlId, 1, result);
            return await OnFinalFailureAsync(message, controlId, result, abort).ConfigureAwait(false);
        }

        if (parts.Count > 1)
        {
            Log.MessageSplit(_logger, _name, message.Id, controlId, message.Bytes.Length, parts.Count);
        }

        result = null!;
        foreach (ReadOnlyMemory<byte> part in parts)
        {
            string partControlId = parts.Count == 1 ? controlId : ReadControlId(part) ?? controlId;
            result = await SendWithRetriesAsync(message, part, partControlId, stopping, abort).ConfigureAwait(false);
            if (!result.IsAccepted)
            {
                return await OnFinalFailureAsync(message, partControlId, result, abort).ConfigureAwait(false);
            }
        }

        _throttle.RecordSuccess();
        if (!await CompleteAsync(message, result, abort).ConfigureAwait(false))
        {
            return MessageOutcome.SourceFailed;
        }

        Interlocked.Increment(ref _accepted);
        RecordOutcome(result.Status);
        Log.MessageAccepted(_logger, _name, message.Id, controlId, result.AckCode);
        Raise(TransmitterEventKind.MessageAccepted, message, controlId, 0, result);
        return MessageOutcome.Completed;
    }

    private async Task<MllpSendResult> SendWithRetriesAsync(OutboundMessage message, ReadOnlyMemory<byte> bytes, string controlId, CancellationToken stopping, CancellationToken abort)
    {
        int attempt = 0;
        return await _retry.ExecuteAsync(
            async _ =>
            {
                attempt++;
                await PauseBetweenMessagesAsync(stopping).ConfigureAwait(false);
                SetState(TransmitterState.Sending);
                MllpSendResult result = await SendOnceAsync(bytes, controlId, abort).ConfigureAwait(false);
                lock (_lock)
                {
                    _lastSendEnd = _timeProvider.GetTimestamp();
                    _lastActivity = _timeProvider.GetUtcNow();
                }

                if (!result.IsAccepted)
                {
                    OnAttemptFailed(message, controlId, attempt, result);
                }

                return result;
            },
            stopping).ConfigureAwait(false);
    }

    private async ValueTask<MllpSendResult> SendOnceAsync(ReadOnlyMemory<byte> bytes, string controlId, CancellationToken abort)
    {
        try
        {
            return await _sender.SendAsync(bytes, abort).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception) when (exception is MllpAckTimeoutException or TimeoutException)
        {
            return MllpSendResult.Timeout(controlId, exception);
        }
        catch (Exception exception)
        {
            // Every other failure of the client (connect, write, read, a refused message) is a transport error result.
            return MllpSendResult.TransportError(controlId, exception);
        }
    }

    private async Task PauseBetweenMessagesAsync(CancellationToken stopping)
    {
        if (_transmitDelay <= TimeSpan.Zero)
        {
            return;
        }

        long lastSendEnd;
        lock (_lock)
        {
            lastSendEnd = _lastSendEnd;
        }

        if (lastSendEnd == 0)
        {
            return;
        }

        TimeSpan wait = _transmitDelay - _timeProvider.GetElapsedTime(lastSendEnd);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _timeProvider, stopping).ConfigureAwait(false);
        }
    }

    private async Task<MessageOutcome> OnFinalFailureAsync(OutboundMessage message, string controlId, MllpSendResult result, CancellationToken abort)
    {
        if (_onFinalFailure == TransmitterFailurePolicy.Block)
        {
            SetState(TransmitterState.Blocked);
            Log.Blocked(_logger, _name, message.Id, controlId, result.Status, result.AckCode, _pollingInterval);
            Raise(TransmitterEventKind.Blocked, message, controlId, 0, result);
            return MessageOutcome.Blocked;
        }

        if (!await CompleteAsync(message, result, abort).ConfigureAwait(false))
        {
            return MessageOutcome.SourceFailed;
        }

        Interlocked.Increment(ref _failed);
        RecordOutcome(result.Status);
        Log.MessageFailed(_logger, _name, message.Id, controlId, result.Status, result.AckCode);
        Raise(TransmitterEventKind.MessageFailed, message, controlId, 0, result);
        return MessageOutcome.Completed;
    }

    private async Task<bool> CompleteAsync(OutboundMessage message, MllpSendResult result, CancellationToken abort)
    {
        try
        {
            // The abort token, not the stopping one: a graceful stop still records the outcome of the message in flight.
            await _source.CompleteAsync(message, result, abort).ConfigureAwait(false);
            lock (_lock)
            {
                _lastActivity = _timeProvider.GetUtcNow();
                _currentMessageId = null;
            }

            return true;
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            // Not completed: the source offers the message again, the receiver's duplicate tracker sees the same MSH-10.
            Log.SourceFailed(_logger, _name, "complete", exception);
            RecordError($"Source complete failed for message {message.Id}: {exception.GetType().Name}");
            return false;
        }
    }

    private void OnAttemptFailed(OutboundMessage message, string controlId, int attempt, MllpSendResult result)
    {
        Interlocked.Increment(ref _failedAttempts);
        RecordFailedAttempt(result.Status);
        string reason = result.Exception is null ? result.ToString() : $"{result} {result.Exception.GetType().Name}";
        RecordError($"Message {message.Id}: {reason}");
        LogLevel level = !_throttle.RecordFailure()
            ? LogLevel.Debug
            : result.Status is MllpSendStatus.ApplicationError or MllpSendStatus.Rejected ? LogLevel.Warning : LogLevel.Error;
        Log.AttemptFailed(_logger, level, _name, attempt, _attemptsPerRound, message.Id, controlId, result.Status, result.AckCode, result.Exception);
        Raise(TransmitterEventKind.AttemptFailed, message, controlId, attempt, result);
    }

    private void RecordError(string error)
    {
        lock (_lock)
        {
            _lastError = error;
            _lastErrorAt = _timeProvider.GetUtcNow();
        }
    }

    private bool IsScheduleOn()
    {
        bool on = _schedule.IsActive(_timeProvider.GetLocalNow());
        bool changed;
        lock (_lock)
        {
            changed = on != _scheduleOn;
            _scheduleOn = on;
        }

        if (changed)
        {
            if (on)
            {
                Log.ScheduleStarted(_logger, _name, _schedule.ToString());
            }
            else
            {
                Log.ScheduleStopped(_logger, _name, _schedule.ToString());
            }

            Raise(on ? TransmitterEventKind.ScheduleStarted : TransmitterEventKind.ScheduleStopped);
        }

        return on;
    }

    private TimeSpan UntilScheduleChange()
    {
        DateTimeOffset now = _timeProvider.GetLocalNow();
        TimeSpan wait = (_schedule.NextChange(now) ?? now + _pollingInterval) - now;
        return wait > MaxScheduleWait ? MaxScheduleWait : wait;
    }

    private async ValueTask DisposeQuietlyAsync(IAsyncEnumerator<OutboundMessage> messages)
    {
        try
        {
            await messages.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Log.SourceFailed(_logger, _name, "dispose poll", exception);
        }
    }

    /// <summary>
    /// Closes the connection held for the cycle (non-persistent clients), or, when the schedule has turned off, the
    /// connection whatever the client's setting (seed 002: a persistent connection is kept only while the schedule is
    /// on). Never throws.
    /// </summary>
    private async ValueTask ReleaseConnectionQuietlyAsync(bool scheduleOff)
    {
        try
        {
            await (scheduleOff ? _sender.DisconnectAsync() : _sender.EndCycleAsync()).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The client was disposed before the transmitter stopped: its connection is closed already.
        }
        catch (Exception exception)
        {
            Log.LoopFailed(_logger, _name, exception);
        }
    }
}
