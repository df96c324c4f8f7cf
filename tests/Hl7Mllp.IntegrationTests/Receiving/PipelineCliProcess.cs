using System.Net;
using Hl7Mllp.Testing.Processes;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary><c>hl7mllp listen</c> as a child process of a test: started on a free loopback port, killed by id when disposed.</summary>
internal sealed class PipelineCliProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);

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
        ChildProcess process = ChildProcess.StartDotnet(SampleCli.Path, args, new Dictionary<string, string?> { ["HL7MLLP_FAULT"] = fault });
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
}
