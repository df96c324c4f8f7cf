using System.Diagnostics;
using System.Net;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>Runs <c>openssl s_client</c> against a listener as an independent TLS peer (RELIABILITY D1, D2).</summary>
internal static class OpenSsl
{
    public const string Path = "/usr/bin/openssl";

    public static bool IsInstalled => File.Exists(Path);

    public static async Task<(bool HandshakeSucceeded, string Output)> ProbeAsync(IPEndPoint endpoint, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "s_client", "-connect", $"{endpoint.Address}:{endpoint.Port}", "-servername", "localhost" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        string output = await stdout + await stderr;

        // s_client prints "Cipher is (NONE)" when no suite was agreed; a real session names its cipher.
        bool succeeded = process.ExitCode == 0 && output.Contains("Cipher is ", StringComparison.Ordinal) && !output.Contains("Cipher is (NONE)", StringComparison.Ordinal);
        return (succeeded, output);
    }
}

/// <summary>A fact skipped only when <c>openssl</c> is not installed.</summary>
internal sealed class SkippableOpenSslFactAttribute : FactAttribute
{
    public SkippableOpenSslFactAttribute()
    {
        if (!OpenSsl.IsInstalled)
        {
            Skip = "openssl is not installed";
        }
    }
}
