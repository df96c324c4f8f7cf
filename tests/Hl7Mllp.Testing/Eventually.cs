using System.Diagnostics;
using Xunit.Sdk;

namespace Hl7Mllp.Testing;

/// <summary>Bounded polling for integration tests that wait on another thread or process; use sparingly.</summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Polls <paramref name="condition"/> until it returns true, failing after <paramref name="timeout"/>.</summary>
    /// <param name="condition">Checked at once, then every <paramref name="pollInterval"/> (default 20 ms).</param>
    /// <param name="timeout">Upper bound of the wait.</param>
    /// <param name="because">Shown in the failure message.</param>
    /// <param name="pollInterval">Pause between checks; default 20 ms.</param>
    /// <exception cref="XunitException">The condition stayed false for the whole timeout.</exception>
    public static async Task AssertAsync(Func<bool> condition, TimeSpan timeout, string because = "", TimeSpan? pollInterval = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var started = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(started) >= timeout)
            {
                throw new XunitException($"Condition not met within {timeout.TotalMilliseconds:0} ms. {because}".TrimEnd());
            }

            await Task.Delay(pollInterval ?? DefaultPollInterval);
        }
    }

    /// <summary>Runs <paramref name="assertion"/> until it stops throwing, rethrowing its last failure after <paramref name="timeout"/>.</summary>
    /// <param name="assertion">An assertion block (for example FluentAssertions calls), run at once and then every <paramref name="pollInterval"/>.</param>
    /// <param name="timeout">Upper bound of the wait.</param>
    /// <param name="pollInterval">Pause between runs; default 20 ms.</param>
    public static async Task AssertAsync(Action assertion, TimeSpan timeout, TimeSpan? pollInterval = null)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                assertion();
                return;
            }
            catch (Exception) when (Stopwatch.GetElapsedTime(started) < timeout)
            {
                await Task.Delay(pollInterval ?? DefaultPollInterval);
            }
        }
    }
}
