using System.Text;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Tests.Messages;

public class Hl7CharacterSetsTests
{
    [Theory]
    [InlineData("ASCII", 20127)]
    [InlineData("8859/1", 28591)]
    [InlineData("8859/2", 28592)]
    [InlineData("8859/5", 28595)]
    [InlineData("8859/9", 28599)]
    [InlineData("8859/15", 28605)]
    [InlineData("UNICODE UTF-8", 65001)]
    [InlineData(" unicode utf-8 ", 65001)]
    [InlineData("UNICODE", 65001)]
    [InlineData("ISO IR100", 28591)]
    [InlineData("ISO IR87", 50220)]
    [InlineData("GB 18030-2000", 54936)]
    public void TryGetEncoding_Table0211Name_MapsToCodePage(string name, int codePage)
    {
        Hl7CharacterSets.TryGetEncoding(name, out Encoding? encoding).Should().BeTrue();
        encoding!.CodePage.Should().Be(codePage);
    }

    [Theory]
    [InlineData("")]
    [InlineData("UNICODE UTF-16")]
    [InlineData("EBCDIC")]
    [InlineData("8859/99")]
    public void TryGetEncoding_UnmappedName_ReturnsFalse(string name) =>
        Hl7CharacterSets.TryGetEncoding(name, out _).Should().BeFalse();

    [Fact]
    public void Parse_Utf8FromMsh18_DecodesMultibyteValue()
    {
        byte[] bytes = Encoding.UTF8.GetBytes("MSH|^~\\&|A||||||ADT^A01|1|P|2.5||||||UNICODE UTF-8\rPID|1||1||Müller^Zoë^山田\r");

        Hl7Message message = Hl7Message.Parse(bytes);

        message.Encoding.Should().Be(Encoding.UTF8);
        message.CharacterSet.Should().Be("UNICODE UTF-8");
        message.GetValue("PID.5").Should().Be("Müller^Zoë^山田");
        message.GetValue("PID.5.3").Should().Be("山田");
    }

    [Fact]
    public void Parse_Latin1FromMsh18_DecodesSingleByteValue()
    {
        byte[] bytes = Encoding.Latin1.GetBytes("MSH|^~\\&|A||||||ADT^A01|1|P|2.5||||||8859/1\rPID|1||1||Müller^José\r");

        Hl7Message message = Hl7Message.Parse(bytes);

        bytes.Should().Contain(0xFC);
        message.GetValue("PID.5.1").Should().Be("Müller");
        message.GetValue("PID.5.2").Should().Be("José");
    }

    [Fact]
    public void Parse_Iso88592FromMsh18_DecodesWithCodePagesProvider()
    {
        byte[] bytes = [.. "MSH|^~\\&|A||||||ADT^A01|1|P|2.5||||||8859/2\rPID|1||1||"u8, 0xA3, (byte)'o', (byte)'d', 0xBF, (byte)'\r'];

        Hl7Message.Parse(bytes).GetValue("PID.5").Should().Be("Łodż");
    }

    [Fact]
    public void Parse_ConnectionEncoding_OverridesMsh18()
    {
        byte[] bytes = Encoding.Latin1.GetBytes("MSH|^~\\&|A||||||ADT^A01|1|P|2.5||||||UNICODE UTF-8\rPID|1||1||Müller\r");

        Hl7Message message = Hl7Message.Parse(bytes, new Hl7ParseOptions { Encoding = Encoding.Latin1 });

        message.GetValue("PID.5").Should().Be("Müller");
    }

    [Fact]
    public void Parse_NoMsh18_UsesFallbackEncoding()
    {
        byte[] bytes = Encoding.UTF8.GetBytes("MSH|^~\\&|A||||||ADT^A01|1|P|2.5\rPID|1||1||Zoë\r");

        Hl7Message.Parse(bytes).GetValue("PID.5").Should().Be("Zoë");
        Hl7Message latin = Hl7Message.Parse(bytes, new Hl7ParseOptions { FallbackEncoding = Encoding.Latin1 });
        latin.Encoding.Should().Be(Encoding.Latin1);
        latin.GetValue("PID.5").Should().Be("ZoÃ«");
    }

    [Fact]
    public void Parse_UnknownMsh18_UsesFallbackEncoding()
    {
        byte[] bytes = Encoding.UTF8.GetBytes("MSH|^~\\&|A||||||ADT^A01|1|P|2.5||||||KLINGON\rPID|1||1||Zoë\r");

        Hl7Message message = Hl7Message.Parse(bytes);

        message.Encoding.Should().Be(Encoding.UTF8);
        message.GetValue("PID.5").Should().Be("Zoë");
    }

    [Fact]
    public void Parse_HexEscapeOfUtf8Bytes_DecodesWithMessageEncoding()
    {
        byte[] bytes = Encoding.UTF8.GetBytes("MSH|^~\\&|A||||||ADT^A01|1|P|2.5||||||UNICODE UTF-8\rPID|1||1||Zo\\Xc3ab\\\r");

        Hl7Message.Parse(bytes).GetValue("PID.5").Should().Be("Zoë");
    }
}
