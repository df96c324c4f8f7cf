using Hl7Mllp.Internal;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Storage;

/// <summary>
/// Batches the directory flushes that make a <see cref="FileMessageSource"/>'s archives and deletes survive a power loss.
/// A rename or delete is complete for the process (and survives a kill) as soon as the call returns; only a power loss
/// can undo it until its directory is flushed. This class flushes every directory changed since the last flush once
/// <c>maxChanges</c> changes are waiting, <c>interval</c> after the first waiting change (a timer), and on
/// <see cref="Flush"/> / <see cref="Dispose"/>; an interval of zero flushes every change before <see cref="Add"/> returns.
/// Each flush first runs the owner's <c>beforeFlush</c> (the file source's moves of journaled files, which
/// <see cref="Arm"/> announces without counting a change).
/// </summary>
/// <remarks>
/// Thread-safe. A failed flush is logged and its directories stay waiting: the timer tries them again one interval later
/// (each failure logged), and so does any earlier flush. After <see cref="Dispose"/> nothing is retried.
/// </remarks>
internal sealed class DeferredDirectoryFlush : IDisposable
{
    /// <summary>The longest wait before a failed flush is tried again.</summary>
    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _interval;
    private readonly int _maxChanges;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action? _beforeFlush;
    private readonly Lock _lock = new();
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private ITimer? _timer;
    private bool _timerArmed;
    private int _changes;
    private int _failedRounds;
    private bool _disposed;

    public DeferredDirectoryFlush(TimeSpan interval, int maxChanges, TimeProvider time, ILogger logger, Action? beforeFlush = null)
    {
        _beforeFlush = beforeFlush;
        _interval = interval;
        _maxChanges = maxChanges;
        _time = time;
        _logger = logger;
    }

    /// <summary>Gets how many changes wait for a flush.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _changes;
            }
        }
    }

    /// <summary>Records one change (a rename or delete) in <paramref name="directory"/> and, for a move, <paramref name="otherDirectory"/>; flushes now when a bound is reached.</summary>
    public void Add(string directory, string? otherDirectory = null)
    {
        bool flushNow;
        lock (_lock)
        {
            _directories.Add(directory);
            if (otherDirectory is not null)
            {
                _directories.Add(otherDirectory);
            }

            _changes++;
            flushNow = _disposed || _interval == TimeSpan.Zero || _changes >= _maxChanges;
            if (!flushNow)
            {
                ArmTimer();
            }
        }

        if (flushNow)
        {
            Flush();
        }
    }

    /// <summary>Makes sure a flush (and so the owner's <c>beforeFlush</c>) runs within the interval, without counting a change.</summary>
    public void Arm()
    {
        lock (_lock)
        {
            if (!_disposed && _interval > TimeSpan.Zero)
            {
                ArmTimer();
            }
        }
    }

    /// <summary>Flushes every directory changed since the last flush; returns when they are durable (or the failure is logged).</summary>
    public void Flush()
    {
        _beforeFlush?.Invoke();
        string[] directories;
        lock (_lock)
        {
            if (_changes == 0)
            {
                // Nothing to flush yet (the moves are still running elsewhere, or failed): the next change arms the
                // timer again, so the CompletionFlushInterval bound holds.
                _timerArmed = false;
                return;
            }

            directories = [.. _directories];
            _directories.Clear();
            _changes = 0;
            _timerArmed = false;
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        // Outside the lock: renames that run meanwhile mark their directories again and get the next flush.
        var failed = false;
        foreach (var directory in directories)
        {
            try
            {
                DirectorySync.FlushOnce(directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.SourceFlushFailed(_logger, directory, ex.GetType().Name, ex);
                failed = true;
                lock (_lock)
                {
                    _directories.Add(directory);
                    _changes++;
                }
            }
        }

        lock (_lock)
        {
            _failedRounds = failed ? _failedRounds + 1 : 0;
            if (failed && !_disposed && _interval > TimeSpan.Zero)
            {
                // Tried again later, not only at the next change, which may never come: one interval after the first
                // failure, then twice as long after each further one (at most MaxRetryDelay), so a directory that stays
                // missing is not logged ten times a second.
                var delay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, _interval.Ticks << Math.Min(_failedRounds - 1, 20)));
                ArmTimer(delay);
            }
        }
    }

    // Called under _lock.
    private void ArmTimer(TimeSpan? delay = null)
    {
        if (!_timerArmed)
        {
            _timerArmed = true;
            _timer ??= _time.CreateTimer(static state => ((DeferredDirectoryFlush)state!).Flush(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer.Change(delay ?? _interval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Flushes what is waiting and stops the timer; later changes are flushed at once.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        Flush();
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }
}
