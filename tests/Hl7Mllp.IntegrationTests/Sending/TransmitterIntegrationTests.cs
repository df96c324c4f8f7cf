using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Messages;
using Hl7Mllp.Receiving;
using Hl7Mllp.Scheduling;
using Hl7Mllp.Sending;
using Hl7Mllp.Storage;
using Hl7Mllp.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Hl7Mllp.IntegrationTests.Sending;

/// <summary>The transmitter with the real <see cref="MllpClient"/> over loopback (RELIABILITY C4, C7-like peer crashes).</summary>
public sealed class TransmitterIntegrationTests
{
    private static byte[] Message(string controlId) => Encoding.ASCII.GetBytes(
        $"MSH|^~\\&|SEND|FAC|RECV|FAC|20260101120000||ADT^A01^ADT_A01|{controlId}|P|2.5.1\rEVN|A01|20260101120000\rPID|1||{controlId}^^^H^MR\r");

    [Fact]
    public async Task C4_ReceiverAcksLongAfterTheTimeout_SendsPerControlIdBoundedByFailRetriesPlusOne()
    {
        var ackTimeout = TimeSpan.FromMilliseconds(300);
        await using var peer = TransmitterTestPeer.Start();
        // Ten times the timeout: the timeout's timer runs on the thread pool, which a loaded CI machine can delay by
        // hundreds of milliseconds; an ACK that arrives before the timer fires is rightly accepted.
        peer.AckDelay = ackTimeout * 10;
        await using var client = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = peer.Port, AckTimeout = ackTimeout });
        var completions = new List<MllpSendResult>();
        var source = new InMemoryMessageSource(completed: (_, r) =>
        {
            lock (completions)
            {
                completions.Add(r);
            }
        });
        await source.EnqueueAsync(Message("C4A"));
        await source.EnqueueAsync(Message("C4B"));
        var options = new TransmitterOptions
        {
            FailRetries = 2,
            RetryDelay = TimeSpan.FromMilliseconds(20),
            OnFinalFailure = TransmitterFailurePolicy.Skip,
            PollingInterval = TimeSpan.FromMilliseconds(100),
        };
        await using var transmitter = new Transmitter(source, client, options);

        await transmitter.StartAsync();
        await Eventually.AssertAsync(() => { lock (completions) { return completions.Count == 2; } }, TimeSpan.FromSeconds(20));
        await transmitter.StopAsync();

        completions.Should().OnlyContain(r => r.Status == MllpSendStatus.Timeout);
        var perId = peer.ReceivedControlIds.GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        perId.Should().BeEquivalentTo(new Dictionary<string, int> { ["C4A"] = 3, ["C4B"] = 3 }, "late ACKs are never taken for a later message, and each MSH-10 is sent FailRetries + 1 times");
        peer.ReceivedControlIds.Should().Equal("C4A", "C4A", "C4A", "C4B", "C4B", "C4B");
        transmitter.GetStatus().FailedAttempts.Should().Be(6);
    }

    [Fact]
    public async Task PeerKilledAndRestartedMidRun_NothingLostOrderKept()
    {
        const int count = 300;
        await using var peer = TransmitterTestPeer.Start();
        int crashes = 0;
        var crashedOn = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>();
        peer.CrashAfterReceiving = id => id is "K0050" or "K0150" or "K0250" && crashedOn.TryAdd(id, 0) && Interlocked.Increment(ref crashes) > 0;
        await using var client = new MllpClient(new MllpClientOptions
        {
            Host = "127.0.0.1",
            Port = peer.Port,
            AckTimeout = TimeSpan.FromSeconds(2),
            ConnectTimeout = TimeSpan.FromSeconds(1),
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        });
        var completed = new List<(string Id, MllpSendStatus Status)>();
        var source = new InMemoryMessageSource(capacity: 50, completed: (m, r) =>
        {
            lock (completed)
            {
                completed.Add((m.Id, r.Status));
            }
        });
        var options = new TransmitterOptions { FailRetries = 100, RetryDelay = TimeSpan.FromMilliseconds(50), RetryMaxDelay = TimeSpan.FromMilliseconds(200), PollingInterval = TimeSpan.FromMilliseconds(50) };
        await using var transmitter = new Transmitter(source, client, options);
        await transmitter.StartAsync();

        // The producer is throttled by the bounded source (C9) while the peer crashes three times and comes back.
        var producer = Task.Run(async () =>
        {
            for (int i = 0; i < count; i++)
            {
                await source.EnqueueAsync(Message($"K{i:D4}"));
            }
        });
        var restarter = Task.Run(async () =>
        {
            for (int restarts = 0; restarts < 3;)
            {
                await Eventually.AssertAsync(() => Volatile.Read(ref crashes) > restarts, TimeSpan.FromSeconds(30));
                await Task.Delay(300);
                peer.Restart();
                restarts++;
            }
        });
        await producer.WaitAsync(TimeSpan.FromSeconds(60));
        await restarter.WaitAsync(TimeSpan.FromSeconds(60));
        await Eventually.AssertAsync(() => { lock (completed) { return completed.Count == count; } }, TimeSpan.FromSeconds(60));
        await transmitter.StopAsync();

        completed.Should().OnlyContain(c => c.Status == MllpSendStatus.Accepted);
        completed.Select(c => c.Id).Should().Equal(Enumerable.Range(1, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var received = peer.ReceivedControlIds;
        var deduplicated = received.Where((id, i) => i == 0 || id != received[i - 1]).ToList();
        deduplicated.Should().Equal(Enumerable.Range(0, count).Select(i => $"K{i:D4}"), "every message arrives, in order; only the one in flight at a crash is repeated");
        (received.Count - count).Should().BeInRange(3, 6, "one duplicate per crash (plus at most one per reconnect race)");
    }

    [Fact]
    public async Task Continuation_OneMegabyteAt64Kilobytes_EveryFragmentAckedByARealListenerInOrder()
    {
        var text = new StringBuilder($"MSH|^~\\&|SEND|FAC|RECV|FAC|20260101120000||ORU^R01^ORU_R01|BIG1|P|2.5.1\rPID|1||42^^^H^MR\r");
        for (int i = 1; text.Length < 1024 * 1024; i++)
        {
            text.Append("OBX|").Append(i).Append("|ED|PDF||^AP^PDF^Base64^").Append(new string((char)('A' + (i % 26)), 30_000 + (i * 7919 % 50_000))).Append("||||||F\r");
        }

        byte[] original = Encoding.ASCII.GetBytes(text.ToString());
        var handler = new RecordingHandler();
        await using var listener = new MllpListener(new MllpListenerOptions { Endpoints = [new IPEndPoint(IPAddress.Loopback, 0)] }, handler);
        await listener.StartAsync();
        await using var client = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = listener.LocalEndPoint.Port, AckTimeout = TimeSpan.FromSeconds(10) });
        var completions = new ConcurrentQueue<MllpSendResult>();
        var source = new InMemoryMessageSource(completed: (_, r) => completions.Enqueue(r));
        await source.EnqueueAsync(original);
        await source.EnqueueAsync(Message("AFTER"));
        await using var transmitter = new Transmitter(source, client, new TransmitterOptions { ContinuationMaxBytes = 64 * 1024 });

        await transmitter.StartAsync();
        await Eventually.AssertAsync(() => completions.Count == 2, TimeSpan.FromSeconds(30));
        await transmitter.StopAsync();

        completions.Should().OnlyContain(r => r.IsAccepted);
        var expected = new ContinuationSplitter(64 * 1024).Split(original);
        var received = handler.Payloads.ToList();
        received.Should().HaveCount(expected.Count + 1);
        for (int k = 0; k < expected.Count; k++)
        {
            received[k].Length.Should().BeLessThanOrEqualTo(64 * 1024);
            received[k].Should().Equal(expected[k].ToArray(), "the fragments arrive whole and in order; joining them gives the original (ContinuationSplitterTests)");
        }

        Hl7Message.Parse(received[^1]).ControlId.Should().Be("AFTER", "the next message waits until every fragment was ACKed");
    }

    [Fact]
    public async Task NonPersistentClient_EachPollThatFindsMessages_UsesOneConnectionClosedAfterIt()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        await using var client = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = peer.Port, PersistentConnection = false });
        var completions = new ConcurrentQueue<MllpSendResult>();
        var source = new InMemoryMessageSource(completed: (_, r) => completions.Enqueue(r));
        for (int i = 0; i < 5; i++)
        {
            await source.EnqueueAsync(Message($"NP{i}"));
        }

        await using var transmitter = new Transmitter(source, client, new TransmitterOptions { PollingInterval = TimeSpan.FromMilliseconds(100) });
        await transmitter.StartAsync();
        await Eventually.AssertAsync(() => completions.Count == 5, TimeSpan.FromSeconds(20));
        await Eventually.AssertAsync(() => peer.OpenConnections == 0, TimeSpan.FromSeconds(10));
        peer.AcceptedConnections.Should().Be(1, "one poll found five messages: one connection, closed after them (seed 002, Persistent Connection off)");

        await source.EnqueueAsync(Message("NP5"));
        await source.EnqueueAsync(Message("NP6"));
        await Eventually.AssertAsync(() => completions.Count == 7, TimeSpan.FromSeconds(20));
        await Eventually.AssertAsync(() => peer.OpenConnections == 0, TimeSpan.FromSeconds(10));
        await transmitter.StopAsync();

        completions.Should().OnlyContain(r => r.IsAccepted);
        peer.AcceptedConnections.Should().BeInRange(2, 3, "the next messages came in one or two polls, each with its own connection");
        peer.ReceivedControlIds.Should().Equal("NP0", "NP1", "NP2", "NP3", "NP4", "NP5", "NP6");
    }

    [Fact]
    public async Task NonPersistentClient_PeerClosesTheHeldConnectionMidPoll_RestOfThePollSentOnOneNewConnection()
    {
        int closed = 0;
        await using var peer = FakeMllpPeer.Start(async (frame, stream) =>
        {
            await frame.ReplyAsync(stream, "AA");
            frame.CloseAfter = frame.ControlId == "HC1" && Interlocked.Exchange(ref closed, 1) == 0;
        });
        await using var client = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = peer.Port, PersistentConnection = false });
        var completions = new ConcurrentQueue<MllpSendResult>();
        var source = new InMemoryMessageSource(completed: (_, r) => completions.Enqueue(r));
        for (int i = 0; i < 5; i++)
        {
            await source.EnqueueAsync(Message($"HC{i}"));
        }

        await using var transmitter = new Transmitter(source, client, new TransmitterOptions { PollingInterval = TimeSpan.FromMilliseconds(100) });
        await transmitter.StartAsync();
        await Eventually.AssertAsync(() => completions.Count == 5, TimeSpan.FromSeconds(20));
        await Eventually.AssertAsync(() => peer.OpenConnections == 0, TimeSpan.FromSeconds(10));
        await transmitter.StopAsync();

        completions.Should().OnlyContain(r => r.IsAccepted);
        peer.ReceivedControlIds.Should().Equal(["HC0", "HC1", "HC2", "HC3", "HC4"], "the dropped connection held no unanswered message");
        peer.AcceptedConnections.Should().Be(2, "the held connection the peer closed is replaced once, and the new one is held for the rest of the poll, then closed");
    }

    [Fact]
    public async Task PersistentClient_ScheduleTurnsOff_ConnectionClosedUntilTheScheduleIsOnAgain()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero));
        await using var peer = FakeMllpPeer.StartAcking();
        await using var client = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = peer.Port });
        var completions = new ConcurrentQueue<MllpSendResult>();
        var source = new InMemoryMessageSource(completed: (_, r) => completions.Enqueue(r));
        await source.EnqueueAsync(Message("ON1"));
        var options = new TransmitterOptions
        {
            PollingInterval = TimeSpan.FromSeconds(1),
            Schedule = Schedule.Daily(new TimeOnly(7, 0), new TimeOnly(9, 0)),
        };
        await using var transmitter = new Transmitter(source, client, options, timeProvider: time);

        await transmitter.StartAsync();
        await Eventually.AssertAsync(() => completions.Count == 1, TimeSpan.FromSeconds(20));
        peer.OpenConnections.Should().Be(1, "a persistent connection stays open while the schedule is on");

        time.SetUtcNow(new DateTimeOffset(2026, 1, 1, 9, 30, 0, TimeSpan.Zero));
        await Eventually.AssertAsync(() => transmitter.GetStatus().State == TransmitterState.OutsideSchedule, TimeSpan.FromSeconds(10));
        await Eventually.AssertAsync(() => peer.OpenConnections == 0, TimeSpan.FromSeconds(10));

        await source.EnqueueAsync(Message("ON2"));
        time.SetUtcNow(new DateTimeOffset(2026, 1, 2, 7, 30, 0, TimeSpan.Zero));
        await Eventually.AssertAsync(() => completions.Count == 2, TimeSpan.FromSeconds(20));
        await transmitter.StopAsync();

        peer.AcceptedConnections.Should().Be(2, "the connection was closed outside the schedule and opened again inside it");
        peer.ReceivedControlIds.Should().Equal("ON1", "ON2");
    }

    /// <summary>Records every payload and answers AA.</summary>
    private sealed class RecordingHandler : IMllpMessageHandler
    {
        public ConcurrentQueue<byte[]> Payloads { get; } = new();

        public ValueTask HandleAsync(MllpReceiveContext context, CancellationToken cancellationToken = default)
        {
            byte[] payload = context.Payload.ToArray();
            Payloads.Enqueue(payload);
            string controlId = Hl7Message.Parse(payload).ControlId;
            context.Response.Write(Encoding.ASCII.GetBytes($"MSH|^~\\&|R|F|S|F|20260101120000||ACK|A{controlId}|P|2.5.1\rMSA|AA|{controlId}\r"));
            return ValueTask.CompletedTask;
        }
    }
}
