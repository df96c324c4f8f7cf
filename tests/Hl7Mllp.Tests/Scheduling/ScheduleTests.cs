using FluentAssertions;
using Hl7Mllp.Scheduling;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Hl7Mllp.Tests.Scheduling;

public class ScheduleTests
{
    private static readonly TimeSpan PlusTwo = TimeSpan.FromHours(2);

    private static DateTimeOffset At(int hour, int minute, TimeSpan? offset = null, int day = 10) =>
        new(2026, 3, day, hour, minute, 0, offset ?? TimeSpan.Zero);

    [Fact]
    public void Always_AnyInstant_ActiveAndNeverChanges()
    {
        Schedule.Always.IsActive(At(3, 0)).Should().BeTrue();
        Schedule.Always.IsActive(DateTimeOffset.MinValue).Should().BeTrue();
        Schedule.Always.NextChange(At(3, 0)).Should().BeNull();
        Schedule.Always.Kind.Should().Be(ScheduleKind.Always);
    }

    [Theory]
    [InlineData(7, 59, false)]
    [InlineData(8, 0, true)]
    [InlineData(12, 0, true)]
    [InlineData(17, 59, true)]
    [InlineData(18, 0, false)]
    [InlineData(23, 0, false)]
    public void IsActive_DailyWindow_StartInclusiveStopExclusive(int hour, int minute, bool expected)
    {
        var schedule = Schedule.Daily(new TimeOnly(8, 0), new TimeOnly(18, 0));

        schedule.IsActive(At(hour, minute)).Should().Be(expected);
    }

    [Theory]
    [InlineData(21, 59, false)]
    [InlineData(22, 0, true)]
    [InlineData(23, 59, true)]
    [InlineData(0, 0, true)]
    [InlineData(5, 59, true)]
    [InlineData(6, 0, false)]
    [InlineData(12, 0, false)]
    public void IsActive_WindowCrossingMidnight_ActiveAcrossIt(int hour, int minute, bool expected)
    {
        var schedule = Schedule.Parse("22:00-06:00");

        schedule.IsActive(At(hour, minute)).Should().Be(expected);
    }

    [Fact]
    public void NextChange_WindowCrossingMidnight_StopIsTomorrowMorningStartIsTonight()
    {
        var schedule = Schedule.Parse("22:00-06:00");

        schedule.NextChange(At(23, 0)).Should().Be(At(6, 0, day: 11));
        schedule.NextChange(At(1, 0)).Should().Be(At(6, 0));
        schedule.NextChange(At(12, 0)).Should().Be(At(22, 0));
        schedule.NextChange(At(22, 0)).Should().Be(At(6, 0, day: 11), "at the start instant it is on, so the next change is the stop");
    }

    [Fact]
    public void IsActive_UtcOffset_ReadsWallClockInTheInstantsOffset()
    {
        var schedule = Schedule.Parse("08:00-18:00");
        var instant = At(7, 0);

        schedule.IsActive(instant).Should().BeFalse("07:00 UTC is before the window");
        schedule.IsActive(instant.ToOffset(PlusTwo)).Should().BeTrue("the same instant is 09:00 at +02:00");
        schedule.NextChange(instant.ToOffset(PlusTwo)).Should().Be(At(18, 0, PlusTwo));
    }

    [Fact]
    public void IsActive_TimeProvider_UsesItsLocalTimeZone()
    {
        var time = new FakeTimeProvider(At(7, 0));
        time.SetLocalTimeZone(TimeZoneInfo.CreateCustomTimeZone("plus2", PlusTwo, "plus2", "plus2"));
        var schedule = Schedule.Parse("08:00-18:00");

        schedule.IsActive(time).Should().BeTrue();
        time.Advance(TimeSpan.FromHours(9));
        schedule.IsActive(time).Should().BeFalse("16:00 UTC is 18:00 at +02:00");
    }

