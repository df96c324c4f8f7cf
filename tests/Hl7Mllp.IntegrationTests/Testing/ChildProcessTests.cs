using System.Diagnostics;
using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Processes;

namespace Hl7Mllp.IntegrationTests.Testing;

public class ChildProcessTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WaitForOutputAsync_LinePrintedLater_ReturnsItAndKillEndsProcess()
    {
        await using var child = Shell("echo starting; sleep 0.2; echo 'listening on 1234'; sleep 60");

        var line = await child.WaitForOutputAsync(l => l.StartsWith("listening", StringComparison.Ordinal), Bound);
        child.Kill();
        var exitCode = await child.WaitForExitAsync(Bound);

        line.Should().Be("listening on 1234");
        child.StandardOutput.Should().Equal("starting", "listening on 1234");
        exitCode.Should().Be(137, "SIGKILL");
        child.HasExited.Should().BeTrue();
    }

    [Fact]
    public async Task WaitForOutputAsync_LineAlreadyPrinted_ReturnsIt()
    {
        await using var child = Shell("echo ready; sleep 60");
        await child.WaitForOutputAsync(l => l == "ready", Bound);

        var again = await child.WaitForOutputAsync(l => l == "ready", TimeSpan.Zero);

        again.Should().Be("ready");
    }

    [Fact]
    public async Task WaitForOutputAsync_NoMatchingLine_TimesOutShowingLastOutput()
    {
        await using var child = Shell("echo hello; echo oops >&2; sleep 60");
        await child.WaitForOutputAsync(l => l == "hello", Bound);

        var wait = () => child.WaitForOutputAsync(l => l == "never", TimeSpan.FromMilliseconds(200));

        await wait.Should().ThrowAsync<TimeoutException>().WithMessage("*within 200 ms*hello*");
    }

    [Fact]
    public async Task WaitForOutputAsync_ProcessExitsWithoutMatch_FailsWithoutWaitingForTimeout()
    {
        await using var child = Shell("echo bye");
        var started = Stopwatch.GetTimestamp();

        var wait = () => child.WaitForOutputAsync(l => l == "never", TimeSpan.FromSeconds(30));

        await wait.Should().ThrowAsync<TimeoutException>().WithMessage("*closed stdout*bye*");
        Stopwatch.GetElapsedTime(started).Should().BeLessThan(TimeSpan.FromSeconds(25));
    }

    [Fact]
    public async Task RunAsync_EnvironmentAndStreams_CapturesExitCodeStdoutAndStderr()
    {
        var result = await ChildProcess.RunAsync(
            "/bin/sh",
            ["-c", "echo \"$HL7_FAULT\"; echo line2; echo err >&2; exit 3"],
            Bound,
            new Dictionary<string, string?> { ["HL7_FAULT"] = "after-store-before-ack" });

        result.Should().Be(new ChildProcessResult(3, "after-store-before-ack\nline2", "err"));
    }

    [Fact]
    public async Task WaitForExitAsync_StillRunningAfterTimeout_KillsAndThrows()
    {
        await using var child = Shell("sleep 60");

        var wait = () => child.WaitForExitAsync(TimeSpan.FromMilliseconds(200));

        await wait.Should().ThrowAsync<TimeoutException>().WithMessage("*was killed*");
        await Eventually.AssertAsync(() => child.HasExited, Bound);
    }

    [Fact]
    public async Task Kill_ShellWithBackgroundChild_KillsWholeTree()
    {
        await using var child = Shell("sleep 60 & echo $!; wait");
        var grandchild = int.Parse(await child.WaitForOutputAsync(l => l.Length > 0, Bound), System.Globalization.CultureInfo.InvariantCulture);

        child.Kill();
        await child.WaitForExitAsync(Bound);

        await Eventually.AssertAsync(() => IsGoneOrZombie(grandchild), Bound, $"grandchild {grandchild} must be killed");
    }

    [Fact]
    public async Task WriteLineAsync_ChildReadsStdin_ReceivesLine()
    {
        await using var child = Shell("read line; echo \"got $line\"");

        await child.WriteLineAsync("stop");

        (await child.WaitForOutputAsync(l => l.StartsWith("got", StringComparison.Ordinal), Bound)).Should().Be("got stop");
        (await child.WaitForExitAsync(Bound)).Should().Be(0);
    }

    [Fact]
    public async Task DisposeAsync_RunningProcess_KillsIt()
    {
        var child = Shell("sleep 60");
        var id = child.Id;

        await child.DisposeAsync();

        await Eventually.AssertAsync(() => IsGoneOrZombie(id), Bound);
    }

    [Fact]
    public async Task StartDotnet_VersionSwitch_RunsTheMuxerOfThisTestRun()
    {
        // "--version" instead of a dll exercises the muxer lookup without needing an app to start.
        await using var child = ChildProcess.StartDotnet("--version");

        (await child.WaitForExitAsync(Bound)).Should().Be(0);
        child.StandardOutput.Should().ContainSingle().Which.Should().StartWith($"{Environment.Version.Major}.");
    }

    private static ChildProcess Shell(string script) => ChildProcess.Start("/bin/sh", ["-c", script]);

    private static bool IsGoneOrZombie(int pid)
    {
        try
        {
            // Field 3 of /proc/<pid>/stat is the state; Z = exited, waiting to be reaped by its new parent.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }
}
