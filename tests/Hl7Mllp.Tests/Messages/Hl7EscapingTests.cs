using System.Buffers;
using System.Text;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Tests.Messages;

public class Hl7EscapingTests
{
    private static readonly Hl7Delimiters Truncating = new('|', '^', '~', '\\', '&', '#');

    [Theory]
    [InlineData(@"a\F\b", "a|b")]
    [InlineData(@"a\S\b", "a^b")]
    [InlineData(@"a\T\b", "a&b")]
    [InlineData(@"a\R\b", "a~b")]
    [InlineData(@"a\E\b", @"a\b")]
    [InlineData(@"\E\F\E\", @"\F\")]
    [InlineData(@"\X41\\X4243\", "ABC")]
    [InlineData(@"\Xc3a9\", "é")]
    [InlineData(@"line1\.br\line2", "line1\nline2")]
    [InlineData(@"a\.sp\b", "a\nb")]
    [InlineData(@"\H\bold\N\", "bold")]
    [InlineData(@"x\Zlocal\y", "xy")]
    [InlineData(@"x\C2842\y\M2442\z", "xyz")]
    [InlineData(@"\.fi\\.nf\\.in+4\\.ti-2\\.sk3\\.ce\text", "text")]
    [InlineData(@"no escapes", "no escapes")]
    [InlineData(@"", "")]
    [InlineData(@"unclosed \F", @"unclosed \F")]
    [InlineData(@"unknown \Q\ seq", @"unknown \Q\ seq")]
    [InlineData(@"empty \\ seq", @"empty \\ seq")]
    [InlineData(@"bad hex \X4\ \XZZ\ \X\", @"bad hex \X4\ \XZZ\ \X\")]
    [InlineData(@"\P\ without truncation", @"\P\ without truncation")]
    [InlineData(@"\.xx\", @"\.xx\")]
    public void Unescape_Sequence_ResolvesAsDocumented(string raw, string expected) =>
        Hl7Escaping.Unescape(Encoding.UTF8.GetBytes(raw), Hl7Delimiters.Default, Encoding.UTF8).Should().Be(expected);

    [Fact]
    public void Unescape_TruncationWithFiveEncodingCharacters_GivesTruncationCharacter() =>
        Hl7Escaping.Unescape(@"a\P\b", Truncating).Should().Be("a#b");

    [Fact]
    public void Unescape_LongValue_UsesPooledBuffer()
    {
        string raw = string.Concat(Enumerable.Repeat(@"ab\F\", 500));

        Hl7Escaping.Unescape(raw, Hl7Delimiters.Default).Should().Be(string.Concat(Enumerable.Repeat("ab|", 500)));
    }

    [Fact]
    public void Unescape_CustomEscapeCharacter_UsesIt()
    {
        var delimiters = new Hl7Delimiters('|', '^', '~', '!', '&');

        Hl7Escaping.Unescape("a!F!b\\F\\", delimiters).Should().Be("a|b\\F\\");
    }

    [Theory]
    [InlineData("a|b^c&d~e\\f", @"a\F\b\S\c\T\d\R\e\E\f")]
    [InlineData("x\r\ny", @"x\X0D\\X0A\y")]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    public void Escape_Text_EscapesDelimitersAndLineBreaks(string text, string expected) =>
        Hl7Escaping.Escape(text, Hl7Delimiters.Default).Should().Be(expected);

    [Theory]
    [InlineData("a|b^c&d~e\\f#g\r\nh")]
    [InlineData("Zoë Ångström 山田")]
    [InlineData("\\\\||^^")]
    public void Escape_ThenUnescape_RoundTrips(string text)
    {
        var output = new ArrayBufferWriter<byte>();
        Hl7Escaping.Escape(text, Truncating, Encoding.UTF8, output);

        output.WrittenSpan.IndexOfAny("|^~&#\r\n"u8).Should().Be(-1);
        Hl7Escaping.Unescape(output.WrittenSpan, Truncating, Encoding.UTF8).Should().Be(text);
    }

    [Fact]
    public void Escape_LongText_WritesEverything()
    {
        string text = new('x', 5000);
        var output = new ArrayBufferWriter<byte>();

        Hl7Escaping.Escape(text + "|", Hl7Delimiters.Default, Encoding.ASCII, output).Should().Be(5003);
        output.WrittenCount.Should().Be(5003);
    }
}
