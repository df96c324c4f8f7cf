using System.CommandLine;
using Hl7Mllp.Cli.Commands;
using Hl7Mllp.Testing;

namespace Hl7Mllp.Tests.Cli;

public sealed class TransmitCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("transmit");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("--flush-interval", "120", "CompletionFlushInterval")]
    [InlineData("--port", "0", "Port")]
    [InlineData("--interval", "0", "PollingInterval")]
    public async Task Transmit_InvalidOption_UsageErrorNamingItAndNothingLeftBehind(string option, string value, string named)
    {
        (int exitCode, string output, string error) = await RunAsync(CancellationToken.None, option, value);

        exitCode.Should().Be(TransmitCommand.UsageError);
        output.Should().BeEmpty("nothing was started");
        error.Should().StartWith("Invalid ").And.Contain(named);
        Directory.EnumerateFileSystemEntries(_dir.Path).Should().BeEmpty("no journal or state file was created, so none is left open");
    }

    [Fact]
    public async Task Transmit_ValidOptionsThenCancelled_AnnouncesStartStopsAndExitsZero()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var output = new StartedWriter(stop);

        (int exitCode, _, string error) = await RunAsync(stop.Token, output);

        exitCode.Should().Be(0, error);
        output.ToString().Should().StartWith($"transmitting {Path.Join(_dir.Path, "*.hl7")} to 127.0.0.1:9");
        output.Started.Should().BeTrue("the run was stopped by the announcement, not by the 30 s guard");
    }

    private Task<(int ExitCode, string Output, string Error)> RunAsync(CancellationToken cancellationToken, params string[] extra) =>
        RunAsync(cancellationToken, new StringWriter(), extra);

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(CancellationToken cancellationToken, StringWriter output, params string[] extra)
    {
        string[] port = extra.Contains("--port") ? [] : ["--port", "9"];
        string[] args = ["transmit", "--dir", Path.Join(_dir.Path, "*.hl7"), "--host", "127.0.0.1", "--quiet", .. port, .. extra];
        var root = new RootCommand { TransmitCommand.Create() };
        using var error = new StringWriter();
        int exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Cancels the run as soon as the command announces it has started.</summary>
    private sealed class StartedWriter(CancellationTokenSource stop) : StringWriter
    {
        public bool Started { get; private set; }

        public override Task WriteLineAsync(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith("transmitting ", StringComparison.Ordinal) == true)
            {
                Started = true;
                stop.Cancel();
            }

            return Task.CompletedTask;
        }

        public override void WriteLine(string? value) => _ = WriteLineAsync(value);
    }
}
