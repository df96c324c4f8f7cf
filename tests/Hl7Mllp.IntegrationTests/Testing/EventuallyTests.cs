using Hl7Mllp.Testing;
using Xunit.Sdk;

namespace Hl7Mllp.IntegrationTests.Testing;

public class EventuallyTests
{
    [Fact]
    public async Task AssertAsync_ConditionBecomesTrue_Returns()
    {
        var flag = 0;
        _ = Task.Run(async () =>
        {
            await Task.Delay(50);
            Volatile.Write(ref flag, 1);
        });

        await Eventually.AssertAsync(() => Volatile.Read(ref flag) == 1, TimeSpan.FromSeconds(10));

        flag.Should().Be(1);
    }

    [Fact]
    public async Task AssertAsync_ConditionStaysFalse_FailsAfterTimeoutWithReason()
    {
        var checks = 0;

        var wait = () => Eventually.AssertAsync(() => ++checks < 0, TimeSpan.FromMilliseconds(100), "the listener never closed");

        await wait.Should().ThrowAsync<XunitException>().WithMessage("*100 ms*the listener never closed*");
        checks.Should().BeGreaterThan(1);
    }

    [Fact]
    public async Task AssertAsync_AssertionPassesLater_Returns()
    {
        var items = new List<int>();
        var calls = 0;

        await Eventually.AssertAsync(
            () =>
            {
                items.Add(++calls);
                items.Should().HaveCount(3);
            },
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(1));

        calls.Should().Be(3);
    }

    [Fact]
    public async Task AssertAsync_AssertionNeverPasses_RethrowsLastFailure()
    {
        var wait = () => Eventually.AssertAsync(() => 1.Should().Be(2, "it never changes"), TimeSpan.FromMilliseconds(100));

        await wait.Should().ThrowAsync<XunitException>().WithMessage("*it never changes*");
    }
}
