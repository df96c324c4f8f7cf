using Hl7Mllp.Testing.Processes;

namespace Hl7Mllp.IntegrationTests;

/// <summary>The <c>hl7mllp</c> sample CLI that tests run as a child process.</summary>
internal static class SampleCli
{
    private static readonly Lazy<string> Located = new(Find);

    /// <summary>
    /// Gets the CLI built in the same configuration as this test assembly
    /// (samples/Hl7Mllp.Cli/bin/&lt;Configuration&gt;/net10.0/Hl7Mllp.Cli.dll), building it first if it is missing.
    /// </summary>
    public static string Path => Located.Value;

    private static string Find()
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Hl7Mllp.sln")))
            {
                string project = System.IO.Path.Combine(directory.FullName, "samples", "Hl7Mllp.Cli");
                string dll = System.IO.Path.Combine(project, "bin", configuration, "net10.0", "Hl7Mllp.Cli.dll");
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
