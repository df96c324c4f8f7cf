using System.Text;
using Hl7Mllp.Framing;
using Hl7Mllp.Receiving;
using Hl7Mllp.Testing.Network;
using Hl7Mllp.Testing;

namespace Hl7Mllp.IntegrationTests.Receiving;

public sealed partial class MllpListenerTests
{
    [Fact]
    public async Task Receive_OneMessage_AcksItsControlId()
    {
        await using var harness = await ListenerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();

        var ack = await client.SendAndReadAckAsync("MSG1");

        ack.Should().Be("MSG1");
        harness.Handler.Handled.Should().Equal("MSG1");
        harness.Listener.GetStatus().MessagesHandled.Should().Be(1);
    }

    [Fact]
    public async Task A8_FrameWrittenOneBytePerSend_IsHandledOnce()
    {
        await using var harness = await ListenerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();

        foreach (byte b in MllpTestClient.Frame(MllpTestClient.Message("BYTEWISE")))
        {
            await client.WriteAsync([b]);
        }

        MllpTestClient.AckedControlId(await client.ReadFrameAsync()).Should().Be("BYTEWISE");
        harness.Handler.Handled.Should().Equal("BYTEWISE");
    }

    [Fact]
    public async Task A8_ProxyForwardingOneBytePerSendBothWays_KeepsEveryMessageAndAck()
    {
        await using var harness = await ListenerHarness.StartAsync();
        await using var proxy = FaultProxy.Start(harness.EndPoint);
        proxy.ClientToServer.Fault = ProxyFault.Split(1);
        proxy.ServerToClient.Fault = ProxyFault.Split(1);
        await using var client = await MllpTestClient.ConnectAsync(proxy.EndPoint);
        string[] ids = [.. Enumerable.Range(1, 10).Select(i => $"PX{i}")];

        await client.WriteFramesAsync(ids);

        (await client.ReadAckedControlIdsAsync(ids.Length)).Should().Equal(ids);
        harness.Handler.Handled.Should().Equal(ids);
    }

    [Fact]
    public async Task A8_FrameSplitAtEveryPosition_GivesTheSameResultForEverySplit()
    {
        await using var harness = await ListenerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();
        int length = MllpTestClient.Frame(MllpTestClient.Message("S000")).Length;

        for (int split = 1; split < length; split++)
        {
            string id = $"S{split:D3}";
            byte[] frame = MllpTestClient.Frame(MllpTestClient.Message(id));
            await client.WriteAsync(frame[..split]);
            await Task.Delay(1);
            await client.WriteAsync(frame[split..]);

            MllpTestClient.AckedControlId(await client.ReadFrameAsync()).Should().Be(id, "split at byte {0}", split);
        }

        harness.Handler.Handled.Should().HaveCount(length - 1).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task A9_HundredFramesInOneWrite_AreAckedInOrder()
    {
        await using var harness = await ListenerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();
        string[] ids = [.. Enumerable.Range(1, 100).Select(i => $"P{i}")];

        await client.WriteFramesAsync(ids);

        (await client.ReadAckedControlIdsAsync(ids.Length)).Should().Equal(ids);
        harness.Handler.Handled.Should().Equal(ids);
    }

    // RELIABILITY B7 and field failure F19: exactly one ACK per message, in order (never one ACK per message so far).
    [Fact]
    public async Task B7_ThousandNumberedMessagesOnOneConnection_KeepHandlerAndAckOrder()
    {
        await using var harness = await ListenerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();
        string[] ids = [.. Enumerable.Range(1, 1000).Select(i => i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture))];

        // The sender pipelines everything; the listener must still handle n and ACK it before n+1.
        var send = Task.Run(async () =>
        {
            foreach (var chunk in ids.Chunk(50))
            {
                await client.WriteFramesAsync(chunk);
            }
        });
        var acks = await client.ReadAckedControlIdsAsync(ids.Length);

        await send;
        acks.Should().Equal(ids);
        harness.Handler.Handled.Should().Equal(ids);
    }

