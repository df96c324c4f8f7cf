using System.Text;
using FluentAssertions;
using Hl7Mllp.Sending;
using Xunit;

namespace Hl7Mllp.Tests.Sending;

public sealed class MshHeaderFieldsTests
{
    [Theory]
    [InlineData("MSH|^~\\&|A|B|C|D|20260101||ADT^A01|ID-1|P|2.5\r", 10, "ID-1")]
    [InlineData("\uFEFFMSH|^~\\&|A|B|C|D|20260101||ADT^A01|BOM|P\r", 10, "BOM")]
    [InlineData("MSH|^~\\&#|A|B|C|D|20260101||ADT^A01|FIVE|P\nPID|1", 10, "FIVE")]
    [InlineData("MSH#^~\\&#A#B#C#D#20260101##ADT^A01#HASH#P", 10, "HASH")]
    [InlineData("MSH|^~\\&|A|B|C|D|20260101||ADT^A01|E\\F\\X|P", 10, "E\\F\\X")]
    [InlineData("MSH|^~\\&|A|B|C|D|20260101||ADT^A01||P", 10, "")]
    [InlineData("MSH|^~\\&#|A|B", 2, "^~\\&#")]
    [InlineData("MSH|^~\\&|A|B|C|D|20260101||ADT^A01|X|P|2.5||||||8859/1\r", 18, "8859/1")]
    public void TryLocate_HeaderVariants_FindsTheFieldInTheFirstSegment(string message, int field, string expected)
    {
        // Review finding 4: one locator for every MSH field reader on the send side, so BOM, LF, escapes and
        // five-character encodings are handled the same everywhere.
        byte[] bytes = Encoding.UTF8.GetBytes(message);

        MshHeaderFields.TryLocate(bytes, field, out int start, out int length).Should().BeTrue();

        Encoding.UTF8.GetString(bytes, start, length).Should().Be(expected);
    }

    [Theory]
    [InlineData("MSH|^~\\&|A|B|C|D|20260101||ADT^A01\r|X|Y|Z", 10)]
    [InlineData("PID|1|2|3|4|5|6|7|8|9|10", 10)]
    [InlineData("MSH|^~", 10)]
    [InlineData("MSH|^~\\&|A|B|C|D|20260101||ADT^A01|ID|P", 1)]
    public void TryLocate_MissingFieldOrNoMsh_ReturnsFalse(string message, int field)
    {
        MshHeaderFields.TryLocate(Encoding.UTF8.GetBytes(message), field, out _, out _).Should().BeFalse();
    }
}
