using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Sending;
using Hl7Mllp.Testing.Network;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.Retry;

namespace Hl7Mllp.IntegrationTests.Sending;

/// <summary>The client through the test kit's fault proxy, in front of an ACKing peer (RELIABILITY C2, C5, C6, F16).</summary>
public sealed class MllpClientFaultProxyTests
{
    [Fact]
    public async Task C6_BlackholeProxy_DetectedWithinAckTimeoutAndConnectionClosed()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        await using var proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, peer.Port));
        proxy.Blackhole();
        await using var client = new MllpClient(Options(proxy, TimeSpan.FromMilliseconds(500)));
        var watch = Stopwatch.StartNew();

        var send = () => client.SendAsync(FakeMllpPeer.MessageBytes("HOLE")).AsTask();

        await send.Should().ThrowAsync<MllpAckTimeoutException>();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3.5));
        client.State.Should().Be(MllpClientState.Disconnected);
    }

    [Fact]
    public async Task F16_ProxySplitsEveryAckIntoSingleByteSends_AllAccepted()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        await using var proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, peer.Port));
        proxy.ServerToClient.Fault = ProxyFault.Split(1);
        proxy.ClientToServer.Fault = ProxyFault.Split(7);
        await using var client = new MllpClient(Options(proxy, TimeSpan.FromSeconds(10)));

        for (int i = 0; i < 5; i++)
        {
            var result = await client.SendAsync(FakeMllpPeer.MessageBytes($"BYTE{i}"));
            result.Status.Should().Be(MllpSendStatus.Accepted);
            result.GetAckControlId().Should().Be($"BYTE{i}");
        }

        proxy.AcceptedConnections.Should().Be(1);
    }

    [Fact]
    public async Task C2_DuplicatedAcks_NeverTakenForTheNextMessage()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        await using var proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, peer.Port));
        proxy.ServerToClient.Fault = ProxyFault.DuplicateFrames;
        await using var client = new MllpClient(Options(proxy, TimeSpan.FromSeconds(5)));

        var results = new List<MllpSendResult>();
        for (int i = 0; i < 4; i++)
        {
            results.Add(await client.SendAsync(FakeMllpPeer.MessageBytes($"DUP{i}")));
        }

        // Each ACK is either matched to its own message or, when the duplicate is already there, found out of step.
        results.Should().OnlyContain(r => r.Status == MllpSendStatus.Accepted || r.Status == MllpSendStatus.ProtocolError);
        results.Where(r => r.IsAccepted).Should().OnlyContain(r => r.GetAckControlId() == r.SentControlId);
        results[0].IsAccepted.Should().BeTrue();
    }

    [Fact]
    public async Task C2_CorruptedMsa2_IsProtocolErrorNeverAccepted()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        await using var proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, peer.Port));
        byte[] ack = FakeMllpPeer.Ack("AA", "CORRUPT");
        int msa2 = Encoding.ASCII.GetString(ack).IndexOf("MSA|AA|", StringComparison.Ordinal) + "MSA|AA|".Length;
        proxy.ServerToClient.Fault = ProxyFault.Corrupt(msa2 + 2, 0x20);
        await using var client = new MllpClient(Options(proxy, TimeSpan.FromSeconds(5)));

        var result = await client.SendAsync(FakeMllpPeer.MessageBytes("CORRUPT"));

        result.Status.Should().Be(MllpSendStatus.ProtocolError);
        client.State.Should().Be(MllpClientState.Disconnected);
    }

    [Fact]
    public async Task C5_ProxyClosesAfterEachAck_EverySendRenewsTransparentlyWithOneDeliveryEach()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        await using var proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, peer.Port));
        proxy.ServerToClient.Fault = ProxyFault.CloseAfter(FakeMllpPeer.Ack("AA", "FIN0").Length);
        await using var client = new MllpClient(Options(proxy, TimeSpan.FromSeconds(5)));

        for (int i = 0; i < 3; i++)
        {
            (await client.SendAsync(FakeMllpPeer.MessageBytes($"FIN{i}"))).Status.Should().Be(MllpSendStatus.Accepted);
            await MllpClientTests.WaitUntilAsync(() => peer.OpenConnections == 0);
        }

        peer.ReceivedControlIds.Should().Equal("FIN0", "FIN1", "FIN2");
        proxy.AcceptedConnections.Should().Be(3);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public async Task C5_ProxyClosesAfterEachAckInLowLatencyMode_EverySendAcceptedOnAFreshConnectionWithoutRetry(int millisecondsBetweenSends)
    {
        // The client's clock stands still (0: every send comes within the probe-skip window, the send finds the FIN
        // itself) or moves past the window (5: the probe before the send finds it), whatever the wall clock does.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero));
        await using var peer = FakeMllpPeer.StartAcking();
        await using var proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, peer.Port));
        proxy.ServerToClient.Fault = ProxyFault.CloseAfter(FakeMllpPeer.Ack("AA", "FIN0").Length);
        int retries = 0;
        var options = LowLatencyOptions(proxy.EndPoint.Port, CountingRetry(() => Interlocked.Increment(ref retries)));
        await using var client = new MllpClient(options, timeProvider: time);
        var events = new ConcurrentQueue<MllpClientEventArgs>();
        client.EventRaised += (_, e) => events.Enqueue(e);

        for (int i = 0; i < 4; i++)
        {
            (await client.SendAsync(FakeMllpPeer.MessageBytes($"FIN{i}"))).Status.Should().Be(MllpSendStatus.Accepted);
            await MllpClientTests.WaitUntilAsync(() => peer.OpenConnections == 0);
            time.Advance(TimeSpan.FromMilliseconds(millisecondsBetweenSends));
        }

        peer.ReceivedControlIds.Should().Equal("FIN0", "FIN1", "FIN2", "FIN3");
        proxy.AcceptedConnections.Should().Be(4);
        retries.Should().Be(0, "a connection closed before the send is renewed, not retried");
        await MllpClientTests.WaitUntilAsync(() => events.Count(e => e.Kind == MllpClientEventKind.AckReceived) == 4);
        events.Should().NotContain(e => e.Kind == MllpClientEventKind.SendFailed);
        events.Count(e => e.Kind == MllpClientEventKind.Sending).Should().Be(4, "a renewed send is still one send");
    }

    [Fact]
    public async Task PeerClosesAfterReadingWithoutAck_SendWithinProbeSkipWindow_ResentSilentlyOnceThenFails()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero));
        await using var peer = FakeMllpPeer.Start(async (frame, stream) =>
        {
            if (frame.ControlId == "GONE")
            {
                frame.CloseAfter = true;
                return;
            }

            await frame.ReplyAsync(stream, "AA");
        });
        await using var client = new MllpClient(LowLatencyOptions(peer.Port, ResiliencePipeline.Empty), timeProvider: time);
        (await client.SendAsync(FakeMllpPeer.MessageBytes("OK"))).Status.Should().Be(MllpSendStatus.Accepted);

        var send = () => client.SendAsync(FakeMllpPeer.MessageBytes("GONE")).AsTask();

        await send.Should().ThrowAsync<MllpConnectionException>();
        peer.ReceivedControlIds.Should().Equal(["OK", "GONE", "GONE"], "one silent resend at most, then the failure is the caller's");
        client.State.Should().Be(MllpClientState.Disconnected);
    }

    [Fact]
    public async Task PartialAckThenClose_SendWithinProbeSkipWindow_FailsWithoutSilentResend()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero));
        await using var peer = FakeMllpPeer.Start(async (frame, stream) =>
        {
            if (frame.ControlId == "HALF")
            {
                await PeerFrame.WriteAsync(stream, FakeMllpPeer.Ack("AA", "HALF")[..12]);
                frame.CloseAfter = true;
                return;
            }

            await frame.ReplyAsync(stream, "AA");
        });
        int retries = 0;
        await using var client = new MllpClient(LowLatencyOptions(peer.Port, CountingRetry(() => Interlocked.Increment(ref retries))), timeProvider: time);
        (await client.SendAsync(FakeMllpPeer.MessageBytes("OK"))).Status.Should().Be(MllpSendStatus.Accepted);

        var send = () => client.SendAsync(FakeMllpPeer.MessageBytes("HALF")).AsTask();

        await send.Should().ThrowAsync<MllpConnectionException>();
        retries.Should().Be(2, "a broken ACK is a failed attempt, retried by the pipeline only");
        peer.ReceivedControlIds.Should().Equal("OK", "HALF", "HALF", "HALF");
    }

    [Fact]
    public async Task ResetInTheMiddleOfTheAck_ThrowsConnectionExceptionNeverAccepted()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        await using var proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, peer.Port));
        proxy.ServerToClient.Fault = ProxyFault.ResetAfter(20);
        await using var client = new MllpClient(Options(proxy, TimeSpan.FromSeconds(5)));

        var send = () => client.SendAsync(FakeMllpPeer.MessageBytes("RST")).AsTask();

        await send.Should().ThrowAsync<MllpConnectionException>();
        client.State.Should().Be(MllpClientState.Disconnected);
    }

    private static MllpClientOptions LowLatencyOptions(int port, ResiliencePipeline retry) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        AckTimeout = TimeSpan.FromSeconds(5),
        LowLatencyAckWait = TimeSpan.FromMilliseconds(1),
        Retry = retry,
    };

    /// <summary>Retries connection failures twice, at once, and counts the retries.</summary>
    private static ResiliencePipeline CountingRetry(Action onRetry) => new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
    {
        ShouldHandle = new PredicateBuilder().Handle<MllpConnectionException>(),
        MaxRetryAttempts = 2,
        Delay = TimeSpan.Zero,
        OnRetry = _ =>
        {
            onRetry();
            return ValueTask.CompletedTask;
        },
    }).Build();

    private static MllpClientOptions Options(FaultProxy proxy, TimeSpan ackTimeout) => new()
    {
        Host = "127.0.0.1",
        Port = proxy.EndPoint.Port,
        AckTimeout = ackTimeout,
        Retry = ResiliencePipeline.Empty,
    };
}
