using System.Net;
using System.Text;
using Hl7Mllp.Framing;
using Hl7Mllp.Receiving;
using Hl7Mllp.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>The plain-TCP path reads straight from the socket into one growable buffer and enforces deadlines on a timer.</summary>
public sealed partial class MllpListenerTests
{
    [Fact]
    public async Task A1_FrameOfExactlyMaxFrameBytesInManyReads_IsHandledAndOneByteMoreIsNot()
    {
        const int Limit = 200_000;
        await using var harness = await ListenerHarness.StartAsync(o => o.Framing.MaxFrameBytes = Limit);
        await using var client = await harness.ConnectAsync();

        // The buffer must hold start block + Limit payload bytes + end block + CR, arriving in 7 000-byte pieces.
        foreach (var chunk in MllpTestClient.Frame(Padded("EXACT", Limit)).Chunk(7000))
        {
            await client.WriteAsync(chunk);
        }

        MllpTestClient.AckedControlId(await client.ReadFrameAsync()).Should().Be("EXACT");
        (await client.SendAndReadAckAsync("AFTER")).Should().Be("AFTER", "the buffer grown for the large frame goes on serving small ones");

        await using var over = await harness.ConnectAsync();
        await over.WriteAsync(MllpTestClient.Frame(Padded("OVER", Limit + 1)));
        await harness.WaitForCloseAsync(MllpConnectionCloseReason.FrameTooLarge);
        harness.Handler.Handled.Should().Equal("EXACT", "AFTER");
    }

    [Fact]
    public async Task A9_LargeFrameBetweenPipelinedFramesAndAFrameSplitAcrossWrites_AreAckedInOrder()
    {
        await using var harness = await ListenerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();
        byte[] last = MllpTestClient.Frame(MllpTestClient.Message("D"));

        // Frames before and after a 300 kB one in one write, then half a frame: the buffer grows, compacts and is
        // released while bytes of later frames are in it.
        await client.WriteAsync([
            .. MllpTestClient.Frame(MllpTestClient.Message("A")),
            .. MllpTestClient.Frame(Padded("BIG", 300_000)),
            .. MllpTestClient.Frame(MllpTestClient.Message("B")),
            .. MllpTestClient.Frame(MllpTestClient.Message("C")),
            .. last.AsSpan(0, last.Length / 2)]);
        (await client.ReadAckedControlIdsAsync(4)).Should().Equal("A", "BIG", "B", "C");
        await client.WriteAsync(last[(last.Length / 2)..]);

        (await client.ReadAckedControlIdsAsync(1)).Should().Equal("D");
        harness.Handler.Handled.Should().Equal("A", "BIG", "B", "C", "D");
    }

    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public async Task WriteTimeout_PeerThatDoesNotReadItsResponse_IsClosedAtTheReadTimeout(int connectionThreads)
    {
        var handler = new EchoAckHandler { ResponsePadding = 64 * 1024 * 1024 };
        await using var harness = await ListenerHarness.StartAsync(
            o =>
            {
                o.ReadTimeout = TimeSpan.FromMilliseconds(300);
                o.DedicatedThreadConnections = connectionThreads;
            },
            handler);
        await using var client = await harness.ConnectAsync();

        // 64 MiB of response cannot fit the socket buffers of a peer that never reads: the send waits, then times out.
        await client.SendAsync("NOREAD");

        var closed = await harness.WaitForCloseAsync(MllpConnectionCloseReason.ReadTimeout, TimeSpan.FromSeconds(10));
        closed.MessagesHandled.Should().Be(1);
    }

    [Fact]
    public async Task A2_ReadTimeout_RunsOnTheInjectedTimeProvider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero));
        var options = new MllpListenerOptions
        {
            Endpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
            IdleTimeout = Timeout.InfiniteTimeSpan,
            ReadTimeout = TimeSpan.FromSeconds(5),
            FrameTimeout = Timeout.InfiniteTimeSpan,
        };
        await using var listener = new MllpListener(options, new EchoAckHandler(), timeProvider: time);
        await listener.StartAsync();
        await using var client = await MllpTestClient.ConnectAsync(listener.LocalEndPoint);

        await client.WriteAsync([MllpFrame.StartBlock, .. "MSH"u8]);
        await Eventually.AssertAsync(() => listener.GetStatus().Connections.Sum(c => c.BytesReceived) == 4, TimeSpan.FromSeconds(5), "the partial frame arrived");
        await Task.Delay(100);
        time.Advance(TimeSpan.FromSeconds(4.9));
        (await client.WaitForCloseAsync(TimeSpan.FromMilliseconds(300))).Should().BeFalse("4.9 fake seconds are below the read timeout");
        time.Advance(TimeSpan.FromSeconds(0.1));

        (await client.WaitForCloseAsync(TimeSpan.FromSeconds(5))).Should().BeTrue("five fake seconds reach it, with no wall-clock wait");
    }

    private static string Padded(string controlId, int length)
    {
        string message = MllpTestClient.Message(controlId);
        var builder = new StringBuilder(message, length);
        builder.Append("NTE|").Append('x', length - message.Length - 5).Append('\r');
        return builder.ToString();
    }
}
