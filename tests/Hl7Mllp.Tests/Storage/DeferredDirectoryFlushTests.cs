using Hl7Mllp.Diagnostics;
using Hl7Mllp.Storage;
using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Hl7Mllp.Tests.Storage;

public sealed class DeferredDirectoryFlushTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly TempDirectory _dir = new("flush");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero));
    private readonly RecordingLoggerFactory _logs = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Add_BelowMaxChanges_FlushedOneIntervalLater()
    {
        using var flush = Create(out Counter flushes);

        flush.Add(_dir.Path);
        _time.Advance(Interval - TimeSpan.FromTicks(1));
        int waitingBefore = flush.Waiting;
        _time.Advance(TimeSpan.FromTicks(1));

        waitingBefore.Should().Be(1, "nothing is flushed before the interval");
        flush.Waiting.Should().Be(0);
        flushes.Count.Should().Be(1);
        _logs.HasEventId(Hl7MllpEventIds.FileSourceFlushFailed).Should().BeFalse();
    }

    // Only Linux opens the directory to flush it; elsewhere a missing directory cannot make the flush fail.
    [SkippableFact]
    public void Flush_DirectoryFails_RetriedWithBackOffUntilItSucceedsWithoutAnotherChange()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the directory flush is Linux only");
        string directory = _dir.Combine("archive");
        Directory.CreateDirectory(directory);
        using var flush = Create(out Counter flushes);
        flush.Add(directory);
        Directory.Delete(directory);

        _time.Advance(Interval);
        int failuresAfterFirst = Failures();
        int waitingAfterFirst = flush.Waiting;
        _time.Advance(Interval - TimeSpan.FromTicks(1));
        int failuresBeforeRetry = Failures();
        _time.Advance(TimeSpan.FromTicks(1));
        int failuresAfterRetry = Failures();
        _time.Advance((2 * Interval) - TimeSpan.FromTicks(1));
        int failuresBeforeSecondRetry = Failures();
        _time.Advance(TimeSpan.FromTicks(1));
        int failuresAfterSecondRetry = Failures();
        Directory.CreateDirectory(directory);
        _time.Advance(4 * Interval);

        failuresAfterFirst.Should().Be(1);
        waitingAfterFirst.Should().Be(1, "the failed directory waits for the next flush");
        failuresBeforeRetry.Should().Be(1, "the first retry comes one interval later, not sooner");
        failuresAfterRetry.Should().Be(2, "each failed attempt is logged");
        failuresBeforeSecondRetry.Should().Be(2, "after a second failure the wait doubles");
        failuresAfterSecondRetry.Should().Be(3);
        flush.Waiting.Should().Be(0, "the retry succeeded once the directory could be opened again");
        flushes.Count.Should().Be(4);
        _time.Advance(Interval * 50);
        flushes.Count.Should().Be(4, "once flushed, the timer stays off until the next change");
    }

    [SkippableFact]
    public void Flush_DirectoryStaysMissing_RetriesAtMostEveryThirtySeconds()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the directory flush is Linux only");
        string directory = _dir.Combine("missing");
        Directory.CreateDirectory(directory);
        using var flush = Create(out _);
        flush.Add(directory);
        Directory.Delete(directory);

        for (int second = 0; second < 600; second++)
        {
            _time.Advance(Interval);
        }

        // 1, 2, 4, 8, 16 s, then every 30 s: 5 + about 19 attempts in ten minutes, not 600.
        Failures().Should().BeInRange(20, 26);
        flush.Waiting.Should().Be(1, "the directory still waits for its flush");
    }

    private int Failures() => _logs.WithEventId(Hl7MllpEventIds.FileSourceFlushFailed).Count;

    [SkippableFact]
    public void Dispose_DirectoryFails_NoRetryAfterwards()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the directory flush is Linux only");
        string directory = _dir.Combine("gone");
        Directory.CreateDirectory(directory);
        var flush = Create(out Counter flushes);
        flush.Add(directory);
        Directory.Delete(directory);

        flush.Dispose();
        _time.Advance(Interval * 5);

        flushes.Count.Should().Be(1, "a disposed flusher does not re-arm its timer");
        _logs.WithEventId(Hl7MllpEventIds.FileSourceFlushFailed).Should().ContainSingle();
    }

    private DeferredDirectoryFlush Create(out Counter flushes)
    {
        var counter = new Counter();
        flushes = counter;
        return new DeferredDirectoryFlush(Interval, maxChanges: 100, _time, _logs.CreateLogger("flush"), () => counter.Count++);
    }

    /// <summary>Counts the flushes (the <c>beforeFlush</c> hook runs once at the start of each).</summary>
    private sealed class Counter
    {
        public int Count { get; set; }
    }
}
