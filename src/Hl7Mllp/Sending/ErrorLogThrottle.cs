namespace Hl7Mllp.Sending;

/// <summary>
/// Decides whether a failure is logged as an error under <see cref="ErrorLoggingOptions"/>: tracks failures in a row
/// and when the current run of failures began. Used by <see cref="MllpClient"/> and reusable by anything that sends
/// (a transmitter).
/// </summary>
/// <remarks>Thread-safe. It only decides about logging: callers count every failure in metrics regardless.</remarks>
public sealed class ErrorLogThrottle
{
    private readonly ErrorLoggingOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();
    private int _consecutiveFailures;
    private long _failingSince;

    /// <summary>Creates a throttle.</summary>
    /// <param name="options">The policy; copied, later changes have no effect. <see langword="null"/> for the default (log every error).</param>
    /// <param name="timeProvider">The clock for <see cref="ErrorLoggingMode.AfterTimeWithoutSuccess"/>; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message lists every problem.</exception>
    public ErrorLogThrottle(ErrorLoggingOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= new ErrorLoggingOptions();
        var problems = new List<string>();
        options.AddProblems(problems, string.Empty);
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid error logging options: " + string.Join(" ", problems), nameof(options));
        }

        _options = new ErrorLoggingOptions
        {
            Mode = options.Mode,
            FailedAttempts = options.FailedAttempts,
            TimeWithoutSuccess = options.TimeWithoutSuccess,
        };
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Failed attempts since the last success.</summary>
    public int ConsecutiveFailures
    {
        get
        {
            lock (_lock)
            {
                return _consecutiveFailures;
            }
        }
    }

    /// <summary>Records a failed attempt and says whether it is to be logged as an error.</summary>
    /// <returns><see langword="true"/> to log the failure as an error; <see langword="false"/> when it is suppressed (log it at debug level at most).</returns>
    public bool RecordFailure()
    {
        long now = _timeProvider.GetTimestamp();
        lock (_lock)
        {
            if (_consecutiveFailures++ == 0)
            {
                _failingSince = now;
            }

            return _options.Mode switch
            {
                ErrorLoggingMode.AfterFailedAttempts => _consecutiveFailures >= _options.FailedAttempts,
                ErrorLoggingMode.AfterTimeWithoutSuccess => _timeProvider.GetElapsedTime(_failingSince, now) >= _options.TimeWithoutSuccess,
                _ => true,
            };
        }
    }

    /// <summary>Records a successful send: the failure count and the failing period start over.</summary>
    public void RecordSuccess()
    {
        // The common case, a success after a success, takes no lock.
        if (Volatile.Read(ref _consecutiveFailures) == 0)
        {
            return;
        }

        lock (_lock)
        {
            _consecutiveFailures = 0;
        }
    }
}
