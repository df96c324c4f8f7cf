using System.Net;
using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Duplicates;
using Hl7Mllp.Receiving;
using Hl7Mllp.Sending;
using Hl7Mllp.Storage;
using Hl7Mllp.Testing.Network;
using Polly;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>
/// RELIABILITY B4: the listener stored a message and wrote its ACK, but the connection was reset before the sender read
/// it. The sender cannot know, so it sends the message again: the receiver must recognise it and never deliver it twice.
/// </summary>
public sealed class LostAckTests
{
    private static readonly byte[] Message = Encoding.ASCII.GetBytes("MSH|^~\\&|LAB|NORTH|HIS|MAIN|20260101120000||ADT^A01^ADT_A01|LOST-1|P|2.5.1\rPID|1||123^^^HOSP^MR||DOE^JANE\r");

    [Theory]
    [InlineData(DuplicateHandling.AcknowledgeAgain, MllpSendStatus.Accepted, "AA")]
    [InlineData(DuplicateHandling.Reject, MllpSendStatus.Rejected, "AR")]
    public async Task B4_AckLostToAReset_ResendRecognisedAndStoredOnce(DuplicateHandling handling, MllpSendStatus resendStatus, string resendCode)
    {
        var store = new InMemoryMessageStore();
        var pipeline = new ReceivePipeline(new ReceivePipelineOptions { DuplicateHandling = handling }, store, new InMemoryDuplicateTracker());
        await using var listener = new MllpListener(new MllpListenerOptions { Endpoints = [new IPEndPoint(IPAddress.Loopback, 0)], Name = "b4" }, pipeline);
        await listener.StartAsync();
        await using var proxy = FaultProxy.Start(listener.LocalEndPoint);
        proxy.ServerToClient.Fault = ProxyFault.ResetAfter(0);
        await using var client = new MllpClient(new MllpClientOptions
        {
            Host = "127.0.0.1",
            Port = proxy.EndPoint.Port,
            AckTimeout = TimeSpan.FromSeconds(10),
            Retry = ResiliencePipeline.Empty,
        });

        var first = () => client.SendAsync(Message).AsTask();
        await first.Should().ThrowAsync<MllpConnectionException>("the ACK never reached the sender");
        store.Count.Should().Be(1, "the listener had stored the message before it wrote the lost ACK");

        proxy.ServerToClient.Fault = ProxyFault.PassThrough;
        MllpSendResult resent = await client.SendAsync(Message);

        resent.Status.Should().Be(resendStatus);
        resent.AckCode.Should().Be(resendCode);
        resent.GetAckValue("MSA.2").Should().Be("LOST-1");
        store.Count.Should().Be(1, "a resent message is never delivered twice");
        pipeline.GetCounters().Duplicates.Should().Be(1);
        proxy.AcceptedConnections.Should().Be(2);
    }
}
