using System.Diagnostics;
using System.Net;
using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Sending;
using Hl7Mllp.Testing.Network;
using Polly;

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

    private static MllpClientOptions Options(FaultProxy proxy, TimeSpan ackTimeout) => new()
    {
        Host = "127.0.0.1",
        Port = proxy.EndPoint.Port,
        AckTimeout = ackTimeout,
        Retry = ResiliencePipeline.Empty,
    };
}
