using System.Diagnostics;
using Hl7Mllp.Framing;
using Hl7Mllp.Receiving;
using Hl7Mllp.Testing;

namespace Hl7Mllp.IntegrationTests.Receiving;

public sealed partial class MllpListenerTests
{
    [Fact]
    public async Task A2_TrickledFrame_IsClosedAtTheFrameDeadline()
    {
        await using var harness = await ListenerHarness.StartAsync(o =>
        {
            // Wide margins: on a loaded machine a 200 ms delay can stretch past a 300 ms read timeout, and the
            // connection would then close for the wrong reason (seen in a clean-clone run).
            o.ReadTimeout = TimeSpan.FromSeconds(1);
            o.FrameTimeout = TimeSpan.FromSeconds(2.5);
        });
        await using var client = await harness.ConnectAsync();
        byte[] frame = MllpTestClient.Frame(MllpTestClient.Message("SLOW"));
        var watch = Stopwatch.StartNew();

        // One byte every 300 ms, well inside ReadTimeout: the per-read timeout alone would never fire (Camel's flaw).
        int sent = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(8) && sent < frame.Length - 1)
        {
            try
            {
                await client.WriteAsync([frame[sent++]]);
            }
            catch (IOException)
            {
                break;
            }

            if (harness.Closed.Any())
            {
                break;
            }

            await Task.Delay(300);
        }

        var closed = await harness.WaitForCloseAsync(MllpConnectionCloseReason.FrameTimeout, TimeSpan.FromSeconds(8));
        watch.Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(2.2)).And.BeLessThan(TimeSpan.FromSeconds(5));
        closed.MessagesHandled.Should().Be(0);
        harness.Handler.Calls.Should().Be(0);
        harness.Listener.GetStatus().Connections.Should().BeEmpty();
    }

    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public async Task A2_SilenceInsideAFrame_IsClosedAtTheReadTimeout(int connectionThreads)
    {
        await using var harness = await ListenerHarness.StartAsync(o =>
        {
            o.ReadTimeout = TimeSpan.FromMilliseconds(300);
            o.DedicatedThreadConnections = connectionThreads;
        });
        await using var client = await harness.ConnectAsync();
        var watch = Stopwatch.StartNew();

        await client.WriteAsync([MllpFrame.StartBlock, (byte)'M', (byte)'S', (byte)'H']);

        (await client.WaitForCloseAsync(TimeSpan.FromSeconds(5))).Should().BeTrue();
        watch.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(250)).And.BeLessThan(TimeSpan.FromSeconds(2));
        await harness.WaitForCloseAsync(MllpConnectionCloseReason.ReadTimeout);
    }

    // RELIABILITY A3 and field failure F11: a connection whose peer went silent (a dropped VPN) does not stay open for ever.
    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public async Task A3_SilentSockets_AreClosedAfterTheIdleTimeout(int connectionThreads)
    {
        await using var harness = await ListenerHarness.StartAsync(o =>
        {
            o.IdleTimeout = TimeSpan.FromMilliseconds(500);
            o.DedicatedThreadConnections = connectionThreads;
        });
        var clients = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => harness.ConnectAsync()));
        var watch = Stopwatch.StartNew();

        var closed = await Task.WhenAll(clients.Select(c => c.WaitForCloseAsync(TimeSpan.FromSeconds(5))));

        closed.Should().AllBeEquivalentTo(true);
        watch.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(400)).And.BeLessThan(TimeSpan.FromSeconds(3));
        await Eventually.AssertAsync(() => harness.Closed.Count(e => e.CloseReason == MllpConnectionCloseReason.IdleTimeout) == 20, TimeSpan.FromSeconds(5), "20 idle closes");
        harness.Listener.GetStatus().Connections.Should().BeEmpty();
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A3_TrafficBetweenFrames_ResetsTheIdleTimer()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.IdleTimeout = TimeSpan.FromMilliseconds(600));
        await using var client = await harness.ConnectAsync();

        for (int i = 0; i < 5; i++)
        {
            (await client.SendAndReadAckAsync($"K{i}")).Should().Be($"K{i}");
            await Task.Delay(300);
        }

        harness.Closed.Should().BeEmpty();
    }

    [Fact]
    public async Task A4_ConnectionsBeyondTheLimit_AreClosedAtOnceWhileEstablishedFlowsContinue()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.MaxConnections = 2);
        await using var first = await harness.ConnectAsync();
        await using var second = await harness.ConnectAsync();
        (await first.SendAndReadAckAsync("F0")).Should().Be("F0");
        (await second.SendAndReadAckAsync("S0")).Should().Be("S0");

        var flood = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => TryConnectAsync(harness)));
        var traffic = Task.Run(async () =>
        {
            for (int i = 1; i <= 200; i++)
            {
                (await first.SendAndReadAckAsync($"F{i}")).Should().Be($"F{i}");
                (await second.SendAndReadAckAsync($"S{i}")).Should().Be($"S{i}");
            }
        });
        var watch = Stopwatch.StartNew();
        var refused = await Task.WhenAll(flood.Select(c => c is null ? Task.FromResult(true) : c.WaitForCloseAsync(TimeSpan.FromSeconds(3))));

        refused.Should().AllBeEquivalentTo(true);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
        await traffic;
        var status = harness.Listener.GetStatus();
        status.ConnectionsRejected.Should().Be(50);
        status.Connections.Should().HaveCount(2);
        await Eventually.AssertAsync(() => harness.Closed.Count(e => e.CloseReason == MllpConnectionCloseReason.ConnectionLimit) == 50, TimeSpan.FromSeconds(5), "50 refusals reported");
        foreach (var client in flood)
        {
            await (client?.DisposeAsync() ?? ValueTask.CompletedTask);
        }
    }

    [Fact]
    public async Task AllowList_AddressOutsideIt_IsRefusedWithoutCallingTheHandler()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.AllowedRemoteAddresses = ["10.0.0.0/8", "192.0.2.7"]);
        await using var client = await TryConnectAsync(harness);

        (await (client?.SendAndReadAckAsync("NOPE", TimeSpan.FromSeconds(3)) ?? Task.FromResult<string?>(null))).Should().BeNull();

        await harness.WaitForCloseAsync(MllpConnectionCloseReason.AddressNotAllowed);
        harness.Handler.Calls.Should().Be(0);
        harness.Listener.GetStatus().ConnectionsRejected.Should().Be(1);
    }

    [Fact]
    public async Task AllowList_AddressInsideARange_IsServed()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.AllowedRemoteAddresses = ["10.0.0.0/8", "127.0.0.0/8"]);
        await using var client = await harness.ConnectAsync();

        (await client.SendAndReadAckAsync("YES")).Should().Be("YES");
    }

    // A refused connection is reset at once, sometimes before the client's connect call has even returned.
    private static async Task<MllpTestClient?> TryConnectAsync(ListenerHarness harness)
    {
        try
        {
            return await harness.ConnectAsync();
        }
        catch (System.Net.Sockets.SocketException exception) when (exception.SocketErrorCode == System.Net.Sockets.SocketError.ConnectionReset)
        {
            return null;
        }
    }
}
