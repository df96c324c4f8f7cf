using System.Text;
using FluentAssertions;
using Hl7Mllp.Sending;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Hl7Mllp.Tests.Sending;

public sealed class HeartbeatMessageTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData("MSH|^~\\&|A|B|C|D|20260101||ACK|HEARTBEAT|P|2.5\rMSA|AA|X", "MSH|^~\\&|A|B|C|D|20260101||ACK|{0}|P|2.5\rMSA|AA|X")]
    [InlineData("MSH#^~\\&#A#B#C#D#20260101##ACK#HEARTBEAT#P#2.5", "MSH#^~\\&#A#B#C#D#20260101##ACK#{0}#P#2.5")]
    [InlineData("MSH|^~\\&#|A|B|C|D|20260101||ACK|HB|P|2.5\nEVN|X", "MSH|^~\\&#|A|B|C|D|20260101||ACK|{0}|P|2.5\nEVN|X")]
    [InlineData("MSH|^~\\&|A|B|C|D|20260101||ACK|", "MSH|^~\\&|A|B|C|D|20260101||ACK|{0}")]
    [InlineData("\uFEFFMSH|^~\\&|A|B|C|D|20260101||ACK|HEARTBEAT|P", "\uFEFFMSH|^~\\&|A|B|C|D|20260101||ACK|{0}|P")]
    public void Next_TwoHeartbeats_StampFreshControlIdIntoMsh10AndKeepTheRest(string configured, string expectedFormat)
    {
        // Review finding 1: each heartbeat needs its own MSH-10, written with the heartbeat's own delimiters.
        var heartbeat = new HeartbeatMessage(Encoding.UTF8.GetBytes(configured), _time);

        string first = Encoding.UTF8.GetString(heartbeat.Next(out string firstId).Span);
        string second = Encoding.UTF8.GetString(heartbeat.Next(out string secondId).Span);

        firstId.Should().NotBe(secondId);
        new[] { firstId, secondId }.Should().OnlyContain(id => id.StartsWith(HeartbeatMessage.ControlIdPrefix, StringComparison.Ordinal) && id.Length <= 20);
        first.Should().Be(string.Format(System.Globalization.CultureInfo.InvariantCulture, expectedFormat, firstId));
        second.Should().Be(string.Format(System.Globalization.CultureInfo.InvariantCulture, expectedFormat, secondId));
    }

    [Theory]
    [InlineData("MSH|^~\\&|A|B|C|D|20260101||ACK")]
    [InlineData("MSH|^~\\&|A|B|C|D\r|E|F|G|H|I|J")]
    [InlineData("PID|1")]
    public void Constructor_NoMsh10Field_Throws(string configured)
    {
        var act = () => new HeartbeatMessage(Encoding.ASCII.GetBytes(configured), _time);

        act.Should().Throw<ArgumentException>().WithMessage("*MSH-10*");
    }
}
