using System.Net;
using Hl7Mllp.Duplicates;
using Hl7Mllp.Messages;
using Hl7Mllp.Receiving;
using Hl7Mllp.Storage;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>The receive pipeline behind the real listener on loopback: listen → store → ACK, and the B scenarios of RELIABILITY.md.</summary>
public sealed class PipelineListenerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static string Message(string controlId, string pid = "PID|1||123^^^HOSP^MR||DOE^JANE") =>
        $"MSH|^~\\&|LAB|NORTH|HIS|MAIN|20260101120000||ADT^A01^ADT_A01|{controlId}|P|2.5.1\r{pid}\r";

    private static async Task<MllpListener> StartAsync(IMllpMessageHandler handler)
    {
        var listener = new MllpListener(new MllpListenerOptions { Endpoints = [new IPEndPoint(IPAddress.Loopback, 0)], Name = "pipeline-test" }, handler);
        await listener.StartAsync();
        return listener;
    }

    private static async Task<Hl7Message?> SendAsync(MllpTestClient client, string message)
    {
        await client.WriteAsync(MllpTestClient.Frame(message));
        string? ack = await client.ReadFrameAsync(Timeout);
        return ack is null ? null : Hl7Message.Parse(ack);
    }

    [Fact]
    public async Task Listen_StoreAck_EndToEnd()
    {
        var store = new InMemoryMessageStore();
        var pipeline = new ReceivePipeline(null, store, new InMemoryDuplicateTracker());
        await using MllpListener listener = await StartAsync(pipeline);
        await using MllpTestClient client = await MllpTestClient.ConnectAsync(listener.LocalEndPoint);

        Hl7Message? first = await SendAsync(client, Message("E2E-1"));
        Hl7Message? second = await SendAsync(client, Message("E2E-2"));
        Hl7Message? duplicate = await SendAsync(client, Message("E2E-1"));

        first!.Value.GetValue("MSA.1").Should().Be("AA");
        first.Value.GetValue("MSA.2").Should().Be("E2E-1");
        second!.Value.GetValue("MSA.2").Should().Be("E2E-2");
        duplicate!.Value.GetValue("MSA.1").Should().Be("AR");
        duplicate.Value.GetValue("ERR.3").Should().Be("205");
        store.GetParsedMessages().Select(message => message.ControlId).Should().Equal("E2E-1", "E2E-2");
    }

    // An unparsable message whose MSH asks for enhanced mode follows MSH-15, like the oversize-frame answer: NE gets no
    // answer at all (the next frame's ACK is the first one back), ER gets a CE NAK.
    [Fact]
    public async Task Listen_UnparseableEnhancedMode_NakOnlyWhenMsh15AsksForOne()
    {
        var pipeline = new ReceivePipeline(null, new InMemoryMessageStore(), new InMemoryDuplicateTracker());
        await using MllpListener listener = await StartAsync(pipeline);
        await using MllpTestClient client = await MllpTestClient.ConnectAsync(listener.LocalEndPoint);
        string Unparseable(string controlId, string msh15) =>
            $"MSH|^~\\&|LAB|NORTH|HIS|MAIN|20260101120000||ADT^A01^ADT_A01|{controlId}|P|2.5.1|||{msh15}|AL\rP!D|1\r";

        await client.WriteAsync([.. MllpTestClient.Frame(Unparseable("BAD-NE", "NE")), .. MllpTestClient.Frame(Message("OK-1"))]);
        string? firstBack = await client.ReadFrameAsync(Timeout);
        Hl7Message? nak = await SendAsync(client, Unparseable("BAD-ER", "ER"));

        firstBack.Should().NotBeNull();
        Hl7Message firstAck = Hl7Message.Parse(firstBack!);
        firstAck.GetValue("MSA.2").Should().Be("OK-1", "the NE message got no answer");
        firstAck.GetValue("MSA.1").Should().Be("AA");
        nak!.Value.GetValue("MSA.1").Should().Be("CE");
        nak.Value.GetValue("MSA.2").Should().Be("BAD-ER");
        nak.Value.GetValue("ERR.3").Should().Be("100");
        pipeline.GetCounters().Should().Match<ReceivePipelineCounters>(c => c.Unparseable == 2 && c.AcceptAcksSuppressed == 1 && c.Stored == 1);
    }

    // RELIABILITY B3 (field failure F5: never a positive ACK for a message that could not be stored): a store that throws gets a 207 NAK over the wire, nothing is recorded, the listener keeps serving.
    [Fact]
    public async Task B3_StoreThrows_NakWith207AndTheConnectionKeepsServing()
    {
        var store = new SelectiveStore(new InMemoryMessageStore(), failWhen: controlId => controlId.StartsWith("FAIL", StringComparison.Ordinal), () => new IOException("database offline"));
        var tracker = new InMemoryDuplicateTracker();
        var pipeline = new ReceivePipeline(null, store, tracker);
        await using MllpListener listener = await StartAsync(pipeline);
        await using MllpTestClient client = await MllpTestClient.ConnectAsync(listener.LocalEndPoint);

        Hl7Message? failed = await SendAsync(client, Message("FAIL-1"));
        Hl7Message? next = await SendAsync(client, Message("OK-1"));

        failed!.Value.GetValue("MSA.1").Should().Be("AR");
        failed.Value.GetValue("MSA.2").Should().Be("FAIL-1");
        failed.Value.GetValue("ERR.3").Should().Be("207");
        next!.Value.GetValue("MSA.1").Should().Be("AA");
        tracker.GetKeys().Should().Equal("LAB|NORTH|OK-1");
        pipeline.GetCounters().StoreFailures.Should().Be(1);
    }

    // RELIABILITY B3 with a real disk error: every write to /dev/full fails with ENOSPC.
    [Fact]
    public async Task B3_StoreOnDevFull_NakWith207()
    {
        if (!File.Exists("/dev/full"))
        {
            return;
        }

        var pipeline = new ReceivePipeline(null, new DevFullStore(), new InMemoryDuplicateTracker());
        await using MllpListener listener = await StartAsync(pipeline);
        await using MllpTestClient client = await MllpTestClient.ConnectAsync(listener.LocalEndPoint);

        Hl7Message? first = await SendAsync(client, Message("FULL-1"));
        Hl7Message? second = await SendAsync(client, Message("FULL-1"));

        first!.Value.GetValue("MSA.1").Should().Be("AR");
        first.Value.GetValue("ERR.3").Should().Be("207");
        second!.Value.GetValue("ERR.3").Should().Be("207", "the failed message was not recorded, so its resend is no duplicate");
        pipeline.GetCounters().StoreFailures.Should().Be(2);
    }

    // RELIABILITY B7: 1 000 numbered messages on one connection are stored and acknowledged in order.
    [Fact]
    public async Task B7_ThousandMessagesOnOneConnection_StoredAndAcknowledgedInOrder()
    {
        var store = new InMemoryMessageStore();
        var pipeline = new ReceivePipeline(null, store, new InMemoryDuplicateTracker());
        await using MllpListener listener = await StartAsync(pipeline);
        await using MllpTestClient client = await MllpTestClient.ConnectAsync(listener.LocalEndPoint);
        var acked = new List<string>();

        for (int i = 0; i < 1000; i++)
        {
            Hl7Message? ack = await SendAsync(client, Message($"ORD-{i:D4}"));
            acked.Add(ack!.Value.GetValue("MSA.2"));
        }

        string[] expected = [.. Enumerable.Range(0, 1000).Select(i => $"ORD-{i:D4}")];
        acked.Should().Equal(expected);
        store.GetParsedMessages().Select(message => message.ControlId).Should().Equal(expected);
    }

    // RELIABILITY B7 with pipelining: 100 frames in one write still come back in order.
    [Fact]
    public async Task B7_HundredFramesInOneWrite_AcknowledgedInOrder()
    {
        var store = new InMemoryMessageStore();
        await using MllpListener listener = await StartAsync(new ReceivePipeline(null, store, new InMemoryDuplicateTracker()));
        await using MllpTestClient client = await MllpTestClient.ConnectAsync(listener.LocalEndPoint);

        await client.WriteAsync([.. Enumerable.Range(0, 100).SelectMany(i => MllpTestClient.Frame(Message($"P-{i:D3}")))]);
        var acked = new List<string?>();
        for (int i = 0; i < 100; i++)
        {
            acked.Add(MllpTestClient.AckedControlId(await client.ReadFrameAsync(Timeout)));
        }

        acked.Should().Equal(Enumerable.Range(0, 100).Select(i => $"P-{i:D3}"));
        store.Count.Should().Be(100);
    }

    // RELIABILITY A12 over the wire: hostile payloads get NAKs and the same connection keeps working.
    [Fact]
    public async Task A12_HostilePayloads_NakAndKeepServing()
    {
        var store = new InMemoryMessageStore();
        await using MllpListener listener = await StartAsync(new ReceivePipeline(null, store, new InMemoryDuplicateTracker()));
        await using MllpTestClient client = await MllpTestClient.ConnectAsync(listener.LocalEndPoint);

        Hl7Message? garbage = await SendAsync(client, "not hl7 at all");
        Hl7Message? noMsh = await SendAsync(client, "PID|1||1\rEVN|A01\r");
        Hl7Message? good = await SendAsync(client, Message("AFTER"));

        garbage!.Value.GetValue("MSA.1").Should().Be("AE");
        noMsh!.Value.GetValue("ERR.3").Should().Be("100");
        good!.Value.GetValue("MSA.1").Should().Be("AA");
        store.Count.Should().Be(1);
    }

    // RELIABILITY B6 over the wire: MSH-15 = NE means no accept ACK; the message is still committed.
    [Fact]
    public async Task B6_EnhancedModeNoAcceptAck_NothingSentButStored()
    {
        var store = new InMemoryMessageStore();
        await using MllpListener listener = await StartAsync(new ReceivePipeline(null, store, new InMemoryDuplicateTracker()));
        await using MllpTestClient client = await MllpTestClient.ConnectAsync(listener.LocalEndPoint);

        await client.WriteAsync(MllpTestClient.Frame("MSH|^~\\&|LAB|N|HIS|M|20260101||ADT^A01|NE-1|P|2.5.1|||NE|AL\rPID|1\r"));
        Hl7Message? committed = await SendAsync(client, "MSH|^~\\&|LAB|N|HIS|M|20260101||ADT^A01|AL-1|P|2.5.1|||AL|NE\rPID|1\r");

        committed!.Value.GetValue("MSA.1").Should().Be("CA");
        committed.Value.GetValue("MSA.2").Should().Be("AL-1", "the first message got no response at all");
        store.Count.Should().Be(2);
    }

    private sealed class SelectiveStore(IMessageStore inner, Func<string, bool> failWhen, Func<Exception> exception) : IMessageStore
    {
        public ValueTask StoreAsync(ReceivedMessage message, CancellationToken cancellationToken = default) =>
            failWhen(message.Message.ControlId) ? throw exception() : inner.StoreAsync(message, cancellationToken);
    }

    /// <summary>A file store whose file is <c>/dev/full</c>: the durable flush fails with ENOSPC, as on a full disk.</summary>
    private sealed class DevFullStore : IMessageStore
    {
        public async ValueTask StoreAsync(ReceivedMessage message, CancellationToken cancellationToken = default)
        {
            await using var stream = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
            await stream.WriteAsync(message.Bytes, cancellationToken);
            stream.Flush(flushToDisk: true);
        }
    }
}
