using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Duplicates;
using Hl7Mllp.Messages;
using Hl7Mllp.Receiving;
using Hl7Mllp.Sending;
using Hl7Mllp.Storage;
using Hl7Mllp.Testing;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>
/// Continuations end to end (issue 5): a <see cref="Transmitter"/> splits a large message at 64 KB and sends the
/// fragments over a real <see cref="MllpClient"/> to a real <see cref="MllpListener"/> whose handler is a
/// <see cref="ReceivePipeline"/> (reassembly on by default) storing into an <see cref="InMemoryMessageStore"/>.
/// </summary>
/// <remarks>
/// "Equal" means byte for byte, the MSH included: fragment 1 keeps the original MSH unchanged (no MSH-14, original
/// MSH-10), and the pipeline keeps the first fragment's MSH, so the reassembled message has no field that may
/// legitimately differ; the pointers (MSH-14, DSC) live only on the wire.
/// </remarks>
public sealed class ReceivePipelineContinuationTests
{
    private const int Limit = 64 * 1024;

    [Fact]
    public async Task Continuation_OneMegabyteOruAt64Kilobytes_EveryFragmentAckedAndStoredOnceByteForByte()
    {
        var text = new StringBuilder("MSH|^~\\&|LAB|NORTH|HIS|MAIN|20260101120000||ORU^R01^ORU_R01|BIG1|P|2.5.1\rPID|1||42^^^H^MR||DOE^JANE\rOBR|1||R1|PANEL^Panel\r");
        for (int i = 1; i <= 400; i++)
        {
            text.Append("OBX|").Append(i).Append("|NM|CODE").Append(i).Append("^Result ").Append(i).Append("||").Append(i * 37 % 1000).Append("|mg/dL|10-200||||F\r");
        }

        text.Append("OBX|401|ED|PDF^Report||^AP^PDF^Base64^").Append(Base64Text(1024 * 1024 - text.Length - 64)).Append("||||||F\r");
        byte[] original = Encoding.ASCII.GetBytes(text.ToString());
        original.Length.Should().BeInRange(1_000_000, 1_100_000);

        await RunAndAssertAsync(original, "BIG1");
    }

    [Fact]
    public async Task Continuation_SegmentLongerThanTheLimit_CutAndContinuedWithAddAndStoredByteForByte()
    {
        string message = "MSH|^~\\&|LAB|NORTH|HIS|MAIN|20260101120000||ORU^R01^ORU_R01|LONG1|P|2.5.1\rPID|1||43^^^H^MR\r"
            + "OBX|1|ED|PDF^Report||^AP^PDF^Base64^" + Base64Text(200 * 1024) + "||||||F\rOBX|2|NM|HGB^Hemoglobin||13.5|g/dL|12-16||||F\r";
        byte[] original = Encoding.ASCII.GetBytes(message);

        IReadOnlyList<byte[]> fragments = await RunAndAssertAsync(original, "LONG1");

        fragments.Count.Should().BeGreaterThanOrEqualTo(4, "a 200 KB segment needs at least four 64 KB fragments");
        fragments.Skip(1).Take(3).Should().OnlyContain(f => SecondSegmentId(f) == "ADD", "the cut OBX-5 continues in an ADD right after the MSH of each following fragment");
    }

