using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Hl7Mllp.Diagnostics;
using Hl7Mllp.Receiving;
using Hl7Mllp.Testing.Logging;
using Microsoft.Extensions.Time.Testing;
using Hl7Mllp.Testing;

namespace Hl7Mllp.IntegrationTests.Receiving;

public sealed partial class MllpListenerTests
{
    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public async Task E1_StopWithHundredMessagesInFlight_AcksOnlyHandledMessagesWithinTheDrainBound(int connectionThreads)
    {
        var handler = new EchoAckHandler { Delay = TimeSpan.FromMilliseconds(15) };
        var harness = await ListenerHarness.StartAsync(
            o =>
            {
                o.DrainTimeout = TimeSpan.FromSeconds(2);
                o.DedicatedThreadConnections = connectionThreads;
            },
            handler);
        var clients = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => harness.ConnectAsync()));
        var acked = new ConcurrentBag<string>();
        var readers = clients.Select((client, c) => Task.Run(async () =>
        {
            await client.WriteFramesAsync(Enumerable.Range(0, 20).Select(i => $"C{c}M{i}"));
            while (MllpTestClient.AckedControlId(await client.ReadFrameAsync(TimeSpan.FromSeconds(10))) is { } id)
            {
                acked.Add(id);
            }
        })).ToArray();
        await Eventually.AssertAsync(() => acked.Count >= 10, TimeSpan.FromSeconds(10), "some ACKs arrived before the stop");

        var watch = Stopwatch.StartNew();
        await harness.Listener.StopAsync();
        watch.Stop();
        await Task.WhenAll(readers);

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
        acked.Should().OnlyContain(id => harness.Handler.Handled.Contains(id), "a message is ACKed only after it was handled");
        acked.Count.Should().BeLessThan(100, "the stop came while messages were in flight");
        harness.Handler.Handled.Count.Should().BeLessThanOrEqualTo(acked.Count + clients.Length, "at most the message in flight per connection is handled without its ACK reaching the client");
        harness.Closed.Should().OnlyContain(e => e.CloseReason == MllpConnectionCloseReason.ListenerStopped);
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public async Task E1_HandlerStuckAtStop_IsAbortedAtTheDrainTimeoutWithoutAnAck(int connectionThreads)
    {
        var handler = new EchoAckHandler { Gate = new TaskCompletionSource() };
        var harness = await ListenerHarness.StartAsync(
            o =>
            {
                o.DrainTimeout = TimeSpan.FromMilliseconds(500);
                o.DedicatedThreadConnections = connectionThreads;
            },
            handler);
        await using var client = await harness.ConnectAsync();
        await client.SendAsync("STUCK");
        await Eventually.AssertAsync(() => handler.Calls == 1, TimeSpan.FromSeconds(5), "the handler was called");

        var watch = Stopwatch.StartNew();
        await harness.Listener.StopAsync();

        watch.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(400)).And.BeLessThan(TimeSpan.FromSeconds(2));
        (await client.ReadFrameAsync(TimeSpan.FromSeconds(2))).Should().BeNull();
        handler.Handled.Should().BeEmpty();
        await harness.WaitForCloseAsync(MllpConnectionCloseReason.DrainTimeout);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public async Task E1_HandlerIgnoringItsTokenAtStop_KeepsItsPayloadUntilItReturns(int connectionThreads)
    {
        // An own-thread connection once let its thread go at the abort and released the frame's buffer and the context
        // under a handler still running: a handler that stores the payload late would have read freed or reused bytes.
        var handler = new EchoAckHandler { Gate = new TaskCompletionSource(), GateIgnoresCancellation = true };
        var harness = await ListenerHarness.StartAsync(
            o =>
            {
                o.DrainTimeout = TimeSpan.FromMilliseconds(300);
                o.DedicatedThreadConnections = connectionThreads;
            },
            handler);
        await using var client = await harness.ConnectAsync();
        await client.SendAsync("LATE");
        await Eventually.AssertAsync(() => handler.Calls == 1, TimeSpan.FromSeconds(5), "the handler was called");

        // Returns after the drain timeout and the abort grace, with the handler still inside.
        await harness.Listener.StopAsync();
        handler.Gate.SetResult();

        await Eventually.AssertAsync(() => !handler.ReadAfterGate.IsEmpty, TimeSpan.FromSeconds(5), "the handler went on");
        handler.ReadAfterGate.Should().Equal(["LATE"], "the payload stays valid for the whole handler call");
        (await client.ReadFrameAsync(TimeSpan.FromSeconds(1))).Should().BeNull("an aborted message is never answered");
        await Eventually.AssertAsync(() => harness.Listener.GetStatus().Connections.Count == 0, TimeSpan.FromSeconds(5), "the connection closed once the handler returned");
    }

    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public async Task E1_ResponseStuckInItsSendAtStop_IsAbortedAtTheDrainTimeout(int connectionThreads)
    {
        // A peer that never reads: the 64 MiB response blocks in its send (an own thread in a blocking send) until the
        // abort closes the socket under it; the write deadline is far off, so only the abort can end it.
        var handler = new EchoAckHandler { ResponsePadding = 64 * 1024 * 1024 };
        var harness = await ListenerHarness.StartAsync(
            o =>
            {
                o.ReadTimeout = TimeSpan.FromSeconds(30);
                o.DrainTimeout = TimeSpan.FromMilliseconds(300);
                o.DedicatedThreadConnections = connectionThreads;
            },
            handler);
        await using var client = await harness.ConnectAsync();
        await client.SendAsync("NOREAD");
        // Counted when the handler returned, just before the send starts.
        await Eventually.AssertAsync(() => harness.Listener.GetStatus().MessagesHandled == 1, TimeSpan.FromSeconds(10), "the handler returned");

        var watch = Stopwatch.StartNew();
        await harness.Listener.StopAsync();

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "the abort wakes the send; the write deadline is 30 s away");
        var closed = await harness.WaitForCloseAsync(MllpConnectionCloseReason.DrainTimeout);
        closed.MessagesHandled.Should().Be(1);
        harness.Listener.GetStatus().Connections.Should().BeEmpty();
    }

    [Fact]
    public async Task A3_IdleTimeout_RunsOnTheInjectedTimeProvider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero));
        // Only the idle deadline runs on the fake clock here: the client may read the ACK before the server has
        // left the write (ReadTimeout) phase, and advancing four fake minutes must not trip that 5 s deadline instead.
        var options = new MllpListenerOptions
        {
            Endpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
            IdleTimeout = TimeSpan.FromMinutes(5),
            ReadTimeout = Timeout.InfiniteTimeSpan,
            FrameTimeout = Timeout.InfiniteTimeSpan,
        };
        await using var listener = new MllpListener(options, new EchoAckHandler(), timeProvider: time);
        await listener.StartAsync();
        await using var client = await MllpTestClient.ConnectAsync(listener.LocalEndPoint);
        (await client.SendAndReadAckAsync("T0")).Should().Be("T0");
        listener.GetStatus().Connections.Should().ContainSingle().Which.ConnectedAt.Should().Be(time.GetUtcNow());

        time.Advance(TimeSpan.FromMinutes(4));
        (await client.WaitForCloseAsync(TimeSpan.FromMilliseconds(300))).Should().BeFalse("four fake minutes are below the idle timeout");
        time.Advance(TimeSpan.FromMinutes(1));

        (await client.WaitForCloseAsync(TimeSpan.FromSeconds(5))).Should().BeTrue("five fake minutes reach it, with no wall-clock wait");
    }

    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public async Task Stop_ClosesIdleConnectionsAtOnceAndStopsAccepting(int connectionThreads)
    {
        var harness = await ListenerHarness.StartAsync(o => o.DedicatedThreadConnections = connectionThreads);
        await using var idle = await harness.ConnectAsync();
        (await idle.SendAndReadAckAsync("ONE")).Should().Be("ONE");
        var endpoint = harness.EndPoint;
        var watch = Stopwatch.StartNew();

        await harness.Listener.StopAsync();

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
        (await idle.WaitForCloseAsync(TimeSpan.FromSeconds(2))).Should().BeTrue();
        harness.Listener.IsListening.Should().BeFalse();
        var connect = () => MllpTestClient.ConnectAsync(endpoint);
        await connect.Should().ThrowAsync<System.Net.Sockets.SocketException>();
        await harness.Listener.StopAsync();
    }

    [Fact]
    public async Task Start_Twice_Throws()
    {
        await using var harness = await ListenerHarness.StartAsync();

        var again = () => harness.Listener.StartAsync();

        await again.Should().ThrowAsync<InvalidOperationException>();
    }

    [Fact]
    public async Task Start_PortInUse_ThrowsMllpException()
    {
        await using var harness = await ListenerHarness.StartAsync();
        var options = new MllpListenerOptions { Endpoints = [harness.EndPoint] };
        await using var second = new MllpListener(options, new EchoAckHandler());

        var start = () => second.StartAsync();

        await start.Should().ThrowAsync<MllpException>();
    }

    [Fact]
    public async Task Start_SeveralEndpoints_ServesEach()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.Endpoints = [new IPEndPoint(IPAddress.Loopback, 0), new IPEndPoint(IPAddress.Loopback, 0)]);

        harness.Listener.LocalEndPoints.Should().HaveCount(2).And.OnlyHaveUniqueItems();
        foreach (var endpoint in harness.Listener.LocalEndPoints)
        {
            await using var client = await MllpTestClient.ConnectAsync(endpoint);
            (await client.SendAndReadAckAsync($"EP{endpoint.Port}")).Should().Be($"EP{endpoint.Port}");
        }
    }

    [Fact]
    public async Task GetStatus_ReportsConnectionsAndTotals()
    {
        await using var harness = await ListenerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();
        (await client.SendAndReadAckAsync("A")).Should().Be("A");
        (await client.SendAndReadAckAsync("B")).Should().Be("B");

        var status = harness.Listener.GetStatus();

        status.Name.Should().Be("test");
        status.IsListening.Should().BeTrue();
        status.ConnectionsAccepted.Should().Be(1);
        status.MessagesHandled.Should().Be(2);
        var connection = status.Connections.Should().ContainSingle().Subject;
        connection.RemoteEndPoint.Should().Be(client.Socket.LocalEndPoint);
        connection.MessagesHandled.Should().Be(2);
        connection.BytesReceived.Should().Be(2 * MllpTestClient.Frame(MllpTestClient.Message("A")).Length);
        connection.LastActivityAt.Should().BeOnOrAfter(connection.ConnectedAt);
        connection.IsSecure.Should().BeFalse();
    }

    [Fact]
    public async Task ConnectionEvents_ReportOpenAndCloseWithReasonAndCount()
    {
        await using var harness = await ListenerHarness.StartAsync();
        var client = await harness.ConnectAsync();
        (await client.SendAndReadAckAsync("E")).Should().Be("E");

        await client.DisposeAsync();

        var closed = await harness.WaitForCloseAsync(MllpConnectionCloseReason.PeerClosed);
        closed.MessagesHandled.Should().Be(1);
        closed.ListenerName.Should().Be("test");
        var opened = harness.Opened.Should().ContainSingle().Subject;
        opened.ConnectionId.Should().Be(closed.ConnectionId);
        opened.CloseReason.Should().BeNull();
    }

    [Fact]
    public async Task ConnectionEvents_ThrowingCallback_DoesNotDisturbTheListener()
    {
        await using var harness = await ListenerHarness.StartAsync();
        harness.Listener.ConnectionOpened = (_, _) => throw new InvalidOperationException("callback failure for test");

        await using var client = await harness.ConnectAsync();

        (await client.SendAndReadAckAsync("CB")).Should().Be("CB");
    }

    [Fact]
    public async Task Telemetry_RecordsCountersAndOneSpanPerMessage()
    {
        var measurements = new ConcurrentQueue<(string Instrument, long Value, string? Reason)>();
        using var meterListener = new MeterListener();
        meterListener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Hl7Mllp" && instrument.Name.StartsWith("hl7mllp.listener.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? listener = null;
            string? reason = null;
            foreach (var tag in tags)
            {
                listener = tag.Key == "hl7mllp.listener.name" ? tag.Value as string : listener;
                reason = tag.Key == "reason" ? tag.Value as string : reason;
            }

            if (listener == "telemetry")
            {
                measurements.Enqueue((instrument.Name, value, reason));
            }
        });
        meterListener.Start();
        var spans = new ConcurrentQueue<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Hl7Mllp",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("hl7mllp.listener.name") as string == "telemetry")
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(activityListener);

        await using (var harness = await ListenerHarness.StartAsync(o =>
        {
            o.Name = "telemetry";
            o.IdleTimeout = TimeSpan.FromMilliseconds(300);
            o.Framing.MaxFrameBytes = 512;
        }))
        {
            await using var client = await harness.ConnectAsync();
            (await client.SendAndReadAckAsync("T1")).Should().Be("T1");
            (await client.SendAndReadAckAsync("T2")).Should().Be("T2");
            await harness.WaitForCloseAsync(MllpConnectionCloseReason.IdleTimeout);
            await using var big = await harness.ConnectAsync();
            await big.WriteAsync([0x0B, .. new byte[1024]]);
            await harness.WaitForCloseAsync(MllpConnectionCloseReason.FrameTooLarge);
        }

        measurements.Where(m => m.Instrument == "hl7mllp.listener.frames.received").Sum(m => m.Value).Should().Be(2);
        measurements.Where(m => m.Instrument == "hl7mllp.listener.frames.oversized").Sum(m => m.Value).Should().Be(1);
        measurements.Where(m => m.Instrument == "hl7mllp.listener.bytes.received").Sum(m => m.Value).Should().BeGreaterThan(512);
        measurements.Should().Contain(m => m.Instrument == "hl7mllp.listener.timeouts" && m.Reason == "idle");
        measurements.Where(m => m.Instrument == "hl7mllp.listener.connections.active").Sum(m => m.Value).Should().Be(0);
        measurements.Where(m => m.Instrument == "hl7mllp.listener.connections.active").Max(m => m.Value).Should().Be(1);
        spans.Should().HaveCount(2).And.OnlyContain(a => a.OperationName == "hl7mllp.receive" && a.Kind == ActivityKind.Server);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public async Task Stop_ConnectionWhoseCloseThrows_StillEndsTheStop(int connectionThreads)
    {
        // A broken logging provider throws from the connection's "closed" entry: its close faults, and the stop must
        // still finish (and say so) instead of throwing that fault at the host.
        using var logs = new RecordingLoggerFactory { ThrowOnEventId = Hl7MllpEventIds.ConnectionClosed };
        var options = new MllpListenerOptions { Endpoints = [new IPEndPoint(IPAddress.Loopback, 0)], DedicatedThreadConnections = connectionThreads };
        var listener = new MllpListener(options, new EchoAckHandler(), logs);
        await listener.StartAsync();
        await using var client = await MllpTestClient.ConnectAsync(listener.LocalEndPoint);
        (await client.SendAndReadAckAsync("LAST")).Should().Be("LAST");

        var stop = () => listener.StopAsync();

        await stop.Should().NotThrowAsync();
        logs.HasEventId(Hl7MllpEventIds.StopConnectionFaulted).Should().BeTrue();
        logs.HasEventId(Hl7MllpEventIds.ListenerStopped).Should().BeTrue("the stop ran to its end");
        listener.IsListening.Should().BeFalse();
    }
}
