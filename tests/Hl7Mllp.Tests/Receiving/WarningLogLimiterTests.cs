using Hl7Mllp.Receiving;
using Microsoft.Extensions.Time.Testing;

namespace Hl7Mllp.Tests.Receiving;

public sealed class WarningLogLimiterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TryLog_NoLimit_EveryWarningLoggedNothingSuppressed()
    {
        var limiter = new WarningLogLimiter(0, TimeSpan.FromSeconds(10), _time);

        for (int i = 0; i < 1000; i++)
        {
            limiter.TryLog(out long suppressed, out _).Should().BeTrue();
            suppressed.Should().Be(0);
        }
    }

    [Fact]
    public void TryLog_PastLimitWithinInterval_SuppressedUntilIntervalEnds()
    {
        var limiter = new WarningLogLimiter(3, TimeSpan.FromSeconds(10), _time);

        bool[] logged = [.. Enumerable.Range(0, 10).Select(i => limiter.TryLog(out long _, out TimeSpan _))];
        _time.Advance(TimeSpan.FromSeconds(9.999));
        bool lateInInterval = limiter.TryLog(out long suppressedLate, out _);

        logged.Should().Equal(true, true, true, false, false, false, false, false, false, false);
        lateInInterval.Should().BeFalse();
        suppressedLate.Should().Be(0, "the summary waits for the next interval");
    }

    [Fact]
    public void TryLog_FirstWarningOfNextInterval_LoggedWithSuppressedCountAndPeriod()
    {
        var limiter = new WarningLogLimiter(2, TimeSpan.FromSeconds(10), _time);
        for (int i = 0; i < 7; i++)
        {
            limiter.TryLog(out _, out _);
        }

        _time.Advance(TimeSpan.FromSeconds(12));
        bool first = limiter.TryLog(out long suppressed, out TimeSpan period);
        bool second = limiter.TryLog(out long suppressedAgain, out _);
        bool third = limiter.TryLog(out _, out _);

        first.Should().BeTrue();
        suppressed.Should().Be(5);
        period.Should().Be(TimeSpan.FromSeconds(12));
        second.Should().BeTrue();
        suppressedAgain.Should().Be(0, "the count is reported once");
        third.Should().BeFalse();
    }

    [Fact]
    public void TryLog_ConcurrentCallers_ExactlyLimitLoggedPerInterval()
    {
        var limiter = new WarningLogLimiter(50, TimeSpan.FromSeconds(10), _time);
        int logged = 0;

        Parallel.For(0, 10_000, i =>
        {
            if (limiter.TryLog(out _, out _))
            {
                Interlocked.Increment(ref logged);
            }
        });
        _time.Advance(TimeSpan.FromSeconds(10));
        limiter.TryLog(out long suppressed, out _);

        logged.Should().Be(50);
        suppressed.Should().Be(10_000 - 50);
    }
}
