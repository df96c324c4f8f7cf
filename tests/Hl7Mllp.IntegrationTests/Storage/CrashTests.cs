using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hl7Mllp.Messages;
using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Processes;
using Xunit.Abstractions;

namespace Hl7Mllp.IntegrationTests.Storage;

/// <summary>
/// RELIABILITY B5 and C7: a receiver (<c>hl7mllp listen --store</c>) and a transmitter over a file source
/// (<c>hl7mllp transmit</c>) run as child processes; either is killed with SIGKILL at random moments and restarted.
/// Nothing may be lost, every source file ends archived, and each MSH-10 is stored at most once per kill plus once.
/// The transmitter sends at most one message per 50 ms poll, so the 30 kills spread over the whole run.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Messages = 300;
    private const int Kills = 30;
    private const int Seed = 6;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _dir = new("crash");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task KillReceiverOrTransmitter_ThirtyTimesAtRandom_NothingLostAndDuplicatesOnlyInFlight()
    {
        var cli = SampleCli.Path;

        var outbox = _dir.Combine("out");
        var archive = _dir.Combine("archive");
        var store = _dir.Combine("store");
        Directory.CreateDirectory(outbox);
        var expected = WriteOutbox(outbox);

        var started = Stopwatch.StartNew();
        var receiver = await StartReceiverAsync(cli, store, port: 0);
        var port = receiver.Port;
        var transmitter = await StartTransmitterAsync(cli, outbox, archive, port);
        var random = new Random(Seed);
        var kills = 0;
        try
        {
            for (var i = 0; i < Kills && Directory.EnumerateFiles(outbox, "*.hl7").Any(); i++)
            {
                await Task.Delay(random.Next(20, 250));
                kills++;
                if (random.Next(2) == 0)
                {
                    receiver.Process.Kill();
                    await receiver.Process.DisposeAsync();
                    receiver = await StartReceiverAsync(cli, store, port);
                }
                else
                {
                    transmitter.Kill();
                    await transmitter.DisposeAsync();
                    transmitter = await StartTransmitterAsync(cli, outbox, archive, port);
                }
            }

            await Eventually.AssertAsync(() => !Directory.EnumerateFiles(outbox, "*.hl7").Any(), DrainTimeout, "every source file must be archived");
        }
        finally
        {
            await transmitter.DisposeAsync();
            await receiver.Process.DisposeAsync();
        }

        var stored = Directory.EnumerateFiles(store, "*.hl7")
            .Select(path => Hl7Message.Parse(File.ReadAllBytes(path)).ControlId)
            .GroupBy(id => id)
            .ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"{kills} kills in {started.Elapsed.TotalSeconds:0.0} s; {stored.Values.Sum()} files stored for {Messages} messages; {stored.Count(kv => kv.Value > 1)} control IDs stored twice or more");

        output.WriteLine($"most copies of one control ID: {stored.Values.Max()}");
        kills.Should().Be(Kills, "the transmitter is throttled (one message per 50 ms poll) so that every kill lands mid-run");
        stored.Keys.Should().BeEquivalentTo(expected, "no message may be lost");
        stored.Values.Should().OnlyContain(count => count <= 1 + kills, "a duplicate can only be the message in flight at a kill");
        stored.Values.Sum().Should().BeLessThanOrEqualTo(Messages + kills);
        Directory.EnumerateFiles(archive).Select(Path.GetFileName).Should().BeEquivalentTo(expected.Select(id => id + ".hl7"));
        Directory.EnumerateFiles(outbox).Where(p => !Path.GetFileName(p).StartsWith(".hl7mllp-", StringComparison.Ordinal)).Should().BeEmpty("no file failed");
    }

    private static List<string> WriteOutbox(string outbox)
    {
        List<string> ids = [];
        var start = DateTime.UtcNow.AddMinutes(-10);
        for (var i = 0; i < Messages; i++)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"CRASH{i:D4}");
            var path = Path.Join(outbox, id + ".hl7");
            File.WriteAllBytes(path, Encoding.ASCII.GetBytes($"MSH|^~\\&|SND|SFAC|RCV|RFAC|20261125120000||ADT^A01|{id}|P|2.5\rPID|1||{i}\r"));
            File.SetLastWriteTimeUtc(path, start.AddSeconds(i));
            ids.Add(id);
        }

        return ids;
    }

    private static async Task<(ChildProcess Process, int Port)> StartReceiverAsync(string cli, string store, int port)
    {
        for (var attempt = 0; ; attempt++)
        {
            var child = ChildProcess.StartDotnet(cli, ["listen", "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--store", store, "--track-dupes", "0", "--quiet"]);
            try
            {
                var line = await child.WaitForOutputAsync(l => l.StartsWith("listening on ", StringComparison.Ordinal), StartTimeout);
                return (child, int.Parse(line[(line.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture));
            }
            catch (TimeoutException) when (attempt < 3)
            {
                // The port of the killed receiver may take a moment to be free again.
                await child.DisposeAsync();
                await Task.Delay(200);
            }
        }
    }

    private static async Task<ChildProcess> StartTransmitterAsync(string cli, string outbox, string archive, int port)
    {
        var child = ChildProcess.StartDotnet(cli,
        [
            "transmit", "--dir", Path.Join(outbox, "*.hl7"), "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--archive", archive, "--fail-retries", "1000", "--interval", "0.05", "--max", "1", "--min-age", "0", "--ack-timeout", "5", "--connect-timeout", "2", "--quiet",
        ]);
        await child.WaitForOutputAsync(l => l.StartsWith("transmitting ", StringComparison.Ordinal), StartTimeout);
        return child;
    }
}
