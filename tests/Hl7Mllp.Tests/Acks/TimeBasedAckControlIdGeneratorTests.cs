using System.Collections.Concurrent;
using Hl7Mllp.Acks;
using Microsoft.Extensions.Time.Testing;

namespace Hl7Mllp.Tests.Acks;

public class TimeBasedAckControlIdGeneratorTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    [Fact]
    public void Next_StoppedClock_CountsUpFromUnixMicroseconds()
    {
        var generator = new TimeBasedAckControlIdGenerator(timeProvider: new FakeTimeProvider(Now));
        long micros = Now.ToUnixTimeMilliseconds() * 1000;

        generator.Next().Should().Be(micros.ToString(System.Globalization.CultureInfo.InvariantCulture));
        generator.Next().Should().Be((micros + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Next_AfterRestart_StartsAboveThePreviousRun()
    {
        var clock = new FakeTimeProvider(Now);
        var first = new TimeBasedAckControlIdGenerator(timeProvider: clock);
        string last = string.Empty;
        for (int i = 0; i < 1000; i++)
        {
            last = first.Next();
        }

        var restarted = new TimeBasedAckControlIdGenerator(timeProvider: new FakeTimeProvider(Now.AddSeconds(1)));

        long.Parse(restarted.Next(), System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThan(long.Parse(last, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Next_WithPrefix_FitsTwentyCharacters()
    {
        var generator = new TimeBasedAckControlIdGenerator("NODE", new FakeTimeProvider(Now));

        string id = generator.Next();

        id.Should().StartWith("NODE").And.HaveLength(20);
        generator.Prefix.Should().Be("NODE");
    }

    [Theory]
    [InlineData("TOOLONG")]
    [InlineData("A|B")]
    [InlineData("é")]
    public void Constructor_BadPrefix_Throws(string prefix)
    {
        Action act = () => _ = new TimeBasedAckControlIdGenerator(prefix);

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void WriteNext_ShortDestination_Throws()
    {
        Action act = () => TimeBasedAckControlIdGenerator.Shared.WriteNext(new byte[10]);

        act.Should().Throw<ArgumentException>();
    }

    // RELIABILITY field failure F21: ACK control IDs never repeat, even many per clock tick.
    [Fact]
    public void Next_ManyThreadsOnAStoppedClock_NeverRepeats()
    {
        var generator = new TimeBasedAckControlIdGenerator(timeProvider: new FakeTimeProvider(Now));
        var seen = new ConcurrentDictionary<string, bool>();
        const int PerThread = 5000;
        const int Threads = 8;

        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, _ =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                seen.TryAdd(generator.Next(), true).Should().BeTrue();
            }
        });

        seen.Should().HaveCount(PerThread * Threads);
    }

    [Fact]
    public void Shared_RealClockAcrossBuildersAndThreads_NeverRepeats()
    {
        var seen = new ConcurrentDictionary<string, bool>();

        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < 2000; i++)
            {
                string id = TimeBasedAckControlIdGenerator.Shared.Next();
                id.Length.Should().BeLessThanOrEqualTo(20);
                seen.TryAdd(id, true).Should().BeTrue();
            }
        });

        seen.Should().HaveCount(8000);
    }
}
