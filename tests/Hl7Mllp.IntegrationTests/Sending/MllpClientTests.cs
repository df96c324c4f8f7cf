using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Sending;
using Hl7Mllp.Testing.Network;
using Polly;
using Polly.Retry;

namespace Hl7Mllp.IntegrationTests.Sending;

/// <summary>The client against a scripted peer on loopback: the sender scenarios of RELIABILITY.md (C1–C6, F2–F4, F16).</summary>
public sealed class MllpClientTests
{
    private static readonly TimeSpan ShortAckTimeout = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task SendAsync_PositiveAck_ReturnsAcceptedWithCodeAndRawAck()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        await using var client = new MllpClient(Options(peer));

        var result = await client.SendAsync(FakeMllpPeer.MessageBytes("M1"));

        result.Status.Should().Be(MllpSendStatus.Accepted);
        result.AckCode.Should().Be("AA");
        Encoding.ASCII.GetString(result.Ack.Span).Should().Contain("MSA|AA|M1");
        peer.ReceivedControlIds.Should().Equal("M1");
        client.State.Should().Be(MllpClientState.Connected);
    }

    [Fact]
    public async Task C1_AckPastTimeout_ThrowsClosesConnectionAndLateAckIsNeverTakenForNextMessage()
    {
        // The first message's ACK comes at 2× the timeout on the first connection; everything else is ACKed at once.
        await using var peer = FakeMllpPeer.Start(async (frame, stream) =>
        {
            if (frame.ConnectionIndex == 0 && frame.MessageIndex == 0)
            {
                await Task.Delay(ShortAckTimeout * 4);
            }

            await frame.ReplyAsync(stream, "AA");
        });
        await using var client = new MllpClient(Options(peer, retry: ResiliencePipeline.Empty));

        var late = () => client.SendAsync(FakeMllpPeer.MessageBytes("LATE")).AsTask();
        var timeout = (await late.Should().ThrowAsync<MllpAckTimeoutException>()).Which;
        timeout.ControlId.Should().Be("LATE");
        client.State.Should().Be(MllpClientState.Disconnected);

        var next = await client.SendAsync(FakeMllpPeer.MessageBytes("NEXT"));

        next.Status.Should().Be(MllpSendStatus.Accepted);
        next.GetAckControlId().Should().Be("NEXT", "the late ACK of LATE must never be matched to NEXT");
        peer.AcceptedConnections.Should().Be(2, "the next send used a fresh connection");
    }

    // RELIABILITY C2 and field failure F9: an unframed or foreign reply is a protocol error at once, not a timeout.
    [Theory]
    [InlineData("swapped")]
    [InlineData("garbled")]
    [InlineData("unframed")]
    [InlineData("commit-block")]
    public async Task C2_ReplyThatIsNoMatchingAck_ReturnsProtocolErrorAndClosesConnection(string fault)
    {
        await using var peer = FakeMllpPeer.Start(async (frame, stream) =>
        {
            if (frame.ConnectionIndex > 0)
            {
                await frame.ReplyAsync(stream, "AA");
                return;
            }

            byte[] reply = fault switch
            {
                "swapped" => FakeMllpPeer.Ack("AA", "SOMEONE-ELSE"),
                "garbled" => FakeMllpPeer.Frame("this is no HL7 message"),
                "unframed" => Encoding.ASCII.GetBytes($"MSH|^~\\&|R|F|S|F|20260101||ACK|X|P|2.5.1\rMSA|AA|{frame.ControlId}\r"),
                _ => [0x0B, 0x06, 0x1C, 0x0D],
            };
            await PeerFrame.WriteAsync(stream, reply);
        });
        var options = Options(peer, retry: ResiliencePipeline.Empty);

        // A reply always comes here; the short default would turn a slow one on a loaded machine into a timeout.
        options.AckTimeout = TimeSpan.FromSeconds(10);
        await using var client = new MllpClient(options);

        var result = await client.SendAsync(FakeMllpPeer.MessageBytes("C2"));

        result.Status.Should().Be(MllpSendStatus.ProtocolError);
        result.IsAccepted.Should().BeFalse();
        client.State.Should().Be(MllpClientState.Disconnected);
        (await client.SendAsync(FakeMllpPeer.MessageBytes("AFTER"))).Status.Should().Be(MllpSendStatus.Accepted);
        peer.AcceptedConnections.Should().Be(2);
    }

    [Theory]
    [InlineData("AR", MllpSendStatus.Rejected)]
    [InlineData("AE", MllpSendStatus.ApplicationError)]
    [InlineData("CR", MllpSendStatus.Rejected)]
    [InlineData("CE", MllpSendStatus.ApplicationError)]
    public async Task C3_NegativeAck_ReturnedWithCodeKeptAndConnectionKept(string code, MllpSendStatus expected)
    {
        await using var peer = FakeMllpPeer.Start((frame, stream) => frame.ReplyAsync(stream, frame.ControlId == "NAK" ? code : "AA"));
        await using var client = new MllpClient(Options(peer));

        var nak = await client.SendAsync(FakeMllpPeer.MessageBytes("NAK"));
        var ok = await client.SendAsync(FakeMllpPeer.MessageBytes("OK"));

        nak.Status.Should().Be(expected);
        nak.AckCode.Should().Be(code);
        ok.Status.Should().Be(MllpSendStatus.Accepted);
        peer.AcceptedConnections.Should().Be(1, "a NAK is a valid answer: the connection stays in step");
    }

    [Fact]
    public async Task C3_CustomSuccessCodes_AreHonoured()
    {
        await using var peer = FakeMllpPeer.Start((frame, stream) => frame.ReplyAsync(stream, "AE"));
        var options = Options(peer);
        options.AckCondition.SuccessCodes = ["AA", "CA", "AE"];
        options.AckCondition.ErrorCodes = ["AR", "CR"];
        await using var client = new MllpClient(options);

        (await client.SendAsync(FakeMllpPeer.MessageBytes("X"))).Status.Should().Be(MllpSendStatus.Accepted);
    }

    [Fact]
    public async Task C4_ReceiverAckingAfterTwiceTheTimeout_SendsPerControlIdBoundedByRetryPolicy()
    {
        // A longer timeout than elsewhere: on a loaded machine a late timer must not let the ACK at 2× win the race.
        var ackTimeout = TimeSpan.FromSeconds(1);
        await using var peer = FakeMllpPeer.Start(async (frame, stream) =>
        {
            await Task.Delay(ackTimeout * 2);
            await frame.ReplyAsync(stream, "AA");
        });
        var retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<MllpAckTimeoutException>().Handle<MllpConnectionException>(),
            MaxRetryAttempts = 2,
            Delay = TimeSpan.FromMilliseconds(10),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        }).Build();
        var options = Options(peer, retry: retry);
        options.AckTimeout = ackTimeout;
        await using var client = new MllpClient(options);

        var send = () => client.SendAsync(FakeMllpPeer.MessageBytes("STORM")).AsTask();

        await send.Should().ThrowAsync<MllpAckTimeoutException>();
        peer.ReceivedControlIds.Should().Equal(["STORM", "STORM", "STORM"], "one send plus two retries, each with the same MSH-10");
        peer.AcceptedConnections.Should().Be(3, "every resend goes over a new connection");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task C5_PeerClosedIdleConnection_NextSendReconnectsTransparentlyWithExactlyOneDelivery(bool lowLatency)
    {
        await using var peer = FakeMllpPeer.Start(async (frame, stream) =>
        {
            await frame.ReplyAsync(stream, "AA");
            frame.CloseAfter = frame.ConnectionIndex == 0;
        });
        var events = new ConcurrentQueue<MllpClientEventArgs>();
        var options = Options(peer, retry: ResiliencePipeline.Empty);
        options.LowLatencyAckWait = lowLatency ? TimeSpan.FromMilliseconds(1) : TimeSpan.Zero;
        await using var client = new MllpClient(options);
        client.EventRaised += (_, e) => events.Enqueue(e);

        (await client.SendAsync(FakeMllpPeer.MessageBytes("FIRST"))).Status.Should().Be(MllpSendStatus.Accepted);
        await WaitUntilAsync(() => peer.OpenConnections == 0);

        var second = await client.SendAsync(FakeMllpPeer.MessageBytes("SECOND"));

        second.Status.Should().Be(MllpSendStatus.Accepted, "the dead connection was renewed before the send, without a failure");
        peer.ReceivedControlIds.Should().Equal("FIRST", "SECOND");
        peer.AcceptedConnections.Should().Be(2);
        await WaitUntilAsync(() => events.Count(e => e.Kind == MllpClientEventKind.AckReceived) == 2);
        events.Should().NotContain(e => e.Kind == MllpClientEventKind.SendFailed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task C6_BlackholedPeer_DetectedWithinAckTimeout(bool lowLatency)
    {
        await using var peer = FakeMllpPeer.Start((_, _) => Task.Delay(Timeout.Infinite, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        var options = Options(peer, retry: ResiliencePipeline.Empty);
        options.LowLatencyAckWait = lowLatency ? TimeSpan.FromMilliseconds(1) : TimeSpan.Zero;
        await using var client = new MllpClient(options);
        var watch = Stopwatch.StartNew();

        var send = () => client.SendAsync(FakeMllpPeer.MessageBytes("VOID")).AsTask();

        await send.Should().ThrowAsync<MllpAckTimeoutException>();
        watch.Elapsed.Should().BeLessThan(ShortAckTimeout + TimeSpan.FromSeconds(3));
        client.State.Should().Be(MllpClientState.Disconnected);
    }

    [Fact]
    public async Task F16_AckSplitIntoSingleBytes_IsReassembled()
    {
        await using var peer = FakeMllpPeer.Start(async (frame, stream) =>
        {
            foreach (byte b in FakeMllpPeer.Ack("AA", frame.ControlId))
            {
                await PeerFrame.WriteAsync(stream, [b]);
                await Task.Delay(1);
            }
        });
        var options = Options(peer);
        options.AckTimeout = TimeSpan.FromSeconds(20);
        await using var client = new MllpClient(options);

        for (int i = 0; i < 3; i++)
        {
            var result = await client.SendAsync(FakeMllpPeer.MessageBytes($"SPLIT{i}"));
            result.Status.Should().Be(MllpSendStatus.Accepted);
            result.GetAckControlId().Should().Be($"SPLIT{i}");
        }

        peer.AcceptedConnections.Should().Be(1);
    }

    [Fact]
    public async Task AckFollowedByGarbageInOneWrite_AckCountsAndConnectionIsRenewed()
    {
        await using var peer = FakeMllpPeer.Start((frame, stream) =>
            PeerFrame.WriteAsync(stream, [.. FakeMllpPeer.Ack("AA", frame.ControlId), .. "garbage"u8]));
        await using var client = new MllpClient(Options(peer));

        (await client.SendAsync(FakeMllpPeer.MessageBytes("G1"))).Status.Should().Be(MllpSendStatus.Accepted);
        (await client.SendAsync(FakeMllpPeer.MessageBytes("G2"))).Status.Should().Be(MllpSendStatus.Accepted);

        peer.AcceptedConnections.Should().Be(2, "bytes after an ACK put the stream out of step, so it is renewed");
        peer.ReceivedControlIds.Should().Equal("G1", "G2");
    }

    [Fact]
    public async Task SendAsync_PeerClosesBeforeAck_ThrowsConnectionExceptionAndIsNeverAccepted()
    {
        await using var peer = FakeMllpPeer.Start((frame, _) =>
        {
            frame.CloseAfter = true;
            return Task.CompletedTask;
        });
        await using var client = new MllpClient(Options(peer, retry: ResiliencePipeline.Empty));

        var send = () => client.SendAsync(FakeMllpPeer.MessageBytes("F4")).AsTask();

        var exception = (await send.Should().ThrowAsync<MllpConnectionException>()).Which;
        exception.Attempt.Should().BeNull("the connection was made; it broke before the ACK");
    }

    [Fact]
    public async Task SendAsync_NothingListening_ThrowsConnectionExceptionAfterRetriesWithAttemptHistory()
    {
        int port;
        await using (var closed = FakeMllpPeer.StartAcking())
        {
            port = closed.Port;
        }

        var options = new MllpClientOptions { Host = "127.0.0.1", Port = port, ReconnectAttempts = 2, ReconnectDelay = TimeSpan.FromMilliseconds(10) };
        await using var client = new MllpClient(options);

        var send = () => client.SendAsync(FakeMllpPeer.MessageBytes("NOBODY")).AsTask();

        var exception = (await send.Should().ThrowAsync<MllpConnectionException>()).Which;
        exception.Attempt!.Outcome.Should().Be(MllpConnectionOutcome.Refused);
        client.GetConnectionAttempts().Should().HaveCount(3).And.OnlyContain(a => a.Outcome == MllpConnectionOutcome.Refused && a.Error != null);
    }

    [Fact]
    public async Task Persistent_ThreeSends_UseOneConnection()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        await using var client = new MllpClient(Options(peer));

        for (int i = 0; i < 3; i++)
        {
            (await client.SendAsync(FakeMllpPeer.MessageBytes($"P{i}"))).IsAccepted.Should().BeTrue();
        }

        peer.AcceptedConnections.Should().Be(1);
    }

    [Fact]
    public async Task NotPersistent_EachSendConnectsAndDisconnects_BatchSharesOneConnection()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        var options = Options(peer);
        options.PersistentConnection = false;
        await using var client = new MllpClient(options);

        for (int i = 0; i < 3; i++)
        {
            (await client.SendAsync(FakeMllpPeer.MessageBytes($"S{i}"))).IsAccepted.Should().BeTrue();
            client.State.Should().Be(MllpClientState.Disconnected);
        }

        var batch = await client.SendBatchAsync([FakeMllpPeer.MessageBytes("B1"), FakeMllpPeer.MessageBytes("B2"), FakeMllpPeer.MessageBytes("B3")]);

        batch.Should().HaveCount(3).And.OnlyContain(r => r.IsAccepted);
        peer.AcceptedConnections.Should().Be(4, "one connection per send, one for the whole batch");
        client.State.Should().Be(MllpClientState.Disconnected);
    }

    [Fact]
    public async Task ConcurrentSends_OneInFlightAtATime_AllAnsweredCorrectly()
    {
        int inFlight = 0;
        int maxInFlight = 0;
        await using var peer = FakeMllpPeer.Start(async (frame, stream) =>
        {
            int now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            await Task.Delay(2);
            Interlocked.Decrement(ref inFlight);
            await frame.ReplyAsync(stream, "AA");
        });
        await using var client = new MllpClient(Options(peer));

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.SendAsync(FakeMllpPeer.MessageBytes($"C{i}")).AsTask()));

        results.Select(r => r.GetAckControlId()).Should().BeEquivalentTo(Enumerable.Range(0, 20).Select(i => $"C{i}"));
        results.Should().OnlyContain(r => r.IsAccepted);
        maxInFlight.Should().Be(1);
        peer.AcceptedConnections.Should().Be(1);
    }

    [Fact]
    public async Task Heartbeat_SentWhenIdle_ConsumedAndNeverASendResult()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        var options = Options(peer);
        options.Heartbeat.MessageText = FakeMllpPeer.Message("HEARTBEAT");
        options.Heartbeat.Interval = TimeSpan.FromMilliseconds(200);
        var events = new ConcurrentQueue<MllpClientEventArgs>();
        await using var client = new MllpClient(options);
        client.EventRaised += (_, e) => events.Enqueue(e);

        (await client.SendAsync(FakeMllpPeer.MessageBytes("REAL"))).IsAccepted.Should().BeTrue();
        await WaitUntilAsync(() => peer.ReceivedControlIds.Count(id => id.StartsWith("HB", StringComparison.Ordinal)) >= 2);
        var after = await client.SendAsync(FakeMllpPeer.MessageBytes("REAL2"));

        after.GetAckControlId().Should().Be("REAL2", "heartbeat ACKs are consumed and never reach a send");
        peer.AcceptedConnections.Should().Be(1);
        events.Where(e => e.Kind is MllpClientEventKind.AckReceived or MllpClientEventKind.Sending).Should().NotContain(e => e.ControlId!.StartsWith("HB", StringComparison.Ordinal));
        events.Should().NotContain(e => e.Kind == MllpClientEventKind.HeartbeatFailed);
    }

    [Fact]
    public async Task Heartbeat_PeerRejectsRepeatedControlIds_EveryHeartbeatAcceptedWithItsOwnId()
    {
        // Review finding 1: every heartbeat carried the configured MSH-10, so a receiver with duplicate tracking answered
        // AR from the second heartbeat on and the client tore the connection down every interval.
        var seen = new ConcurrentDictionary<string, byte>();
        await using var peer = FakeMllpPeer.Start((frame, stream) => frame.ReplyAsync(stream, seen.TryAdd(frame.ControlId, 0) ? "AA" : "AR"));
        var options = Options(peer);
        options.Heartbeat.MessageText = FakeMllpPeer.Message("HEARTBEAT");
        options.Heartbeat.Interval = TimeSpan.FromMilliseconds(200);
        var events = new ConcurrentQueue<MllpClientEventArgs>();
        await using var client = new MllpClient(options);
        client.EventRaised += (_, e) => events.Enqueue(e);

        await client.ConnectAsync();
        await WaitUntilAsync(() => peer.ReceivedControlIds.Count >= 3);

        var heartbeatIds = peer.ReceivedControlIds.Take(3).ToList();
        heartbeatIds.Should().OnlyHaveUniqueItems().And.OnlyContain(id => id.StartsWith("HB", StringComparison.Ordinal) && id.Length <= 20);
        events.Should().NotContain(e => e.Kind == MllpClientEventKind.HeartbeatFailed);
        peer.AcceptedConnections.Should().Be(1, "accepted heartbeats keep the connection");
    }

    [Fact]
    public async Task Heartbeat_NegativeAck_RaisesHeartbeatFailedAndRenewsConnection()
    {
        await using var peer = FakeMllpPeer.Start((frame, stream) => frame.ReplyAsync(stream, frame.ControlId.StartsWith("HB", StringComparison.Ordinal) ? "AR" : "AA"));
        var options = Options(peer);
        options.Heartbeat.Message = FakeMllpPeer.MessageBytes("HEARTBEAT");
        options.Heartbeat.Interval = TimeSpan.FromMilliseconds(200);
        var events = new ConcurrentQueue<MllpClientEventArgs>();
        await using var client = new MllpClient(options);
        client.EventRaised += (_, e) => events.Enqueue(e);

        await client.ConnectAsync();
        await WaitUntilAsync(() => events.Any(e => e.Kind == MllpClientEventKind.HeartbeatFailed) && peer.AcceptedConnections >= 2);

        (await client.SendAsync(FakeMllpPeer.MessageBytes("STILL-OK"))).IsAccepted.Should().BeTrue();
    }

    [Fact]
    public async Task IdleReset_IdlePersistentConnection_IsClosedAndNextSendReconnects()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        var options = Options(peer);
        options.IdleReset = TimeSpan.FromMilliseconds(200);
        await using var client = new MllpClient(options);

        (await client.SendAsync(FakeMllpPeer.MessageBytes("I1"))).IsAccepted.Should().BeTrue();
        await WaitUntilAsync(() => client.State == MllpClientState.Disconnected && peer.OpenConnections == 0);
        (await client.SendAsync(FakeMllpPeer.MessageBytes("I2"))).IsAccepted.Should().BeTrue();

        peer.AcceptedConnections.Should().Be(2);
    }

    [Fact]
    public async Task Events_RaisedInOrderOffThePath_ThrowingSubscriberIgnored()
    {
        await using var peer = FakeMllpPeer.Start((frame, stream) => frame.ReplyAsync(stream, frame.ControlId == "BAD" ? "AE" : "AA"));
        var events = new ConcurrentQueue<MllpClientEventArgs>();
        await using var client = new MllpClient(Options(peer));
        client.EventRaised += (_, _) => throw new InvalidOperationException("subscriber bug");
        client.EventRaised += (_, e) => events.Enqueue(e);

        await client.SendAsync(FakeMllpPeer.MessageBytes("GOOD"));
        await client.SendAsync(FakeMllpPeer.MessageBytes("BAD"));
        await WaitUntilAsync(() => events.Count >= 6);

        events.Select(e => (e.Kind, e.ControlId)).Should().Equal(
            (MllpClientEventKind.Connecting, null),
            (MllpClientEventKind.Connected, null),
            (MllpClientEventKind.Sending, "GOOD"),
            (MllpClientEventKind.AckReceived, "GOOD"),
            (MllpClientEventKind.Sending, "BAD"),
            (MllpClientEventKind.NakReceived, "BAD"));
        events.Last().AckCode.Should().Be("AE");
        events.Should().OnlyContain(e => e.EndPoint == client.EndPoint);
    }

    [Fact]
    public async Task Metrics_SentAckDurationNaksTimeoutsAndReconnects_AreRecordedWithServerAddress()
    {
        await using var peer = FakeMllpPeer.Start(async (frame, stream) =>
        {
            if (frame.ControlId == "SLOW")
            {
                await Task.Delay(ShortAckTimeout * 2);
            }

            await frame.ReplyAsync(stream, frame.ControlId == "NAK" ? "AR" : "AA");
        });
        var measurements = new ConcurrentQueue<(string Name, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Hl7Mllp" && instrument.Name.StartsWith("hl7mllp.client.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.Start();
        string host = "127.0.0.1";
        await using var client = new MllpClient(Options(peer, retry: ResiliencePipeline.Empty));

        await client.SendAsync(FakeMllpPeer.MessageBytes("OK"));
        await client.SendAsync(FakeMllpPeer.MessageBytes("NAK"));
        await FluentActions.Awaiting(() => client.SendAsync(FakeMllpPeer.MessageBytes("SLOW")).AsTask()).Should().ThrowAsync<MllpAckTimeoutException>();
        await client.SendAsync(FakeMllpPeer.MessageBytes("OK2"));

        var mine = measurements.Where(m => Equals(m.Tags.GetValueOrDefault("server.address"), host) && m.Tags.Count > 0).ToList();
        mine.Where(m => m.Name == "hl7mllp.client.messages.sent").Sum(m => m.Value).Should().BeGreaterThanOrEqualTo(4);
        mine.Should().Contain(m => m.Name == "hl7mllp.client.naks" && Equals(m.Tags["hl7.ack_code"], "AR"));
        mine.Should().Contain(m => m.Name == "hl7mllp.client.ack.duration" && m.Value > 0);
        mine.Should().Contain(m => m.Name == "hl7mllp.client.timeouts");
        mine.Should().Contain(m => m.Name == "hl7mllp.client.reconnects");
    }

    [Fact]
    public async Task Activity_OnePerSend_WhenListened()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Hl7Mllp",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var client = new MllpClient(Options(peer));

        await client.SendAsync(FakeMllpPeer.MessageBytes("TRACED"));

        var activity = activities.Should().ContainSingle(a => (string?)a.GetTagItem("hl7.control_id") == "TRACED").Which;
        activity.OperationName.Should().Be("hl7mllp.send");
        activity.GetTagItem("hl7.ack_code").Should().Be("AA");
        activity.GetTagItem("server.address").Should().Be("127.0.0.1");
    }

    [Fact]
    public async Task SendAsync_StringInLatin1PerMsh18_IsEncodedWithThatCharacterSet()
    {
        byte[]? received = null;
        await using var peer = FakeMllpPeer.Start((frame, stream) =>
        {
            received = frame.Payload;
            return frame.ReplyAsync(stream, "AA");
        });
        await using var client = new MllpClient(Options(peer));

        await client.SendAsync(FakeMllpPeer.Message("ENC", "8859/1").Replace("DOE", "MÜLLER", StringComparison.Ordinal));

        received.Should().NotBeNull();
        received!.Should().ContainInOrder(Encoding.Latin1.GetBytes("MÜLLER"));
        received.Should().NotContainInOrder(Encoding.UTF8.GetBytes("MÜLLER"));
    }

    [Fact]
    public async Task LowLatencyMode_FastSlowAndMissingAcks_AcceptedAcceptedTimeout()
    {
        await using var peer = FakeMllpPeer.Start(async (frame, stream) =>
        {
            switch (frame.ControlId)
            {
                case "SLOW":
                    await Task.Delay(100);
                    break;
                case "NEVER":
                    return;
            }

            await frame.ReplyAsync(stream, "AA");
        });
        var options = Options(peer, retry: ResiliencePipeline.Empty);
        options.LowLatencyAckWait = TimeSpan.FromMilliseconds(1);
        options.AckTimeout = TimeSpan.FromSeconds(3);
        await using var client = new MllpClient(options);

        (await client.SendAsync(FakeMllpPeer.MessageBytes("FAST"))).GetAckControlId().Should().Be("FAST");
        (await client.SendAsync(FakeMllpPeer.MessageBytes("SLOW"))).GetAckControlId().Should().Be("SLOW");
        await FluentActions.Awaiting(() => client.SendAsync(FakeMllpPeer.MessageBytes("NEVER")).AsTask()).Should().ThrowAsync<MllpAckTimeoutException>();
        (await client.SendAsync(FakeMllpPeer.MessageBytes("AGAIN"))).GetAckControlId().Should().Be("AGAIN");
        peer.AcceptedConnections.Should().Be(2);
    }

    [Fact]
    public async Task DisconnectAsync_AfterASend_ClosesAndTheNextSendConnectsAgain()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        await using var client = new MllpClient(Options(peer));
        (await client.SendAsync(FakeMllpPeer.MessageBytes("D1"))).Status.Should().Be(MllpSendStatus.Accepted);

        await client.DisconnectAsync();

        client.State.Should().Be(MllpClientState.Disconnected);
        await WaitUntilAsync(() => peer.OpenConnections == 0);
        await client.DisconnectAsync();
        (await client.SendAsync(FakeMllpPeer.MessageBytes("D2"))).Status.Should().Be(MllpSendStatus.Accepted);
        peer.AcceptedConnections.Should().Be(2);
    }

    [Fact]
    public async Task DisconnectAsync_WhileASendWaitsForItsAck_WaitsForTheAckThenCloses()
    {
        await using var peer = FakeMllpPeer.Start(async (frame, stream) =>
        {
            await Task.Delay(200);
            await frame.ReplyAsync(stream, "AA");
        });
        var options = Options(peer, retry: ResiliencePipeline.Empty);
        options.AckTimeout = TimeSpan.FromSeconds(10);
        await using var client = new MllpClient(options);
        var send = client.SendAsync(FakeMllpPeer.MessageBytes("SLOW")).AsTask();
        await WaitUntilAsync(() => peer.ReceivedControlIds.Count == 1);

        await client.DisconnectAsync();

        (await send).Status.Should().Be(MllpSendStatus.Accepted, "a close before the ACK would have failed the send");
        client.State.Should().Be(MllpClientState.Disconnected);
        peer.AcceptedConnections.Should().Be(1);
    }

    [Fact]
    public async Task DisconnectAsync_Disposed_ThrowsObjectDisposed()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        var client = new MllpClient(Options(peer));
        await client.DisposeAsync();

        await FluentActions.Awaiting(() => client.DisconnectAsync().AsTask()).Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task LowLatencyMode_PeerNeverReadsAndCallerCancels_BlockedWriteEndsCanceledAndConnectionClosed()
    {
        await using var server = RawTcpServer.Start((_, token) => Task.Delay(Timeout.Infinite, token));
        await using var client = new MllpClient(LowLatencyOptions(server.EndPoint.Port, TimeSpan.FromSeconds(30)));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();

        var send = () => client.SendAsync(LargerThanSocketBuffers("STUCK"), cancel.Token).AsTask();

        await send.Should().ThrowAsync<OperationCanceledException>();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        client.State.Should().Be(MllpClientState.Disconnected);
    }

    [Fact]
    public async Task LowLatencyMode_PeerNeverReads_BlockedWriteFailsAfterTheAckTimeout()
    {
        await using var server = RawTcpServer.Start((_, token) => Task.Delay(Timeout.Infinite, token));
        await using var client = new MllpClient(LowLatencyOptions(server.EndPoint.Port, TimeSpan.FromSeconds(1)));
        var watch = Stopwatch.StartNew();

        var send = () => client.SendAsync(LargerThanSocketBuffers("STUCK")).AsTask();

        (await send.Should().ThrowAsync<MllpConnectionException>()).Which.Message.Should().Contain("write failed");
        watch.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(900)).And.BeLessThan(TimeSpan.FromSeconds(10));
        client.State.Should().Be(MllpClientState.Disconnected);
    }

    internal static MllpClientOptions Options(FakeMllpPeer peer, ResiliencePipeline? retry = null) => new()
    {
        Host = "127.0.0.1",
        Port = peer.Port,
        AckTimeout = ShortAckTimeout,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        Retry = retry,
        ReconnectDelay = TimeSpan.FromMilliseconds(10),
    };

    private static MllpClientOptions LowLatencyOptions(int port, TimeSpan ackTimeout) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        AckTimeout = ackTimeout,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        Retry = ResiliencePipeline.Empty,
        LowLatencyAckWait = TimeSpan.FromMilliseconds(1),
    };

    /// <summary>A message of 64 MiB: more than loopback's send and receive buffers hold together, so a write to a peer that does not read blocks.</summary>
    private static byte[] LargerThanSocketBuffers(string controlId) =>
        Encoding.ASCII.GetBytes(FakeMllpPeer.Message(controlId) + "OBX|1|TX|||" + new string('x', 64 << 20) + "\r");

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            deadline.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the condition should hold by then");
            await Task.Delay(20);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}

/// <summary>Reads MSA-2 from a result's raw ACK.</summary>
internal static class SendResultExtensions
{
    public static string GetAckControlId(this MllpSendResult result)
    {
        string text = Encoding.ASCII.GetString(result.Ack.Span);
        int msa = text.IndexOf("MSA|", StringComparison.Ordinal);
        return msa < 0 ? string.Empty : text[msa..].Split('|', '\r')[2];
    }
}
