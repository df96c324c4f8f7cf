namespace Hl7Mllp.Sending;

/// <summary>
/// Error-log throttling for destinations that are expected to be offline at times or sit behind flaky networks
/// (seed 000, the Logging tab). Suppressed errors are still counted in metrics and logged at debug level.
/// </summary>
public sealed class ErrorLoggingOptions
{
    /// <summary>When failures are logged as errors. Default: <see cref="ErrorLoggingMode.EveryError"/>.</summary>
    public ErrorLoggingMode Mode { get; set; } = ErrorLoggingMode.EveryError;

    /// <summary>
    /// With <see cref="ErrorLoggingMode.AfterFailedAttempts"/>: the number of failed attempts in a row from which
    /// failures are logged as errors. Default: 5. Must be at least 1.
    /// </summary>
    public int FailedAttempts { get; set; } = 5;

    /// <summary>
    /// With <see cref="ErrorLoggingMode.AfterTimeWithoutSuccess"/>: how long sends may keep failing before failures
    /// are logged as errors. Default: 10 minutes. Must be positive.
    /// </summary>
    public TimeSpan TimeWithoutSuccess { get; set; } = TimeSpan.FromMinutes(10);

    internal void AddProblems(List<string> problems, string prefix)
    {
        if (!Enum.IsDefined(Mode))
        {
            problems.Add($"{prefix}{nameof(Mode)} has an unknown value ({(int)Mode}).");
        }

        if (FailedAttempts < 1)
        {
            problems.Add($"{prefix}{nameof(FailedAttempts)} must be at least 1 (was {FailedAttempts}).");
        }

        if (TimeWithoutSuccess <= TimeSpan.Zero)
        {
            problems.Add($"{prefix}{nameof(TimeWithoutSuccess)} must be positive (was {TimeWithoutSuccess}).");
        }
    }
}
