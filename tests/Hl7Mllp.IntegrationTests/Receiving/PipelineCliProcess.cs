using System.Net;
using Hl7Mllp.Testing.Processes;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary><c>hl7mllp listen</c> as a child process of a test: started on a free loopback port, killed by id when disposed.</summary>
internal sealed class PipelineCliProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The CLI built in the same configuration as this test assembly (bin/&lt;Configuration&gt;/net10.0), built first if missing.</summary>
    private static readonly Lazy<string> CliPath = new(FindCli);

    private PipelineCliProcess(ChildProcess process, IPEndPoint endPoint)
    {
        Process = process;
        EndPoint = endPoint;
    }

    public ChildProcess Process { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>Starts <c>hl7mllp listen</c> on 127.0.0.1, a free port, and waits (bounded) until it accepts connections.</summary>
    /// <param name="store">The <c>--store</c> value (a folder, or <c>memory</c>); <see langword="null"/> for none.</param>
    /// <param name="arguments">More arguments.</param>
    /// <param name="fault">The <c>HL7MLLP_FAULT</c> point, if any.</param>
    public static async Task<PipelineCliProcess> StartAsync(string? store, string[] arguments, string? fault = null)
    {
        string[] args = ["listen", "--port", "0", "--bind", "127.0.0.1", .. store is null ? Array.Empty<string>() : ["--store", store], "--quiet", .. arguments];
        ChildProcess process = ChildProcess.StartDotnet(CliPath.Value, args, new Dictionary<string, string?> { ["HL7MLLP_FAULT"] = fault });
        try
        {
            string line = await process.WaitForOutputAsync(text => text.StartsWith("listening on ", StringComparison.Ordinal), StartupTimeout);
            return new PipelineCliProcess(process, IPEndPoint.Parse(line["listening on ".Length..]));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    private static string FindCli()
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Hl7Mllp.sln")))
            {
                string project = Path.Combine(directory.FullName, "samples", "Hl7Mllp.Cli");
                string dll = Path.Combine(project, "bin", configuration, "net10.0", "Hl7Mllp.Cli.dll");
                if (!File.Exists(dll))
                {
                    ChildProcessResult build = ChildProcess.RunAsync("dotnet", ["build", project, "-c", configuration], TimeSpan.FromMinutes(5)).GetAwaiter().GetResult();
                    build.ExitCode.Should().Be(0, build.StandardOutput);
                }

                return dll;
            }
        }

        throw new FileNotFoundException("Hl7Mllp.sln not found above the test assembly.");
    }
}
