using System.Buffers;
using System.Text;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Tests.Messages;

public class Hl7MessageBuilderTests
{
    private static string Text(ArrayBufferWriter<byte> output) => Encoding.UTF8.GetString(output.WrittenSpan);

    [Fact]
    public void Build_Segments_WritesEscapedMessageThatParsesBack()
    {
        var output = new ArrayBufferWriter<byte>();
        var builder = new Hl7MessageBuilder(output);

        builder.StartSegment("MSH").AddField("APP").AddField("FAC").AddField(null).AddField("").AddField("20240101")
            .AddField("").AddRawField("ADT^A01^ADT_A01").AddField("C1").AddField("P").AddField("2.5.1")
            .StartSegment("PID").AddField("1").AddField(null).AddComponents("MRN", null, null, "HOSP")
            .AddField(null).AddComponents("O|Brien^", "Zoë\r\nAnn")
            .Complete();

        Text(output).Should().Be(
            "MSH|^~\\&|APP|FAC|||20240101||ADT^A01^ADT_A01|C1|P|2.5.1\r"
            + "PID|1||MRN^^^HOSP||O\\F\\Brien\\S\\^Zoë\\X0D\\\\X0A\\Ann\r");
        builder.BytesWritten.Should().Be(output.WrittenCount);
        Hl7Message message = Hl7Message.Parse(output.WrittenMemory);
        message.ControlId.Should().Be("C1");
        message.MessageStructure.Should().Be("ADT_A01");
        message.GetValue("PID.3.4").Should().Be("HOSP");
        message.GetValue("PID.5.1").Should().Be("O|Brien^");
        message.GetValue("PID.5.2").Should().Be("Zoë\r\nAnn");
    }

    [Fact]
    public void Build_CustomDelimiters_WritesThemInHeaderAndEscapes()
    {
        var output = new ArrayBufferWriter<byte>();
        var delimiters = new Hl7Delimiters('^', '~', '|', '\\', '&', '#');

        new Hl7MessageBuilder(output, delimiters).StartSegment("MSH").AddField("A#B").AddRawField("ADT~A24").Complete();

        Text(output).Should().Be("MSH^~|\\&#^A\\P\\B^ADT~A24\r");
        Hl7Message message = Hl7Message.Parse(output.WrittenMemory);
        message.Delimiters.Should().Be(delimiters);
        message.GetValue("MSH.3").Should().Be("A#B");
        message.GetValue("MSH.4.2").Should().Be("A24");
    }

    [Fact]
    public void Build_MisuseOfApi_Throws()
    {
        var builder = new Hl7MessageBuilder(new ArrayBufferWriter<byte>());

        FluentActions.Invoking(() => builder.AddField("x")).Should().Throw<InvalidOperationException>();
        FluentActions.Invoking(() => builder.StartSegment("pid")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => builder.StartSegment("PIDX")).Should().Throw<ArgumentException>();
        builder.StartSegment("PID");
        FluentActions.Invoking(() => builder.AddRawField("a|b")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => builder.AddRawField("a\rb")).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void AddSegment_FromParsedMessage_CopiesVerbatim()
    {
        Hl7Message source = Hl7Message.Parse("MSH|^~\\&|A||||||ADT^A01|C1|P|2.5\nPID|1||M\\F\\1\n");
        var output = new ArrayBufferWriter<byte>();
        var builder = new Hl7MessageBuilder(output);

        foreach (Hl7Segment segment in source.Segments)
        {
            builder.AddSegment(segment);
        }

        builder.Complete();

        Text(output).Should().Be("MSH|^~\\&|A||||||ADT^A01|C1|P|2.5\rPID|1||M\\F\\1\r");
        FluentActions.Invoking(() => new Hl7MessageBuilder(output, new Hl7Delimiters('!', '^', '~', '\\', '&')).AddSegment(source.Header))
            .Should().Throw<ArgumentException>();
    }

    [Fact]
    public void WriteEdited_SetsContinuationPointerAndAppendsDsc()
    {
        Hl7Message source = Hl7Message.Parse("MSH|^~\\&|A||||||ORU^R01|C1|P|2.5\n\nPID|1||M1\nOBX|1|TX|||text\n");
        var output = new ArrayBufferWriter<byte>();

        long written = Hl7MessageBuilder.WriteEdited(source, [Hl7Edit.Set("MSH.14", "PTR1"), Hl7Edit.Set("DSC.1", "PTR2"), Hl7Edit.Set("DSC.2", "F")], output);

        written.Should().Be(output.WrittenCount);
        Text(output).Should().Be("MSH|^~\\&|A||||||ORU^R01|C1|P|2.5||PTR1\rPID|1||M1\rOBX|1|TX|||text\rDSC|PTR2|F\r");
    }

    [Fact]
    public void WriteEdited_NestedKeys_ReplaceOrCreateAtEveryLevel()
    {
        Hl7Message source = Hl7Message.Parse("MSH|^~\\&|A||||||ADT^A01|C1|P|2.5\rPID|1||M1^^^H1~M2^^^H2||DOE^JOHN\rOBX|1\rOBX|2\r");
        var output = new ArrayBufferWriter<byte>();

        Hl7MessageBuilder.WriteEdited(
            source,
            [
                Hl7Edit.Set("PID.3[2].1", "X|2"),
                Hl7Edit.Set("PID.3[3].4", "H3"),
                Hl7Edit.Set("PID.5.3.2", "Q"),
                Hl7Edit.Set("OBX[2].5", "five"),
                Hl7Edit.SetRaw("MSH.9", "ACK^A01^ACK"),
                Hl7Edit.Set("MSH.10", "C2"),
            ],
            output);

        Hl7Message edited = Hl7Message.Parse(output.WrittenMemory);
        edited.GetValue("PID.3").Should().Be("M1^^^H1~X|2^^^H2~^^^H3");
        edited.GetRawValue(Hl7Key.Parse("PID.3[2].1")).ToArray().Should().Equal("X\\F\\2"u8.ToArray());
        edited.GetValue("PID.5").Should().Be("DOE^JOHN^&Q");
        edited.GetValue("OBX[2].5").Should().Be("five");
        edited.GetValue("OBX[1].5").Should().BeEmpty();
        edited.MessageType.Should().Be("ACK");
        edited.ControlId.Should().Be("C2");
        edited.SegmentCount.Should().Be(4);
    }

    [Fact]
    public void WriteEdited_InvalidEdits_Throw()
    {
        Hl7Message source = Hl7Message.Parse("MSH|^~\\&|A||||||ADT^A01|C1|P|2.5\rPID|1\r");

        FluentActions.Invoking(() => Hl7MessageBuilder.WriteEdited(source, [Hl7Edit.Set("MSH.2", "x")], new ArrayBufferWriter<byte>()))
            .Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => Hl7MessageBuilder.WriteEdited(source, [Hl7Edit.Set("OBX[2].1", "x")], new ArrayBufferWriter<byte>()))
            .Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => Hl7MessageBuilder.WriteEdited(source, [Hl7Edit.SetRaw("PID.3", "a|b")], new ArrayBufferWriter<byte>()))
            .Should().Throw<ArgumentException>();
    }
}