    /// <summary>Sends the message through the transmitter, asserts the wire and the store; returns the fragments as received.</summary>
    private static async Task<IReadOnlyList<byte[]>> RunAndAssertAsync(byte[] original, string controlId)
    {
        var store = new InMemoryMessageStore();
        var pipeline = new ReceivePipeline(new ReceivePipelineOptions { ContinuationTimeout = TimeSpan.FromMinutes(5) }, store, new InMemoryDuplicateTracker());
        var recorder = new RecordingHandler(pipeline);
        await using var listener = new MllpListener(new MllpListenerOptions { Endpoints = [new IPEndPoint(IPAddress.Loopback, 0)], Name = "continuation-test" }, recorder);
        await listener.StartAsync();
        await using var client = new MllpClient(new MllpClientOptions { Host = "127.0.0.1", Port = listener.LocalEndPoint.Port, AckTimeout = TimeSpan.FromSeconds(10) });
        var clientAcks = new ConcurrentQueue<MllpClientEventArgs>();
        client.EventRaised += (_, e) =>
        {
            if (e.Kind is MllpClientEventKind.AckReceived or MllpClientEventKind.NakReceived or MllpClientEventKind.SendFailed)
            {
                clientAcks.Enqueue(e);
            }
        };
        var completions = new ConcurrentQueue<MllpSendResult>();
        var source = new InMemoryMessageSource(completed: (_, r) => completions.Enqueue(r));
        await source.EnqueueAsync(original);
        await using var transmitter = new Transmitter(source, client, new TransmitterOptions { ContinuationMaxBytes = Limit, FailRetries = 0, PollingInterval = TimeSpan.FromMilliseconds(50) });

        await transmitter.StartAsync();
        await Eventually.AssertAsync(() => !completions.IsEmpty, TimeSpan.FromSeconds(60));
        await transmitter.StopAsync();

        var expected = new ContinuationSplitter(Limit).Split(original);
        expected.Count.Should().BeGreaterThan(1, "the message is larger than the limit");
        completions.Should().ContainSingle().Which.IsAccepted.Should().BeTrue();
        var exchanges = recorder.Exchanges.ToList();
        exchanges.Select(x => x.Payload.Length).Should().OnlyContain(length => length <= Limit);
        exchanges.Select(x => x.Payload).Should().HaveCount(expected.Count).And.SatisfyRespectively(
            expected.Select(e => (Action<byte[]>)(payload => payload.Should().Equal(e.ToArray()))));
        exchanges.Should().OnlyContain(x => x.AckCode == "AA", "every fragment, held or last, is acknowledged positively");
        exchanges.Select(x => x.AckControlId).Should().Equal(exchanges.Select(x => x.ControlId), "each ACK answers its own fragment");
        exchanges[0].ControlId.Should().Be(controlId);
        await Eventually.AssertAsync(() => clientAcks.Count >= expected.Count, TimeSpan.FromSeconds(5));
        clientAcks.Select(e => e.Kind).Should().Equal(Enumerable.Repeat(MllpClientEventKind.AckReceived, expected.Count), "the client saw a positive, matching ACK for every fragment");
        await Eventually.AssertAsync(() => store.Count == 1, TimeSpan.FromSeconds(5));
        store.GetMessages().Should().ContainSingle().Which.ToArray().Should().Equal(original, "reassembly keeps the first fragment's MSH, which is the original's");
        pipeline.GetCounters().Should().Match<ReceivePipelineCounters>(c => c.Received == expected.Count && c.Stored == 1 && c.Rejected == 0);
        return [.. exchanges.Select(x => x.Payload)];
    }

    private static string Base64Text(int length)
    {
        var random = new Random(5);
        byte[] bytes = new byte[(length / 4 * 3) + 3];
        random.NextBytes(bytes);
        return Convert.ToBase64String(bytes)[..length];
    }

    private static string SecondSegmentId(byte[] fragment)
    {
        int afterMsh = Array.IndexOf(fragment, (byte)'\r') + 1;
        return Encoding.ASCII.GetString(fragment, afterMsh, 3);
    }

    /// <summary>One fragment as received and the ACK the pipeline answered it with.</summary>
    private sealed record Exchange(byte[] Payload, string ControlId, string AckCode, string AckControlId);

    /// <summary>Passes every message to the pipeline and records the payload and the ACK it wrote.</summary>
    private sealed class RecordingHandler(ReceivePipeline pipeline) : IMllpMessageHandler
    {
        public ConcurrentQueue<Exchange> Exchanges { get; } = new();

        public async ValueTask HandleAsync(MllpReceiveContext context, CancellationToken cancellationToken = default)
        {
            byte[] payload = context.Payload.ToArray();
            await pipeline.HandleAsync(context, cancellationToken);
            Hl7Message ack = Hl7Message.Parse(context.WrittenResponse.ToArray());
            Exchanges.Enqueue(new Exchange(payload, Hl7Message.Parse(payload).ControlId, ack.GetValue("MSA.1"), ack.GetValue("MSA.2")));
        }
    }
}
