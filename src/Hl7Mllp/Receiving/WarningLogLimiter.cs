namespace Hl7Mllp.Receiving;

/// <summary>
/// Lets the first N per-message warnings of each interval through to the log and counts the rest
/// (<see cref="ReceivePipelineOptions.MaxWarningsPerInterval"/>): a sender that keeps sending bad messages costs a few
/// log lines per interval, not one per message.
/// </summary>
/// <remarks>Thread-safe. Without a limit it takes no lock and reads no clock.</remarks>
internal sealed class WarningLogLimiter
{
    private readonly int _limit;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();
    private long _intervalStart;
    private bool _started;
    private int _logged;
    private long _suppressed;

    /// <summary>Creates a limiter.</summary>
    /// <param name="limit">How many warnings each interval logs; 0 = all.</param>
    /// <param name="interval">The interval.</param>
    /// <param name="timeProvider">The clock.</param>
    public WarningLogLimiter(int limit, TimeSpan interval, TimeProvider timeProvider)
    {
        _limit = limit;
        _interval = interval;
        _timeProvider = timeProvider;
    }

    /// <summary>Decides whether one more warning is logged.</summary>
    /// <param name="suppressed">When this warning opens a new interval: how many were left out since the last one opened (log that first); otherwise 0.</param>
    /// <param name="period">How long the interval that left them out lasted.</param>
    /// <returns><see langword="true"/> to log the warning.</returns>
    public bool TryLog(out long suppressed, out TimeSpan period)
    {
        suppressed = 0;
        period = TimeSpan.Zero;
        if (_limit == 0)
        {
            return true;
        }

        long now = _timeProvider.GetTimestamp();
        lock (_lock)
        {
            if (!_started || _timeProvider.GetElapsedTime(_intervalStart, now) >= _interval)
            {
                suppressed = _suppressed;
                period = _started ? _timeProvider.GetElapsedTime(_intervalStart, now) : TimeSpan.Zero;
                _started = true;
                _intervalStart = now;
                _logged = 0;
                _suppressed = 0;
            }

            if (_logged < _limit)
            {
                _logged++;
                return true;
            }

            _suppressed++;
            return false;
        }
    }
}
