using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Hl7Mllp.Framing;
using Hl7Mllp.Receiving;
using Hl7Mllp.Testing;
using Xunit.Abstractions;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>Definition of the collection whose tests measure the whole process and so must run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMeasurementCollection
{
    public const string Name = "process measurements";
}

/// <summary>Listener tests that measure the process (allocations, descriptors) or load it heavily; run alone.</summary>
[Collection(ProcessMeasurementCollection.Name)]
public sealed class MllpListenerResourceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A1_SixtyFourMebibyteFrame_IsCutAtTheLimitWithBoundedAllocation(bool mshPrefix)
    {
        const int Limit = 1024 * 1024;
        await using var harness = await ListenerHarness.StartAsync(o => o.Framing.MaxFrameBytes = Limit);
        await using var client = await harness.ConnectAsync();
        byte[] chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'A');
        chunk[0] = MllpFrame.StartBlock;
        if (mshPrefix)
        {
            // Answered with an AR built from the frame's first bytes: still nothing buffered past the limit.
            System.Text.Encoding.ASCII.GetBytes(MllpTestClient.Message("HUGE"), chunk.AsSpan(1));
        }
        (await client.SendAndReadAckAsync("WARM")).Should().Be("WARM");
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        long sent = 0;
        try
        {
            while (sent < 64L * 1024 * 1024)
            {
                await client.Socket.SendAsync(chunk);
                sent += chunk.Length;
                chunk[0] = (byte)'A';
            }
        }
        catch (SocketException)
        {
        }

        await harness.WaitForCloseAsync(MllpConnectionCloseReason.FrameTooLarge);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        output.WriteLine($"A1 (MSH prefix: {mshPrefix}): sent {sent} bytes before the close; {allocated} bytes allocated in the process meanwhile (limit {Limit})");
        sent.Should().BeLessThan(32L * 1024 * 1024, "the listener closed the connection soon after the limit");
        allocated.Should().BeLessThan(8L * Limit, "the listener buffers at most the limit plus one read");
        harness.Handler.Calls.Should().Be(1);
    }

    [Fact]
    public async Task ThousandConcurrentConnections_AllGetTheirAck()
    {
        await using var harness = await ListenerHarness.StartAsync(o =>
        {
            o.MaxConnections = 1100;
            o.ListenBacklog = 2048;
        });
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var clients = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => MllpTestClient.ConnectAsync(harness.EndPoint, bound.Token)));

        var watch = Stopwatch.StartNew();
        var acks = await Task.WhenAll(clients.Select((client, i) => client.SendAndReadAckAsync($"CC{i}", TimeSpan.FromSeconds(30))));
        output.WriteLine($"1000 connections: every ACK in {watch.Elapsed.TotalMilliseconds:F0} ms");

        acks.Should().Equal(Enumerable.Range(0, 1000).Select(i => $"CC{i}"));
        harness.Listener.GetStatus().Connections.Should().HaveCount(1000);
        harness.Handler.Threads.Count(call => !call.OnPoolThread).Should().Be(32, "the first 32 connections have threads of their own, the other 968 share the pool");
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        await Eventually.AssertAsync(() => harness.Listener.GetStatus().Connections.Count == 0, TimeSpan.FromSeconds(20), "every connection closed");
    }

    [Fact]
    public async Task E3_TenThousandConnectDisconnectCycles_ReturnToBaseline()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.MaxConnections = 2000);
        await using (var warm = await harness.ConnectAsync())
        {
            (await warm.SendAndReadAckAsync("WARM")).Should().Be("WARM");
        }

        await Eventually.AssertAsync(() => harness.Listener.GetStatus().Connections.Count == 0, TimeSpan.FromSeconds(5), "warm-up closed");
        int baselineDescriptors = Directory.GetFiles("/proc/self/fd").Length;
        int baselineThreads = Process.GetCurrentProcess().Threads.Count;
        var watch = Stopwatch.StartNew();
        int cycles = 0;
        while (cycles < 10_000 && watch.Elapsed < TimeSpan.FromSeconds(90))
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(harness.EndPoint);
            if (cycles % 2 == 0)
            {
                // Half the peers reset instead of closing: both paths must release everything.
                socket.LingerState = new LingerOption(true, 0);
            }

            socket.Close();
            cycles++;
        }

        output.WriteLine($"E3: {cycles} cycles in {watch.Elapsed.TotalSeconds:F1} s");
        cycles.Should().Be(10_000);

        // Connected peers may still wait in the listen backlog (the accept loop may start or wake a thread per
        // connection): no open connection means nothing only once every cycle was accepted.
        await Eventually.AssertAsync(
            () => harness.Listener.GetStatus() is { Connections.Count: 0, ConnectionsAccepted: 10_001 },
            TimeSpan.FromSeconds(20),
            "every connection accepted and closed");
        await Eventually.AssertAsync(() => Directory.GetFiles("/proc/self/fd").Length <= baselineDescriptors + 8, TimeSpan.FromSeconds(20), "descriptors back to baseline");
        output.WriteLine($"E3: descriptors {baselineDescriptors} -> {Directory.GetFiles("/proc/self/fd").Length}, threads {baselineThreads} -> {Process.GetCurrentProcess().Threads.Count}");
        // Connection threads whose connection closed wait a while for the next one: at most DedicatedThreadConnections.
        int connectionThreads = new MllpListenerOptions().DedicatedThreadConnections;
        Process.GetCurrentProcess().Threads.Count.Should().BeLessThan(baselineThreads + 20 + connectionThreads);
        var status = harness.Listener.GetStatus();
        status.ConnectionsAccepted.Should().Be(10_001);
        status.ConnectionsRejected.Should().Be(0);
        await using (var client = await harness.ConnectAsync())
        {
            (await client.SendAndReadAckAsync("STILL")).Should().Be("STILL");
        }

        harness.Handler.Threads.Should().Equal([("WARM", false), ("STILL", false)], "every closed or reset connection gave its own thread back");

        // Stopped, the listener ends its waiting connection threads: nothing is left of the 10 000 cycles. (Only a few
        // threads wait here, so this holds even without the stop ending them: the unit MllpListenerTests checks that.)
        await harness.Listener.StopAsync();
        await Eventually.AssertAsync(() => Process.GetCurrentProcess().Threads.Count < baselineThreads + 20, TimeSpan.FromSeconds(20), "threads back to baseline after the stop");
    }
}
