namespace Hl7Mllp.Sending;

/// <summary>
/// TCP keep-alive for the client's connections: short probes find a half-open connection (peer vanished, a
/// firewall or VPN dropped its state) in minutes rather than the operating system's default two hours
/// (RELIABILITY C6, F11, F12).
/// </summary>
public sealed class MllpClientKeepAliveOptions
{
    /// <summary>Whether TCP keep-alive is switched on. Default: <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Idle time before the first probe (<c>TCP_KEEPIDLE</c>). Default: 60 seconds. Whole seconds, at least 1.</summary>
    public TimeSpan Time { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time between unanswered probes (<c>TCP_KEEPINTVL</c>). Default: 10 seconds. Whole seconds, at least 1.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Unanswered probes before the connection is dropped (<c>TCP_KEEPCNT</c>). Default: 5. Between 1 and 127.</summary>
    public int RetryCount { get; set; } = 5;

    internal void AddProblems(List<string> problems, string prefix)
    {
        if (!Enabled)
        {
            return;
        }

        if (Time < TimeSpan.FromSeconds(1) || Time > TimeSpan.FromSeconds(int.MaxValue))
        {
            problems.Add($"{prefix}{nameof(Time)} must be at least 1 second (was {Time}).");
        }

        if (Interval < TimeSpan.FromSeconds(1) || Interval > TimeSpan.FromSeconds(int.MaxValue))
        {
            problems.Add($"{prefix}{nameof(Interval)} must be at least 1 second (was {Interval}).");
        }

        if (RetryCount is < 1 or > 127)
        {
            problems.Add($"{prefix}{nameof(RetryCount)} must be between 1 and 127 (was {RetryCount}).");
        }
    }
}