    [Fact]
    public void IsActive_CycleFromEpoch_OnForFirstPartOfEachPeriod()
    {
        var schedule = Schedule.Parse("cycle 10m on 5m off");

        schedule.IsActive(At(12, 0)).Should().BeTrue("12:00 UTC is a multiple of 15 minutes since the epoch");
        schedule.IsActive(At(12, 9)).Should().BeTrue();
        schedule.IsActive(At(12, 10)).Should().BeFalse();
        schedule.IsActive(At(12, 14)).Should().BeFalse();
        schedule.IsActive(At(12, 15)).Should().BeTrue();
        schedule.NextChange(At(12, 3)).Should().Be(At(12, 10));
        schedule.NextChange(At(12, 11)).Should().Be(At(12, 15));
    }

    [Fact]
    public void NextChange_CycleWithAnchor_CountsFromAnchorAlsoBeforeIt()
    {
        var schedule = Schedule.Cycle(TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(40), At(6, 30));

        schedule.IsActive(At(6, 30)).Should().BeTrue();
        schedule.IsActive(At(6, 50)).Should().BeFalse();
        schedule.IsActive(At(5, 35)).Should().BeTrue("an hour before the anchor is also the start of an on period");
        schedule.NextChange(At(5, 35)).Should().Be(At(5, 50));
        schedule.NextChange(At(6, 50)).Should().Be(At(7, 30));
    }

    [Fact]
    public void NextChange_WalkingADayOfChanges_AlternatesActiveState()
    {
        foreach (string text in new[] { "22:00-06:00", "08:15:30-09:00", "cycle 7m on 3m off", "cycle 1h30m on 45s off from 2026-03-10T01:02:03+05:00" })
        {
            var schedule = Schedule.Parse(text);
            var time = At(0, 0, PlusTwo);
            bool active = schedule.IsActive(time);
            for (int i = 0; i < 50; i++)
            {
                DateTimeOffset next = schedule.NextChange(time)!.Value;
                next.Should().BeAfter(time);
                schedule.IsActive(next.AddTicks(-1)).Should().Be(active, text);
                schedule.IsActive(next).Should().Be(!active, text);
                active = !active;
                time = next;
            }
        }
    }

    [Theory]
    [InlineData("always", "always")]
    [InlineData("  ALWAYS ", "always")]
    [InlineData("8:00-18:00", "08:00-18:00")]
    [InlineData("22:00-06:30", "22:00-06:30")]
    [InlineData("06:00:15-06:00:45", "06:00:15-06:00:45")]
    [InlineData("cycle 10m on 5m off", "cycle 10m on 5m off")]
    [InlineData("Cycle 90m On 30s Off", "cycle 1h30m on 30s off")]
    [InlineData("cycle 2h on 1h off from 2026-01-01T06:00:00+01:00", "cycle 2h on 1h off from 2026-01-01T06:00:00+01:00")]
    public void ParseToString_ValidText_RoundTrips(string text, string expected)
    {
        var schedule = Schedule.Parse(text);

        schedule.ToString().Should().Be(expected);
        Schedule.Parse(schedule.ToString()).Should().Be(schedule);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sometimes")]
    [InlineData("08:00")]
    [InlineData("08:00-08:00")]
    [InlineData("25:00-06:00")]
    [InlineData("08:00-")]
    [InlineData("cycle 10m on")]
    [InlineData("cycle 10 on 5m off")]
    [InlineData("cycle 0m on 5m off")]
    [InlineData("cycle 5m30h on 5m off")]
    [InlineData("cycle 10m off 5m on")]
    [InlineData("cycle 10m on 5m off from yesterday")]
    [InlineData("cycle 10m on 5m off since 2026-01-01")]
    public void Parse_InvalidText_ThrowsFormatException(string text)
    {
        Action parse = () => Schedule.Parse(text);

        parse.Should().Throw<FormatException>().WithMessage("*");
        Schedule.TryParse(text, out Schedule? schedule).Should().BeFalse();
        schedule.Should().BeNull();
    }

    [Fact]
    public void Factories_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => Schedule.Daily(new TimeOnly(8, 0), new TimeOnly(8, 0))).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => Schedule.Cycle(TimeSpan.Zero, TimeSpan.FromMinutes(1))).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Schedule.Cycle(TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(10))).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => Schedule.Parse(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => Schedule.Always.IsActive((TimeProvider)null!)).Should().Throw<ArgumentNullException>();
    }
}
