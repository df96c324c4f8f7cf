using Microsoft.Extensions.Time.Testing;

namespace Hl7Mllp.Tests.Testing;

/// <summary>The kit takes FakeTimeProvider from Microsoft.Extensions.TimeProvider.Testing; this pins the behaviour tests rely on.</summary>
public class FakeTimeProviderTests
{
    [Fact]
    public void Advance_PastTimerDue_FiresTimerWithoutWallClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var fired = 0;
        using var timer = time.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(30), Timeout.InfiniteTimeSpan);

        time.Advance(TimeSpan.FromSeconds(29));
        fired.Should().Be(0);
        time.Advance(TimeSpan.FromSeconds(1));

        fired.Should().Be(1);
        time.GetUtcNow().Should().Be(new DateTimeOffset(2026, 1, 2, 3, 4, 35, TimeSpan.Zero));
    }

    [Fact]
    public async Task Delay_CompletesOnlyWhenAdvanced()
    {
        var time = new FakeTimeProvider();
        time.SetLocalTimeZone(TimeZoneInfo.Utc);

        var delay = Task.Delay(TimeSpan.FromMinutes(5), time);
        delay.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromMinutes(5));

        await delay.WaitAsync(TimeSpan.FromSeconds(10));
        time.LocalTimeZone.Should().Be(TimeZoneInfo.Utc);
    }
}
