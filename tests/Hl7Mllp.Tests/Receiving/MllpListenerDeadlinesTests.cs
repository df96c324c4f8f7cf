using Hl7Mllp.Receiving;
using Microsoft.Extensions.Time.Testing;

namespace Hl7Mllp.Tests.Receiving;

public class MllpListenerDeadlinesTests
{
    [Fact]
    public void TickFor_DefaultOptions_IsATenthOfTheReadTimeout()
    {
        MllpListenerDeadlines.TickFor(new MllpListenerOptions(), tls: false).Should().Be(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public void TickFor_TinyTimeout_IsClampedToTenMilliseconds()
    {
        var options = new MllpListenerOptions { ReadTimeout = TimeSpan.FromMilliseconds(20) };

        MllpListenerDeadlines.TickFor(options, tls: false).Should().Be(MllpListenerDeadlines.MinimumTick);
    }

    [Fact]
    public void TickFor_OnlyLongTimeouts_IsAtMostOneSecond()
    {
        var options = new MllpListenerOptions { ReadTimeout = TimeSpan.FromMinutes(1), FrameTimeout = TimeSpan.FromMinutes(2) };

        MllpListenerDeadlines.TickFor(options, tls: false).Should().Be(MllpListenerDeadlines.MaximumTick);
    }

    [Fact]
    public void TickFor_EveryTimeoutOff_IsNullWithoutTlsAndFollowsTheHandshakeWithTls()
    {
        var options = new MllpListenerOptions
        {
            IdleTimeout = Timeout.InfiniteTimeSpan,
            ReadTimeout = Timeout.InfiniteTimeSpan,
            FrameTimeout = Timeout.InfiniteTimeSpan,
            TlsHandshakeTimeout = TimeSpan.FromSeconds(2),
        };

        MllpListenerDeadlines.TickFor(options, tls: false).Should().BeNull("no timer is needed");
        MllpListenerDeadlines.TickFor(options, tls: true).Should().Be(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Constructor_Timeouts_AreInTimestampUnitsOfTheTimeProvider()
    {
        var options = new MllpListenerOptions { IdleTimeout = Timeout.InfiniteTimeSpan, TlsHandshakeTimeout = TimeSpan.FromSeconds(10) };
        var fake = new FakeTimeProvider();

        var deadlines = new MllpListenerDeadlines(options, tls: false, fake);
        var system = new MllpListenerDeadlines(options, tls: true, TimeProvider.System);

        deadlines.Idle.Should().Be(MllpListenerDeadlines.None);
        deadlines.TlsHandshake.Should().Be(MllpListenerDeadlines.None, "no TLS, no handshake");
        deadlines.Read.Should().Be(5 * fake.TimestampFrequency);
        deadlines.Frame.Should().Be(30 * fake.TimestampFrequency);
        system.Read.Should().Be(5 * TimeProvider.System.TimestampFrequency);
        system.TlsHandshake.Should().Be(10 * TimeProvider.System.TimestampFrequency);
    }
}
