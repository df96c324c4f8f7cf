using Hl7Mllp.Messages;
using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Processes;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>
/// RELIABILITY B1, B2, B5 and B8 with <c>hl7mllp listen</c> as a child process that is killed (SIGKILL) or fails fast
/// at a fault point (<c>HL7MLLP_FAULT</c>), then restarted on the same store folder. Every wait is bounded.
/// </summary>
public sealed class CrashTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(10);

    private static readonly string[] StoreArguments = ["--persist-dupes", "--on-duplicate", "ack"];

    private readonly TempDirectory _temp = new("crash");

    private string Store => _temp.Path;

    public void Dispose() => _temp.Dispose();

    private static string Message(string controlId) =>
        $"MSH|^~\\&|LAB|NORTH|HIS|MAIN|20260101120000||ADT^A01^ADT_A01|{controlId}|P|2.5.1\rPID|1||123^^^HOSP^MR||DOE^JANE\r";

    // B1: killed after the message is durable (and its key journaled) but before the ACK is written. The sender
    // resends the same MSH-10 and gets a positive ACK for it, and the message is stored exactly once.
    [Fact]
    public async Task B1_CrashAfterStoreBeforeAck_ResendStoredOnceAndAcknowledged()
    {
        await using (PipelineCliProcess crashing = await PipelineCliProcess.StartAsync(Store, StoreArguments, "after-store-before-ack"))
        {
            await using MllpTestClient client = await MllpTestClient.ConnectAsync(crashing.EndPoint);
            await client.WriteAsync(MllpTestClient.Frame(Message("B1-1")));
            (await client.ReadFrameAsync(AckTimeout)).Should().BeNull("the process died before the ACK");
            (await crashing.Process.WaitForExitAsync(StartTimeout)).Should().NotBe(0);
        }

        StoredControlIds().Should().Equal("B1-1");
        await using PipelineCliProcess restarted = await PipelineCliProcess.StartAsync(Store, StoreArguments);
        Hl7Message ack = await SendAsync(restarted, "B1-1");

        ack.GetValue("MSA.1").Should().Be("AA");
        ack.GetValue("MSA.2").Should().Be("B1-1");
        StoredControlIds().Should().Equal("B1-1");
    }

    // B2: killed before the store: no ACK was sent, the resend is stored once.
    [Fact]
    public async Task B2_CrashBeforeStore_ResendStoredOnce()
    {
        await using (PipelineCliProcess crashing = await PipelineCliProcess.StartAsync(Store, StoreArguments, "before-store"))
        {
            await using MllpTestClient client = await MllpTestClient.ConnectAsync(crashing.EndPoint);
            await client.WriteAsync(MllpTestClient.Frame(Message("B2-1")));
            (await client.ReadFrameAsync(AckTimeout)).Should().BeNull();
            (await crashing.Process.WaitForExitAsync(StartTimeout)).Should().NotBe(0);
        }

        StoredControlIds().Should().BeEmpty();
        await using PipelineCliProcess restarted = await PipelineCliProcess.StartAsync(Store, StoreArguments);
        Hl7Message ack = await SendAsync(restarted, "B2-1");

        ack.GetValue("MSA.1").Should().Be("AA");
        StoredControlIds().Should().Equal("B2-1");
    }

    // B5: an ACK means durable: kill -9 right after the sender reads it, the message is there after a restart,
    // and a resend is recognised as the duplicate it is.
    [Fact]
    public async Task B5_KilledRightAfterAck_MessagePresentAndResendRecognised()
    {
        await using (PipelineCliProcess running = await PipelineCliProcess.StartAsync(Store, StoreArguments))
        {
            Hl7Message ack = await SendAsync(running, "B5-1");
            ack.GetValue("MSA.1").Should().Be("AA");
            running.Process.Kill();
            await running.Process.WaitForExitAsync(StartTimeout);
        }

        StoredControlIds().Should().Equal("B5-1");
        await using PipelineCliProcess restarted = await PipelineCliProcess.StartAsync(Store, StoreArguments);
        Hl7Message again = await SendAsync(restarted, "B5-1");

        again.GetValue("MSA.1").Should().Be("AA");
        again.GetValue("MSA.2").Should().Be("B5-1");
        StoredControlIds().Should().Equal("B5-1");
    }

    // A service manager's stop: SIGTERM drains and exits 0, and what was ACKed is stored.
    [Fact]
    public async Task Sigterm_StopsGracefully_ExitCodeZeroAndTheAckedMessageStored()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // No SIGTERM.
        }

        await using PipelineCliProcess running = await PipelineCliProcess.StartAsync(Store, StoreArguments);
        (await SendAsync(running, "ST-1")).GetValue("MSA.1").Should().Be("AA");

        await running.Process.TerminateAsync();

        (await running.Process.WaitForExitAsync(StartTimeout)).Should().Be(0, "SIGTERM is a graceful stop, not the runtime's exit 143");
        StoredControlIds().Should().Equal("ST-1");
    }

    // B8: the dedupe window is persisted and survives a restart, and is bounded: a duplicate older than the
    // window (here 2 keys) is delivered again, as documented.
    [Fact]
    public async Task B8_DedupeWindowSurvivesRestartAndIsBounded()
    {
        await using (PipelineCliProcess first = await PipelineCliProcess.StartAsync(Store, ["--persist-dupes", "--on-duplicate", "reject", "--track-dupes", "2"]))
        {
            (await SendAsync(first, "B8-1")).GetValue("MSA.1").Should().Be("AA");
            first.Process.Kill();
            await first.Process.WaitForExitAsync(StartTimeout);
        }

        await using (PipelineCliProcess second = await PipelineCliProcess.StartAsync(Store, ["--persist-dupes", "--on-duplicate", "reject", "--track-dupes", "2"]))
        {
            Hl7Message duplicate = await SendAsync(second, "B8-1");
            duplicate.GetValue("MSA.1").Should().Be("AR");
            duplicate.GetValue("ERR.3").Should().Be("205");

            (await SendAsync(second, "B8-2")).GetValue("MSA.1").Should().Be("AA");
            (await SendAsync(second, "B8-3")).GetValue("MSA.1").Should().Be("AA");
            (await SendAsync(second, "B8-1")).GetValue("MSA.1").Should().Be("AA", "B8-1 fell out of the 2-key window");
        }

        StoredControlIds().Should().BeEquivalentTo(["B8-1", "B8-2", "B8-3", "B8-1"]);
    }

    private static async Task<Hl7Message> SendAsync(PipelineCliProcess listener, string controlId)
    {
        await using MllpTestClient client = await MllpTestClient.ConnectAsync(listener.EndPoint);
        await client.WriteAsync(MllpTestClient.Frame(Message(controlId)));
        string? ack = await client.ReadFrameAsync(AckTimeout);
        ack.Should().NotBeNull();
        return Hl7Message.Parse(ack!);
    }

    private string[] StoredControlIds() =>
        [.. Directory.EnumerateFiles(Store, "*.hl7").Order(StringComparer.Ordinal).Select(path => Hl7Message.Parse(File.ReadAllBytes(path)).ControlId)];
}
