using System.Diagnostics.Metrics;
using System.Net.Sockets;
using FluentAssertions;
using Hl7Mllp.Acks;
using Hl7Mllp.Diagnostics;
using Hl7Mllp.Scheduling;
using Hl7Mllp.Sending;
using Hl7Mllp.Storage;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Hl7Mllp.Tests.Sending;

public class TransmitterTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Start_MessagesWaiting_SentAndCompletedInOrder()
    {
        await using var h = new TransmitterHarness();
        await h.EnqueueAsync("M1", "M2", "M3", "M4", "M5");

        await h.StartAsync();
        await h.IdleAfterAsync(5);

        h.Sender.ControlIds.Should().Equal("M1", "M2", "M3", "M4", "M5");
        h.CompletedIds.Should().Equal("M1", "M2", "M3", "M4", "M5");
        h.Completions.Should().OnlyContain(c => c.Result.IsAccepted);
        h.Source.Count.Should().Be(0);
        h.Transmitter.GetStatus().Accepted.Should().Be(5);
    }

    [Fact]
    public async Task Run_StrictOrder_NextMessageNotSentBeforePreviousAccepted()
    {
        var gate = new TaskCompletionSource<MllpSendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var h = new TransmitterHarness(script: (i, id) => i == 0 ? new ValueTask<MllpSendResult>(gate.Task) : ValueTask.FromResult(TransmitterHarness.Ack(id, "AA")));
        await h.EnqueueAsync("M1", "M2");

        await h.StartAsync();
        await h.UntilAsync(() => h.Sender.InFlight, "M1 is in flight");

        h.Sender.Calls.Should().HaveCount(1, "M2 waits for M1's ACK");
        h.Transmitter.GetStatus().State.Should().Be(TransmitterState.Sending);
        h.Transmitter.GetStatus().CurrentMessageId.Should().Be("1");
        gate.SetResult(TransmitterHarness.Ack("M1", "AA"));
        await h.IdleAfterAsync(2);
        h.Sender.ControlIds.Should().Equal("M1", "M2");
    }

    [Fact]
    public async Task Run_MaxMessagesPerInterval_SendsAtMostThatManyPerPollingInterval()
    {
        await using var h = new TransmitterHarness(new TransmitterOptions { MaxMessagesPerInterval = 2, PollingInterval = Poll });
        await h.EnqueueAsync("M1", "M2", "M3", "M4", "M5");

        await h.StartAsync();
        await h.IdleAfterAsync(2);
        h.Time.Advance(Poll - TimeSpan.FromMilliseconds(1));
        h.Sender.Calls.Should().HaveCount(2, "the interval has not ended");
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        await h.IdleAfterAsync(4);
        h.Time.Advance(Poll);
        await h.IdleAfterAsync(5);

        h.Sender.ControlIds.Should().Equal("M1", "M2", "M3", "M4", "M5");
    }

    [Fact]
    public async Task Run_TransmitDelay_PausesBetweenMessages()
    {
        var delay = TimeSpan.FromMilliseconds(750);
        await using var h = new TransmitterHarness(new TransmitterOptions { TransmitDelay = delay });
        await h.EnqueueAsync("M1", "M2", "M3");

        await h.StartAsync();
        await h.IdleAfterAsync(1);
        h.Time.Advance(delay - TimeSpan.FromMilliseconds(1));
        h.Sender.Calls.Should().HaveCount(1);
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        await h.IdleAfterAsync(2);
        h.Time.Advance(delay);
        await h.IdleAfterAsync(3);

        h.CompletedIds.Should().Equal("M1", "M2", "M3");
    }

    [Fact]
    public async Task Run_EmptySource_PollsAgainAfterPollingInterval()
    {
        await using var h = new TransmitterHarness(new TransmitterOptions { PollingInterval = Poll });

        await h.StartAsync();
        await h.IdleAfterAsync(0);
        await h.EnqueueAsync("M1");
        h.Time.Advance(Poll - TimeSpan.FromMilliseconds(1));
        h.Sender.Calls.Should().BeEmpty("the next poll is one polling interval after the empty one");
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        await h.IdleAfterAsync(1);

        h.CompletedIds.Should().Equal("M1");
    }

    [Fact]
    public async Task Run_OutsideDailySchedule_WaitsForTheWindowAndStopsAtItsEnd()
    {
        // The harness starts at 12:00 UTC; the window is 13:00-13:30.
        var options = new TransmitterOptions { Schedule = Schedule.Parse("13:00-13:30"), PollingInterval = TimeSpan.FromMinutes(10) };
        await using var h = new TransmitterHarness(options);
        var events = new List<TransmitterEventKind>();
        h.Transmitter.EventRaised += (_, e) =>
        {
            lock (events)
            {
                events.Add(e.Kind);
            }
        };
        await h.EnqueueAsync("M1");

        await h.StartAsync();
        await h.IdleAfterAsync(0);
        h.Transmitter.GetStatus().State.Should().Be(TransmitterState.OutsideSchedule);
        for (int i = 0; i < 59; i++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(1));
            await h.IdleAfterAsync(0);
        }

        h.Sender.Calls.Should().BeEmpty();
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.IdleAfterAsync(1);
        h.Logs.HasEventId(Hl7MllpEventIds.TransmitterScheduleStarted).Should().BeTrue();

        // 13:00 + 10 min polling: M2 at 13:10 and 13:20 are sent, at 13:30 the window has closed.
        await h.EnqueueAsync("M2");
        h.Time.Advance(TimeSpan.FromMinutes(10));
        await h.IdleAfterAsync(2);
        await h.EnqueueAsync("M3");
        h.Time.Advance(TimeSpan.FromMinutes(20));
        await h.UntilAsync(() => h.Transmitter.GetStatus().State == TransmitterState.OutsideSchedule && h.Time.PendingTimers > 0, "outside the schedule again");
        h.Sender.ControlIds.Should().Equal("M1", "M2");
        h.Logs.HasEventId(Hl7MllpEventIds.TransmitterScheduleStopped).Should().BeTrue();
        await h.UntilAsync(() => { lock (events) { return events.Contains(TransmitterEventKind.ScheduleStopped); } }, "the schedule event was raised");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Run_ScheduleTurnsOff_EveryCycleEndsItsConnectionHoldAndTheConnectionIsClosedOnce(bool releaseFails)
    {
        // The harness starts at 12:00 UTC, inside the window 12:00-12:30.
        var options = new TransmitterOptions { Schedule = Schedule.Parse("12:00-12:30"), PollingInterval = TimeSpan.FromMinutes(10) };
        await using var h = new TransmitterHarness(options);
        h.Sender.FailConnectionRelease = releaseFails;
        await h.EnqueueAsync("M1");

        await h.StartAsync();
        await h.IdleAfterAsync(1);
        await h.EnqueueAsync("M2");
        h.Time.Advance(TimeSpan.FromMinutes(10));
        await h.IdleAfterAsync(2);
        h.Time.Advance(TimeSpan.FromMinutes(20));
        await h.UntilAsync(() => h.Transmitter.GetStatus().State == TransmitterState.OutsideSchedule && h.Time.PendingTimers > 0, "outside the schedule");
        for (int i = 0; i < 3; i++)
        {
            h.Time.Advance(TimeSpan.FromHours(1));
            await h.UntilAsync(() => h.Time.PendingTimers > 0, "parked outside the schedule");
        }

        List<string> calls = h.Sender.ConnectionCalls;
        calls[^1].Should().Be("disconnect", "the connection is closed when the schedule turns off");
        calls.Count(c => c == "disconnect").Should().Be(1, "once per turn-off, not once per wait outside the schedule");
        calls.Take(calls.Count - 1).Should().Equal(Enumerable.Repeat(new[] { "begin", "end" }, (calls.Count - 1) / 2).SelectMany(pair => pair), "every cycle that began ended");
        h.CompletedIds.Should().Equal("M1", "M2");
        h.Logs.HasEventId(Hl7MllpEventIds.TransmitterLoopFailed).Should().Be(releaseFails, "a failed close is logged and the loop goes on");
    }

    [Fact]
    public async Task Run_TimeoutsThenAccept_RetriesSameBytesAndControlIdWithBackoff()
    {
        var options = new TransmitterOptions { FailRetries = 3, RetryDelay = TimeSpan.FromSeconds(2), OnFinalFailure = TransmitterFailurePolicy.Skip };
        await using var h = new TransmitterHarness(options, script: (i, id) => i < 2
            ? ValueTask.FromException<MllpSendResult>(new TimeoutException("no ACK"))
            : ValueTask.FromResult(TransmitterHarness.Ack(id, "AA")));
        await h.EnqueueAsync("M1", "M2");

        await h.StartAsync();
        await h.IdleAfterAsync(1);
        h.Transmitter.GetStatus().State.Should().Be(TransmitterState.Retrying);
        h.Sender.Calls.Should().ContainSingle("the retry waits for its backoff");
        // With jitter a pause is random but never longer than RetryMaxDelay (60 s by default).
        h.Time.Advance(options.RetryMaxDelay);
        await h.IdleAfterAsync(2);
        h.Time.Advance(options.RetryMaxDelay);
        await h.IdleAfterAsync(4);

        h.Sender.Calls.Take(3).Should().AllSatisfy(c => c.Should().Equal(TransmitterHarness.Message("M1")));
        h.CompletedIds.Should().Equal("M1", "M2");
        var status = h.Transmitter.GetStatus();
        status.FailedAttempts.Should().Be(2);
        status.ConsecutiveFailures.Should().Be(0);
        status.LastError.Should().Contain("Timeout").And.Contain("M1");
    }

    [Theory]
    [InlineData(0.01, 0.25, 0.3)]
    [InlineData(0.99, 2.7, 2.8)]
    public async Task Run_RetryBackoff_IsJitteredAroundRetryDelay(double random, double beforeSeconds, double afterSeconds)
    {
        // Review finding 3: without jitter every transmitter retried exactly RetryDelay after a shared outage.
        // Polly's decorrelated jitter puts the first pause between 0 and about 1.37 x RetryDelay (2 s here):
        // 0.28 s for a random 0.01, 2.73 s for 0.99.
        var options = new TransmitterOptions { FailRetries = 1, RetryDelay = TimeSpan.FromSeconds(2), OnFinalFailure = TransmitterFailurePolicy.Skip, RetryRandomizer = () => random };
        await using var h = new TransmitterHarness(options, script: (i, id) => i < 1
            ? ValueTask.FromException<MllpSendResult>(new TimeoutException("no ACK"))
            : ValueTask.FromResult(TransmitterHarness.Ack(id, "AA")));
        await h.EnqueueAsync("M1");

        await h.StartAsync();
        await h.IdleAfterAsync(1);
        h.Time.Advance(TimeSpan.FromSeconds(beforeSeconds));
        await h.IdleAfterAsync(1);
        h.Sender.Calls.Should().ContainSingle("the jittered pause has not passed yet");
        h.Time.Advance(TimeSpan.FromSeconds(afterSeconds - beforeSeconds));

        await h.UntilAsync(() => h.Sender.Calls.Count == 2 && h.CompletedIds.Count == 1, "the retry is accepted");
        h.CompletedIds.Should().Equal("M1");
    }

    [Fact]
    public async Task Run_RetriesExhaustedUnderSkip_CompletedAsFailedAfterFailRetriesPlusOneSends()
    {
        var options = new TransmitterOptions { FailRetries = 2, RetryDelay = TimeSpan.FromSeconds(1), OnFinalFailure = TransmitterFailurePolicy.Skip };
        await using var h = new TransmitterHarness(options, script: (_, id) => id == "M1"
            ? ValueTask.FromException<MllpSendResult>(new SocketException((int)SocketError.ConnectionRefused))
            : ValueTask.FromResult(TransmitterHarness.Ack(id, "AA")));
        await h.EnqueueAsync("M1", "M2");

        await h.StartAsync();
        for (int i = 1; i <= 2; i++)
        {
            await h.IdleAfterAsync(i);
            h.Time.Advance(TimeSpan.FromSeconds(60));
        }

        await h.IdleAfterAsync(4);
        h.Sender.ControlIds.Should().Equal("M1", "M1", "M1", "M2");
        h.Completions[0].Result.Status.Should().Be(MllpSendStatus.TransportError);
        h.Completions[0].Result.Exception.Should().BeOfType<SocketException>();
        h.Completions[1].Result.IsAccepted.Should().BeTrue();
        h.Transmitter.GetStatus().Failed.Should().Be(1);
        h.Logs.HasEventId(Hl7MllpEventIds.TransmitterMessageFailed).Should().BeTrue();
    }

    [Fact]
    public async Task Run_RejectedUnderSkip_FinalAtOnceWithoutRetry()
    {
        var options = new TransmitterOptions { FailRetries = 5, OnFinalFailure = TransmitterFailurePolicy.Skip };
        await using var h = new TransmitterHarness(options, script: (_, id) => ValueTask.FromResult(TransmitterHarness.Ack(id, id == "M1" ? "AR" : "AA")));
        await h.EnqueueAsync("M1", "M2");

        await h.StartAsync();
        await h.IdleAfterAsync(2);

        h.Sender.ControlIds.Should().Equal("M1", "M2");
        h.Completions.Select(c => c.Result.Status).Should().Equal(MllpSendStatus.Rejected, MllpSendStatus.Accepted);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 3)]
    public async Task Run_ApplicationError_RetriedOnlyWhenConfigured(bool retry, int sends)
    {
        var options = new TransmitterOptions { FailRetries = 2, RetryDelay = TimeSpan.Zero, RetryOnApplicationError = retry, OnFinalFailure = TransmitterFailurePolicy.Skip };
        await using var h = new TransmitterHarness(options, script: (_, id) => ValueTask.FromResult(TransmitterHarness.Ack(id, "AE")));
        await h.EnqueueAsync("M1");

        await h.StartAsync();
        await h.IdleAfterAsync(sends);

        h.Completions.Should().ContainSingle().Which.Result.Status.Should().Be(MllpSendStatus.ApplicationError);
    }

    // RELIABILITY field failure F7: a poison message blocks the queue only under Block, which is an explicit choice (Skip moves on).
    [Fact]
    public async Task Run_RejectedUnderBlock_NotCompletedNothingBehindItSentRetriedAfterPollingInterval()
    {
        int rejections = 2;
        var options = new TransmitterOptions { PollingInterval = Poll, OnFinalFailure = TransmitterFailurePolicy.Block };
        await using var h = new TransmitterHarness(options, script: (_, id) =>
            ValueTask.FromResult(TransmitterHarness.Ack(id, id == "M1" && Interlocked.Decrement(ref rejections) >= 0 ? "AR" : "AA")));
        await h.EnqueueAsync("M1", "M2");

        await h.StartAsync();
        await h.IdleAfterAsync(1);
        var status = h.Transmitter.GetStatus();
        status.State.Should().Be(TransmitterState.Blocked);
        status.CurrentMessageId.Should().Be("1");
        h.Completions.Should().BeEmpty("a blocked message stays in the source");
        h.Logs.HasEventId(Hl7MllpEventIds.TransmitterBlocked).Should().BeTrue();

        h.Time.Advance(Poll);
        await h.IdleAfterAsync(2);
        h.Sender.ControlIds.Should().Equal("M1", "M1");
        h.Time.Advance(Poll);
        await h.IdleAfterAsync(4);

        h.Sender.ControlIds.Should().Equal("M1", "M1", "M1", "M2");
        h.CompletedIds.Should().Equal("M1", "M2");
        h.Transmitter.GetStatus().State.Should().Be(TransmitterState.Idle);
    }

    [Fact]
    public async Task Run_MessageTheClientRefuses_FailsFinallyWithoutRetry()
    {
        var options = new TransmitterOptions { FailRetries = 3, OnFinalFailure = TransmitterFailurePolicy.Skip };
        await using var h = new TransmitterHarness(options, script: (_, _) => ValueTask.FromException<MllpSendResult>(new ArgumentException("no MSH-10")));
        await h.EnqueueAsync("M1");

        await h.StartAsync();
        await h.IdleAfterAsync(1);

        h.Completions.Should().ContainSingle().Which.Result.Exception.Should().BeOfType<ArgumentException>();
    }

    [Fact]
    public async Task Run_AfterFailedAttemptsThrottle_EarlyFailuresLoggedAtDebugButAllCounted()
    {
        var options = new TransmitterOptions
        {
            FailRetries = 4,
            RetryDelay = TimeSpan.Zero,
            OnFinalFailure = TransmitterFailurePolicy.Skip,
            ErrorLogging = new ErrorLoggingOptions { Mode = ErrorLoggingMode.AfterFailedAttempts, FailedAttempts = 3 },
        };
        await using var h = new TransmitterHarness(options, script: (_, _) => ValueTask.FromException<MllpSendResult>(new TimeoutException()));
        var counted = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "hl7mllp.transmitter.attempts.failed")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "hl7mllp.transmitter" && (string?)tag.Value == h.Transmitter.Name && tags.ToArray().Any(t => t.Key == "status" && (string?)t.Value == "timeout"))
                {
                    lock (counted)
                    {
                        counted.Add("timeout");
                    }
                }
            }
        });
        listener.Start();
        await h.EnqueueAsync("M1");

        await h.StartAsync();
        await h.IdleAfterAsync(5);

        var attempts = h.Logs.WithEventId(Hl7MllpEventIds.TransmitterAttemptFailed).ToList();
        attempts.Select(e => e.Level).Should().Equal(LogLevel.Debug, LogLevel.Debug, LogLevel.Error, LogLevel.Error, LogLevel.Error);
        h.Transmitter.GetStatus().FailedAttempts.Should().Be(5);
        lock (counted)
        {
            counted.Should().HaveCount(5, "suppressed errors still count in metrics");
        }
    }

    [Fact]
    public async Task Stop_MessageInFlight_FinishesAndCompletesIt()
    {
        var gate = new TaskCompletionSource<MllpSendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var h = new TransmitterHarness(script: (_, _) => new ValueTask<MllpSendResult>(gate.Task));
        await h.EnqueueAsync("M1", "M2");
        await h.StartAsync();
        await h.UntilAsync(() => h.Sender.InFlight, "M1 is in flight");

        Task stop = h.Transmitter.StopAsync();
        stop.IsCompleted.Should().BeFalse("the message in flight is finished first");
        h.Transmitter.GetStatus().State.Should().Be(TransmitterState.Stopping);
        gate.SetResult(TransmitterHarness.Ack("M1", "AA"));
        await stop.WaitAsync(TimeSpan.FromSeconds(10));

        h.CompletedIds.Should().Equal("M1");
        h.Sender.Calls.Should().HaveCount(1, "no new message starts after the stop request");
        h.Source.Count.Should().Be(1);
        h.Transmitter.GetStatus().State.Should().Be(TransmitterState.Stopped);
        h.Logs.HasEventId(Hl7MllpEventIds.TransmitterStopped).Should().BeTrue();
    }

    [Fact]
    public async Task Stop_TokenCanceled_AbandonsInFlightMessageWhichStaysInSource()
    {
        var never = new TaskCompletionSource<MllpSendResult>();
        await using var h = new TransmitterHarness(script: (_, _) => new ValueTask<MllpSendResult>(never.Task));
        await h.EnqueueAsync("M1");
        await h.StartAsync();
        await h.UntilAsync(() => h.Sender.InFlight, "M1 is in flight");

        await h.Transmitter.StopAsync(new CancellationToken(canceled: true)).WaitAsync(TimeSpan.FromSeconds(10));

        h.Completions.Should().BeEmpty();
        h.Source.Count.Should().Be(1, "an abandoned message is offered again on the next start");
    }

    [Fact]
    public async Task Stop_WhileWaitingForRetry_LeavesMessageForNextStartWithSameBytes()
    {
        int calls = 0;
        var options = new TransmitterOptions { RetryDelay = TimeSpan.FromMinutes(1) };
        await using var h = new TransmitterHarness(options, script: (_, id) => Interlocked.Increment(ref calls) == 1
            ? ValueTask.FromException<MllpSendResult>(new TimeoutException())
            : ValueTask.FromResult(TransmitterHarness.Ack(id, "AA")));
        await h.EnqueueAsync("M1");
        await h.StartAsync();
        await h.IdleAfterAsync(1);

        await h.Transmitter.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        h.Completions.Should().BeEmpty();
        await h.Transmitter.StartAsync();
        await h.IdleAfterAsync(2);

        h.Sender.Calls[1].Should().Equal(h.Sender.Calls[0]);
        h.CompletedIds.Should().Equal("M1");
    }

    [Fact]
    public async Task Run_SourceCompleteFails_MessageOfferedAgainAndResentUnchanged()
    {
        var source = new FlakySource();
        await using var h = new TransmitterHarness(new TransmitterOptions { PollingInterval = Poll }, source: source);
        await source.Inner.EnqueueAsync(TransmitterHarness.Message("M1"));
        await source.Inner.EnqueueAsync(TransmitterHarness.Message("M2"));

        await h.StartAsync();
        await h.IdleAfterAsync(1);
        h.Logs.HasEventId(Hl7MllpEventIds.TransmitterSourceFailed).Should().BeTrue();
        h.Transmitter.GetStatus().LastError.Should().Contain("complete");
        h.Time.Advance(Poll);
        await h.IdleAfterAsync(3);

        h.Sender.ControlIds.Should().Equal("M1", "M1", "M2");
        source.Inner.Count.Should().Be(0);
    }

    [Fact]
    public async Task Run_ContinuationLimit_FragmentsSentInOrderMessageCompletedOnceAfterLast()
    {
        var options = new TransmitterOptions { ContinuationMaxBytes = 1024 };
        await using var h = new TransmitterHarness(options);
        await h.Source.EnqueueAsync(TransmitterHarness.Message("BIG", padding: 5000));
        await h.EnqueueAsync("M2");

        await h.StartAsync();
        await h.UntilAsync(() => h.Completions.Count == 2 && h.Time.PendingTimers > 0, "both messages completed");

        var calls = h.Sender.Calls;
        calls.Count.Should().BeGreaterThan(5);
        calls.Take(calls.Count - 1).Should().OnlyContain(c => c.Length <= 1024);
        ContinuationSplitterTests.Join(calls.Take(calls.Count - 1).Select(c => (ReadOnlyMemory<byte>)c).ToList())
            .Should().Equal(TransmitterHarness.Message("BIG", padding: 5000));
        h.Sender.ControlIds[0].Should().Be("BIG");
        h.Sender.ControlIds[^1].Should().Be("M2");
        h.Completions[0].Result.IsAccepted.Should().BeTrue();
        h.Logs.HasEventId(Hl7MllpEventIds.TransmitterMessageSplit).Should().BeTrue();
    }

    [Fact]
    public async Task Run_ContinuationFragmentRejected_WholeMessageFailsAndLaterFragmentsNotSent()
    {
        var options = new TransmitterOptions { ContinuationMaxBytes = 1024, OnFinalFailure = TransmitterFailurePolicy.Skip };
        await using var h = new TransmitterHarness(options, script: (i, id) => ValueTask.FromResult(TransmitterHarness.Ack(id, i == 1 ? "AR" : "AA")));
        await h.Source.EnqueueAsync(TransmitterHarness.Message("BIG", padding: 5000));

        await h.StartAsync();
        await h.IdleAfterAsync(2);

        h.Completions.Should().ContainSingle().Which.Result.Status.Should().Be(MllpSendStatus.Rejected);
    }

    [Fact]
    public async Task Run_Events_RaisedOffTheSendPathWithoutContent()
    {
        var options = new TransmitterOptions { FailRetries = 1, RetryDelay = TimeSpan.Zero, OnFinalFailure = TransmitterFailurePolicy.Skip };
        await using var h = new TransmitterHarness(options, script: (i, id) => i == 0
            ? ValueTask.FromException<MllpSendResult>(new TimeoutException())
            : ValueTask.FromResult(TransmitterHarness.Ack(id, "AA")));
        var events = new List<TransmitterEventArgs>();
        h.Transmitter.EventRaised += (_, e) =>
        {
            lock (events)
            {
                events.Add(e);
            }

            throw new InvalidOperationException("a failing handler is ignored");
        };
        int second = 0;
        h.Transmitter.EventRaised += (_, _) => Interlocked.Increment(ref second);
        await h.EnqueueAsync("M1");

        await h.StartAsync();
        await h.IdleAfterAsync(2);
        await h.UntilAsync(() => { lock (events) { return events.Count == 2; } }, "two events");

        events.Select(e => e.Kind).Should().Equal(TransmitterEventKind.AttemptFailed, TransmitterEventKind.MessageAccepted);
        events[0].Status.Should().Be(MllpSendStatus.Timeout);
        events[0].Attempt.Should().Be(1);
        events[1].ControlId.Should().Be("M1");
        events[1].AckCode.Should().Be("AA");
        await h.UntilAsync(() => h.Logs.WithEventId(Hl7MllpEventIds.TransmitterEventHandlerFailed).Count() == 2 && Volatile.Read(ref second) == 2, "the handler failures are logged and the other handler still gets every event");
    }

    [Fact]
    public async Task Metrics_MessageInFlight_QueueDepthAndAgeGaugesAndStatus()
    {
        var gate = new TaskCompletionSource<MllpSendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var h = new TransmitterHarness(new TransmitterOptions { Name = "gauge-test" }, script: (i, id) => i == 0 ? new ValueTask<MllpSendResult>(gate.Task) : ValueTask.FromResult(TransmitterHarness.Ack(id, "AA")));
        await h.EnqueueAsync("M1", "M2", "M3");
        h.Time.Advance(TimeSpan.FromSeconds(90));
        var depth = new List<int>();
        var age = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Hl7MllpTelemetry.Name && instrument.Name.StartsWith("hl7mllp.transmitter.queue.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            if (tags.ToArray().Any(t => (string?)t.Value == "gauge-test"))
            {
                depth.Add(value);
            }
        });
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            if (tags.ToArray().Any(t => (string?)t.Value == "gauge-test"))
            {
                age.Add(value);
            }
        });
        listener.Start();

        await h.StartAsync();
        await h.UntilAsync(() => h.Sender.InFlight, "M1 is in flight");
        listener.RecordObservableInstruments();

        depth.Should().Equal(3);
        age.Should().Equal(90);
        var status = h.Transmitter.GetStatus();
        status.Name.Should().Be("gauge-test");
        status.Pending.Should().Be(3);
        status.StartedAt.Should().Be(h.Time.GetUtcNow());
        gate.SetResult(TransmitterHarness.Ack("M1", "AA"));
        await h.IdleAfterAsync(3);
        await h.Transmitter.StopAsync();
        depth.Clear();
        listener.RecordObservableInstruments();
        depth.Should().BeEmpty("a stopped transmitter is no longer observed");
    }

    [Fact]
    public async Task Stop_CalledConcurrently_BothReturnAfterTheMessageInFlight()
    {
        var gate = new TaskCompletionSource<MllpSendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var h = new TransmitterHarness(script: (_, _) => new ValueTask<MllpSendResult>(gate.Task));
        await h.EnqueueAsync("M1");
        await h.StartAsync();
        await h.UntilAsync(() => h.Sender.InFlight, "M1 is in flight");

        Task first = h.Transmitter.StopAsync();
        Task second = h.Transmitter.StopAsync();
        gate.SetResult(TransmitterHarness.Ack("M1", "AA"));
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));

        h.CompletedIds.Should().Equal("M1");
        h.Logs.WithEventId(Hl7MllpEventIds.TransmitterStopped).Should().ContainSingle();
    }

    [Fact]
    public async Task Lifecycle_StartTwiceOrAfterDispose_Throws()
    {
        var h = new TransmitterHarness();
        await h.StartAsync();

        await FluentActions.Awaiting(() => h.Transmitter.StartAsync()).Should().ThrowAsync<InvalidOperationException>();
        await h.DisposeAsync();
        await h.DisposeAsync();
        await FluentActions.Awaiting(() => h.Transmitter.StartAsync()).Should().ThrowAsync<ObjectDisposedException>();
        await h.Transmitter.StopAsync();
    }

    [Fact]
    public void Options_Invalid_OneExceptionListingEveryProblem()
    {
        var options = new TransmitterOptions
        {
            Name = " ",
            PollingInterval = TimeSpan.Zero,
            MaxMessagesPerInterval = -1,
            TransmitDelay = TimeSpan.FromSeconds(-1),
            FailRetries = 101,
            RetryDelay = TimeSpan.FromSeconds(10),
            RetryMaxDelay = TimeSpan.FromSeconds(1),
            OnFinalFailure = (TransmitterFailurePolicy)7,
            ContinuationMaxBytes = 100,
            Schedule = null!,
        };

        FluentActions.Invoking(() => options.Validate()).Should().Throw<ArgumentException>()
            .Where(e => new[] { "Name", "PollingInterval", "MaxMessagesPerInterval", "TransmitDelay", "FailRetries", "RetryMaxDelay", "OnFinalFailure", "ContinuationMaxBytes", "Schedule" }
                .All(p => e.Message.Contains(p)));
        FluentActions.Invoking(() => new TransmitterOptions().Validate()).Should().NotThrow();
    }

    /// <summary>A source whose first completion fails, as a database that drops the connection would.</summary>
    private sealed class FlakySource : IMessageSource
    {
        private int _completions;

        public InMemoryMessageSource Inner { get; } = new();

        public IAsyncEnumerable<OutboundMessage> PollAsync(int max, CancellationToken cancellationToken = default) => Inner.PollAsync(max, cancellationToken);

        public ValueTask CompleteAsync(OutboundMessage message, MllpSendResult result, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _completions) == 1
                ? ValueTask.FromException(new IOException("database gone"))
                : Inner.CompleteAsync(message, result, cancellationToken);
    }
}
