using Microsoft.Extensions.Time.Testing;
using Hl7Mllp.Sending;

namespace Hl7Mllp.Tests.Sending;

public sealed class ErrorLogThrottleTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void RecordFailure_EveryErrorMode_AlwaysLogs()
    {
        var throttle = new ErrorLogThrottle(null, _time);

        Enumerable.Range(0, 5).Select(_ => throttle.RecordFailure()).Should().OnlyContain(log => log);
        throttle.ConsecutiveFailures.Should().Be(5);
    }

    [Fact]
    public void RecordFailure_AfterFailedAttempts_LogsFromTheThresholdAndSuccessStartsOver()
    {
        var throttle = new ErrorLogThrottle(new ErrorLoggingOptions { Mode = ErrorLoggingMode.AfterFailedAttempts, FailedAttempts = 3 }, _time);

        new[] { throttle.RecordFailure(), throttle.RecordFailure(), throttle.RecordFailure(), throttle.RecordFailure() }
            .Should().Equal(false, false, true, true);

        throttle.RecordSuccess();

        throttle.ConsecutiveFailures.Should().Be(0);
        throttle.RecordFailure().Should().BeFalse();
    }

    [Fact]
    public void RecordFailure_AfterTimeWithoutSuccess_LogsOnceTheFailingPeriodIsLongEnough()
    {
        var throttle = new ErrorLogThrottle(new ErrorLoggingOptions { Mode = ErrorLoggingMode.AfterTimeWithoutSuccess, TimeWithoutSuccess = TimeSpan.FromMinutes(10) }, _time);

        throttle.RecordFailure().Should().BeFalse();
        _time.Advance(TimeSpan.FromMinutes(9));
        throttle.RecordFailure().Should().BeFalse();
        _time.Advance(TimeSpan.FromMinutes(1));
        throttle.RecordFailure().Should().BeTrue();

        throttle.RecordSuccess();
        _time.Advance(TimeSpan.FromMinutes(30));

        throttle.RecordFailure().Should().BeFalse("the failing period starts at the first failure after a success");
    }

    [Fact]
    public void Constructor_InvalidOptions_ListsEveryProblem()
    {
        var create = () => new ErrorLogThrottle(new ErrorLoggingOptions { Mode = (ErrorLoggingMode)9, FailedAttempts = 0, TimeWithoutSuccess = TimeSpan.Zero });

        create.Should().Throw<ArgumentException>()
            .WithMessage("*Mode*")
            .WithMessage("*FailedAttempts*")
            .WithMessage("*TimeWithoutSuccess*");
    }
}
