using System.CommandLine;
using Hl7Mllp.Cli.Commands;

namespace Hl7Mllp.IntegrationTests.Sending;

/// <summary>Runs <c>hl7mllp send</c> in-process and captures what it prints.</summary>
internal static class SendCli
{
    /// <summary>Runs <c>send</c> with the arguments; usage errors give exit code 2 as in the tool.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var root = new RootCommand { SendCommand.Create() };
        var parsed = root.Parse(["send", .. args]);
        int exitCode = parsed.Errors.Count > 0 ? 2 : await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
