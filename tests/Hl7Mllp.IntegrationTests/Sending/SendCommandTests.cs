using System.Text;
using System.Text.Json;

namespace Hl7Mllp.IntegrationTests.Sending;

/// <summary><c>hl7mllp send</c> in-process against a scripted peer on loopback.</summary>
public sealed class SendCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hl7mllp-send-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task C10_RepeatGeneratedControlIds_AreUniqueAcrossTenRunsAndAtMost20Chars()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        string file = await WriteAsync("one.hl7", FakeMllpPeer.Message("ORIGINAL"));

        for (int run = 0; run < 10; run++)
        {
            var (exitCode, _, _) = await SendCli.RunAsync("--host", "127.0.0.1", "--port", peer.Port.ToString(), "--repeat", "50", "--quiet", file);
            exitCode.Should().Be(0);
        }

        peer.ReceivedControlIds.Should().HaveCount(500);
        peer.ReceivedControlIds.Should().OnlyHaveUniqueItems();
        peer.ReceivedControlIds.Should().OnlyContain(id => id.Length > 0 && id.Length <= 20 && id != "ORIGINAL");
    }

    [Fact]
    public async Task Send_BatchFileAndTwoFiles_SendsEveryMessageInOrderAndPrintsOutcomesAndSummary()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        string batch = await WriteAsync("batch.hl7", "FHS|^~\\&\nBHS|^~\\&\n" + FakeMllpPeer.Message("B1").Replace('\r', '\n') + FakeMllpPeer.Message("B2") + "BTS|2\rFTS|1\r");
        string single = await WriteAsync("single.hl7", FakeMllpPeer.Message("S1"));

        var (exitCode, output, _) = await SendCli.RunAsync("--host", "127.0.0.1", "--port", peer.Port.ToString(), batch, single);

        exitCode.Should().Be(0);
        peer.ReceivedControlIds.Should().Equal("B1", "B2", "S1");
        output.Should().Contain("B1\tAccepted\tAA").And.Contain("S1\tAccepted\tAA");
        output.Should().Contain("messages=3 sent=3 accepted=3 rejected=0 errors=0");
    }

    [Fact]
    public async Task Send_JsonWithARejection_PrintsOneObjectPerMessageAndExitsOne()
    {
        await using var peer = FakeMllpPeer.Start((frame, stream) => frame.ReplyAsync(stream, frame.ControlId == "NO" ? "AR" : "AA"));
        string file = await WriteAsync("two.hl7", FakeMllpPeer.Message("YES") + FakeMllpPeer.Message("NO"));

        var (exitCode, output, _) = await SendCli.RunAsync("--host", "127.0.0.1", "--port", peer.Port.ToString(), "--json", file);

        exitCode.Should().Be(1);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(3);
        using var second = JsonDocument.Parse(lines[1]);
        second.RootElement.GetProperty("controlId").GetString().Should().Be("NO");
        second.RootElement.GetProperty("status").GetString().Should().Be("Rejected");
        second.RootElement.GetProperty("ackCode").GetString().Should().Be("AR");
        using var summary = JsonDocument.Parse(lines[2]);
        summary.RootElement.GetProperty("summary").GetProperty("rejected").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task Send_Warmup_SendsWarmupMessagesFirstWithUniqueIdsButCountsAndPrintsOnlyTheRun()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        string file = await WriteAsync("one.hl7", FakeMllpPeer.Message("ORIGINAL"));

        var (exitCode, output, _) = await SendCli.RunAsync("--host", "127.0.0.1", "--port", peer.Port.ToString(), "--repeat", "3", "--warmup", "5", file);

        exitCode.Should().Be(0);
        peer.ReceivedControlIds.Should().HaveCount(8).And.OnlyHaveUniqueItems();
        output.Split('\n').Count(line => line.Contains("\tAccepted\t", StringComparison.Ordinal)).Should().Be(3);
        output.Should().Contain("messages=3 sent=3 accepted=3 rejected=0 errors=0");
    }

    [Fact]
    public async Task Send_WarmupMessageRejected_StopsBeforeTheRunAndExitsOne()
    {
        await using var peer = FakeMllpPeer.Start((frame, stream) => frame.ReplyAsync(stream, "AR"));
        string file = await WriteAsync("one.hl7", FakeMllpPeer.Message("ORIGINAL"));

        var (exitCode, output, error) = await SendCli.RunAsync("--host", "127.0.0.1", "--port", peer.Port.ToString(), "--repeat", "3", "--warmup", "5", file);

        exitCode.Should().Be(1);
        peer.ReceivedControlIds.Should().HaveCount(1);
        error.Should().Contain("warm-up message 1 of 5 was not accepted: Rejected AR");
        output.Should().NotContain("messages=");
    }

    [Fact]
    public async Task Send_NegativeWarmupOrNoControlIdToRewrite_ExitsTwo()
    {
        string file = await WriteAsync("x.hl7", FakeMllpPeer.Message("X"));
        (await SendCli.RunAsync("--host", "127.0.0.1", "--port", "1", "--warmup", "-1", file)).ExitCode.Should().Be(2);
        string noId = await WriteAsync("noid.hl7", "MSH|^~\\&|A|B|C|D|20260101||ADT^A01\rPID|1\r");
        (await SendCli.RunAsync("--host", "127.0.0.1", "--port", "1", "--warmup", "2", noId)).ExitCode.Should().Be(2);
    }

    [Fact]
    public async Task Send_MissingFileOrBadRepeat_ExitsTwo()
    {
        (await SendCli.RunAsync("--host", "127.0.0.1", "--port", "1", Path.Combine(_directory, "missing.hl7"))).ExitCode.Should().Be(2);
        string file = await WriteAsync("x.hl7", FakeMllpPeer.Message("X"));
        (await SendCli.RunAsync("--host", "127.0.0.1", "--port", "1", "--repeat", "0", file)).ExitCode.Should().Be(2);
        (await SendCli.RunAsync("--host", "127.0.0.1", "--port", "0", file)).ExitCode.Should().Be(2);
    }

    [Fact]
    public async Task Send_NobodyListening_ExitsOneWithError()
    {
        int port;
        await using (var closed = FakeMllpPeer.StartAcking())
        {
            port = closed.Port;
        }

        string file = await WriteAsync("x.hl7", FakeMllpPeer.Message("X"));
        var (exitCode, output, error) = await SendCli.RunAsync("--host", "127.0.0.1", "--port", port.ToString(), "--connect-timeout", "2", file);

        exitCode.Should().Be(1);
        output.Should().Contain("errors=1");
        error.Should().Contain("stopping");
    }

    private async Task<string> WriteAsync(string name, string content)
    {
        string path = Path.Combine(_directory, name);
        await File.WriteAllTextAsync(path, content, Encoding.ASCII);
        return path;
    }
}