    // Both paths: a connection on its own thread (the default) and one on the thread pool.
    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public async Task A10_ResetMidFrame_DropsThePartialFrameAndKeepsServing(int connectionThreads)
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.DedicatedThreadConnections = connectionThreads);
        var client = await harness.ConnectAsync();
        byte[] frame = MllpTestClient.Frame(MllpTestClient.Message("HALF"));
        await client.WriteAsync(frame[..(frame.Length / 2)]);
        await Eventually.AssertAsync(() => harness.Listener.GetStatus().Connections.Any(c => c.BytesReceived > 0), TimeSpan.FromSeconds(5), "the half frame arrived");

        client.Reset();

        var closed = await harness.WaitForCloseAsync(MllpConnectionCloseReason.FrameTruncated);
        closed.MessagesHandled.Should().Be(0);
        harness.Handler.Calls.Should().Be(0);
        await using var next = await harness.ConnectAsync();
        (await next.SendAndReadAckAsync("AFTER")).Should().Be("AFTER");
        harness.Handler.Handled.Should().Equal("AFTER");
    }

    // Both paths: a connection on its own thread (the default) and one on the thread pool.
    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public async Task A10_PeerClosesMidFrame_DropsThePartialFrame(int connectionThreads)
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.DedicatedThreadConnections = connectionThreads);
        await using var client = await harness.ConnectAsync();
        byte[] frame = MllpTestClient.Frame(MllpTestClient.Message("FIN"));
        await client.WriteAsync(frame[..^3]);

        client.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        (await client.WaitForCloseAsync(TimeSpan.FromSeconds(5))).Should().BeTrue();
        await harness.WaitForCloseAsync(MllpConnectionCloseReason.FrameTruncated);
        harness.Handler.Calls.Should().Be(0);
    }

    [Fact]
    public async Task A1_OversizedFrame_ClosesTheConnectionWithoutCallingTheHandler()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.Framing.MaxFrameBytes = 1024);
        await using var client = await harness.ConnectAsync();

        await client.WriteAsync([MllpFrame.StartBlock, .. Encoding.ASCII.GetBytes(new string('A', 4096))]);

        (await client.WaitForCloseAsync(TimeSpan.FromSeconds(5))).Should().BeTrue();
        await harness.WaitForCloseAsync(MllpConnectionCloseReason.FrameTooLarge);
        harness.Handler.Calls.Should().Be(0);
    }

    [Fact]
    public async Task AcceptLoop_HostilePeers_DoNotStopAGoodClient()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.Framing.MaxFrameBytes = 4096);
        byte[][] hostile =
        [
            Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
            [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00],
            [MllpFrame.StartBlock, .. new byte[10_000]],
            [MllpFrame.EndBlock, MllpFrame.CarriageReturn, MllpFrame.EndBlock],
            [.. Enumerable.Range(0, 256).Select(i => (byte)i)],
            [MllpFrame.StartBlock, MllpFrame.StartBlock, MllpFrame.EndBlock, (byte)'x'],
        ];
        foreach (var bytes in hostile)
        {
            await using var peer = await harness.ConnectAsync();
            await peer.WriteAsync(bytes);
            peer.Reset();
        }

        for (int i = 0; i < 20; i++)
        {
            var peer = await harness.ConnectAsync();
            peer.Reset();
        }

        await using var client = await harness.ConnectAsync();
        (await client.SendAndReadAckAsync("GOOD")).Should().Be("GOOD");
        harness.Handler.Handled.Should().Equal("GOOD");
        harness.Listener.IsListening.Should().BeTrue();
    }

    [Fact]
    public async Task Handler_ThrowsWithoutResponse_ClosesOnlyThatConnection()
    {
        var handler = new EchoAckHandler();
        handler.ThrowFor.Add("BAD");
        await using var harness = await ListenerHarness.StartAsync(handler: handler);
        await using var other = await harness.ConnectAsync();
        await using var client = await harness.ConnectAsync();

        (await client.SendAndReadAckAsync("BAD")).Should().BeNull();

        await harness.WaitForCloseAsync(MllpConnectionCloseReason.HandlerFailed);
        (await other.SendAndReadAckAsync("OTHER")).Should().Be("OTHER");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Handler_ThrowsAfterWritingResponse_ResponseDiscardedAndConnectionClosed(bool completesLater)
    {
        // Review finding 4: a response written before the handler threw was still sent, and the connection went on.
        // Completing later, the failure comes out of the wait on the connection's own thread, not out of an await.
        var handler = new EchoAckHandler { WriteBeforeThrow = true, Delay = completesLater ? TimeSpan.FromMilliseconds(1) : TimeSpan.Zero };
        handler.ThrowFor.Add("BAD");
        await using var harness = await ListenerHarness.StartAsync(handler: handler);
        await using var other = await harness.ConnectAsync();
        await using var client = await harness.ConnectAsync();

        (await client.SendAndReadAckAsync("BAD")).Should().BeNull("the half-done response is not sent");

        await harness.WaitForCloseAsync(MllpConnectionCloseReason.HandlerFailed);
        (await other.SendAndReadAckAsync("OTHER")).Should().Be("OTHER");
        handler.Threads.Should().HaveCount(2).And.OnlyContain(call => !call.OnPoolThread, "both connections run on threads of their own");
    }

    [Fact]
    public async Task CommitAcknowledgementBlock_IsIgnoredWithoutCallingTheHandler()
    {
        await using var harness = await ListenerHarness.StartAsync();
        await using var client = await harness.ConnectAsync();

        await client.WriteAsync([MllpFrame.StartBlock, MllpFrame.CommitAcknowledgementByte, MllpFrame.EndBlock, MllpFrame.CarriageReturn]);

        (await client.SendAndReadAckAsync("AFTERBLOCK")).Should().Be("AFTERBLOCK");
        harness.Handler.Calls.Should().Be(1);
    }
}
