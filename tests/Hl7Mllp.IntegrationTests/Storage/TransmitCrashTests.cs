using System.Globalization;
using System.Net;
using Hl7Mllp.Duplicates;
using Hl7Mllp.Receiving;
using Hl7Mllp.Storage;
using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Processes;

namespace Hl7Mllp.IntegrationTests.Storage;

/// <summary>
/// RELIABILITY C8: the transmitter crashes between the ACK and recording it in its source
/// (<c>hl7mllp transmit</c> with <c>HL7MLLP_FAULT=after-ack-before-commit</c>). On restart it sends that message
/// again with the same bytes and MSH-10; the receiver recognises the duplicate (B1) and answers it with AA again, so
/// the file is archived, nothing is lost and nothing is stored twice.
/// </summary>
public sealed class TransmitCrashTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new("c8");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task C8_CrashAfterAckBeforeCommit_ResentOnRestartAndDeduplicated()
    {
        var store = new InMemoryMessageStore();
        var pipeline = new ReceivePipeline(new ReceivePipelineOptions { DuplicateHandling = DuplicateHandling.AcknowledgeAgain }, store, new InMemoryDuplicateTracker());
        await using var listener = new MllpListener(new MllpListenerOptions { Endpoints = [new IPEndPoint(IPAddress.Loopback, 0)], Name = "c8" }, pipeline);
        await listener.StartAsync();
        string outbox = _dir.Combine("out");
        string archive = _dir.Combine("archive");
        string[] ids = ["C8-0", "C8-1", "C8-2"];
        OutboxFiles.Write(outbox, ids);

        await using (ChildProcess crashing = StartTransmitter(outbox, archive, listener.LocalEndPoint.Port, TransmitFault))
        {
            int exitCode = await crashing.WaitForExitAsync(Timeout);
            exitCode.Should().NotBe(0, "the fault point ends the process");
        }

        store.GetParsedMessages().Select(message => message.ControlId).Should().Equal(["C8-0"], "the first message was stored and ACKed before the crash");
        File.Exists(Path.Join(outbox, "C8-0.hl7")).Should().BeTrue("the crash came before the source recorded the ACK");

        await using (ChildProcess restarted = StartTransmitter(outbox, archive, listener.LocalEndPoint.Port, fault: null))
        {
            await restarted.WaitForOutputAsync(line => line.StartsWith("transmitting ", StringComparison.Ordinal), Timeout);
            await Eventually.AssertAsync(() => Directory.Exists(archive) && Directory.GetFiles(archive).Length == ids.Length, Timeout, "every file is archived after the restart");
        }

        store.GetParsedMessages().Select(message => message.ControlId).Should().Equal(ids, "the resent message is not stored twice and the order holds");
        pipeline.GetCounters().Duplicates.Should().Be(1, "exactly the message in flight at the crash was sent again");
        Directory.EnumerateFiles(outbox, "*.hl7").Should().BeEmpty();
    }

    private const string TransmitFault = "after-ack-before-commit";

    private static ChildProcess StartTransmitter(string outbox, string archive, int port, string? fault) => ChildProcess.StartDotnet(
        SampleCli.Path,
        ["transmit", "--dir", Path.Join(outbox, "*.hl7"), "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
         "--archive", archive, "--interval", "0.05", "--max", "1", "--min-age", "0", "--ack-timeout", "5", "--quiet"],
        new Dictionary<string, string?> { ["HL7MLLP_FAULT"] = fault });
}
