using Xunit;

namespace Hl7Mllp.Testing.Processes;

/// <summary>
/// Installs npm packages into a test's own folder for tests against independent Node.js peers, and skips the test
/// (<see cref="Skip"/>, with <c>[SkippableFact]</c>) when node or npm is missing or the install fails.
/// </summary>
public static class NodePackages
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Skips the test unless node and npm are on the PATH, then runs <c>npm install --prefix <paramref name="folder"/></c>.</summary>
    /// <param name="folder">The folder that receives <c>node_modules</c> (a temporary folder of the test).</param>
    /// <param name="packages">The packages, optionally pinned (<c>name@version</c>).</param>
    /// <returns>A task that completes once the packages are installed.</returns>
    /// <exception cref="SkipException">node or npm is missing, or the install failed (the test is skipped).</exception>
    /// <exception cref="TimeoutException">npm ran longer than three minutes (it has been killed).</exception>
    public static async Task InstallOrSkipAsync(string folder, params string[] packages)
    {
        Skip.If(FindOnPath("node") is null || FindOnPath("npm") is null, "node or npm is not installed");
        ChildProcessResult install = await ChildProcess.RunAsync("npm", ["install", "--prefix", folder, "--no-audit", "--no-fund", .. packages], InstallTimeout);
        Skip.If(install.ExitCode != 0, "npm install failed: " + install.StandardError);
    }

    /// <summary>Finds a program on the PATH.</summary>
    /// <param name="program">The file name, e.g. <c>node</c>.</param>
    /// <returns>Its full path, or <see langword="null"/> when no PATH folder holds it.</returns>
    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
}
