using System.Globalization;
using Hl7Mllp.IntegrationTests.Sending;
using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Processes;

namespace Hl7Mllp.IntegrationTests.Storage;

/// <summary>
/// <c>hl7mllp transmit</c> stopped by SIGTERM (a service manager's stop) while an ACK is awaited: the message in flight
/// is completed and archived, the files accepted earlier are moved, the source's journal is removed, and the files not
/// yet sent stay for the next run.
/// </summary>
public sealed class TransmitStopTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new("stop");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Sigterm_WhileAnAckIsAwaited_FinishesTheMessageAndTheMovesThenExits()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // No SIGTERM.
        }

        string outbox = _dir.Combine("out");
        string archive = _dir.Combine("archive");
        OutboxFiles.Write(outbox, ["ST-0", "ST-1", "ST-2"]);

        await using var peer = TransmitterTestPeer.Start();
        peer.AckDelay = TimeSpan.FromMilliseconds(500);

        // A flush interval of a minute: the first file's move waits (for a batch or the interval) when the stop comes.
        await using ChildProcess transmit = ChildProcess.StartDotnet(
            SampleCli.Path,
            ["transmit", "--dir", Path.Join(outbox, "*.hl7"), "--host", "127.0.0.1", "--port", peer.Port.ToString(CultureInfo.InvariantCulture),
             "--archive", archive, "--interval", "0.05", "--min-age", "0", "--flush-interval", "60", "--ack-timeout", "10", "--quiet"]);
        await transmit.WaitForOutputAsync(line => line.StartsWith("transmitting ", StringComparison.Ordinal), Timeout);
        await Eventually.AssertAsync(() => peer.ReceivedControlIds.Count == 2, Timeout, "the second message is sent and its ACK awaited");

        await transmit.TerminateAsync();
        int exitCode = await transmit.WaitForExitAsync(Timeout);

        exitCode.Should().Be(0, "SIGTERM is a graceful stop");
        peer.ReceivedControlIds.Should().Equal(["ST-0", "ST-1"], "the stop comes before the third message");
        Directory.GetFiles(archive).Select(Path.GetFileName).Should().BeEquivalentTo(["ST-0.hl7", "ST-1.hl7"], "the message in flight was completed, and every accepted file moved");
        Directory.GetFiles(outbox).Select(Path.GetFileName).Should().Equal(["ST-2.hl7"], "the unsent file stays, and the journal of accepted files is gone");
    }
}
