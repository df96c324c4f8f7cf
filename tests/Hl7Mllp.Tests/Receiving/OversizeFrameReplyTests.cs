using System.Buffers;
using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Messages;
using Hl7Mllp.Receiving;

namespace Hl7Mllp.Tests.Receiving;

public class OversizeFrameReplyTests
{
    private const int Limit = 1_048_576;
    private const string Header = "MSH|^~\\&|SND|FAC|RCV|FAC|20260101000000||ADT^A01^ADT_A01|CTRL-1|P|2.5.1";

    [Fact]
    public void TryWrite_OriginalMode_WritesArWithErr207AndTheLimit()
    {
        var ack = Write(Header + "\rPID|1||123", out AckCode? code, out bool headerFound);

        code.Should().Be(AckCode.AR);
        headerFound.Should().BeTrue();
        ack!.Value.GetValue("MSH.3").Should().Be("RCV", "sender and receiver are swapped as in any ACK");
        ack!.Value.GetValue("MSA.1").Should().Be("AR");
        ack!.Value.GetValue("MSA.2").Should().Be("CTRL-1");
        ack!.Value.GetValue("ERR.3.1").Should().Be("207");
        ack!.Value.GetValue("ERR.4").Should().Be("E");
        ack!.Value.GetValue("ERR.8").Should().Be("message too large (limit 1048576 bytes)");
        ack!.Value.CountSegments("ERR").Should().Be(1);
    }

    [Fact]
    public void TryWrite_BrokenEncodingCharacters_AnsweredWithTheStandardOnesAndEnhancedModeStillSeen()
    {
        // MSH-2 "^~" is too short: the header is read with the standard encoding characters, as for any salvaged NAK.
        var ack = Write("MSH|^~|SND|FAC|RCV|FAC|20260101000000||ADT^A01|CTRL-2|P|2.5.1|||AL|AL\r", out AckCode? code, out bool headerFound);

        headerFound.Should().BeTrue();
        code.Should().Be(AckCode.CR);
        ack!.Value.GetValue("MSA.2").Should().Be("CTRL-2");
        ack!.Value.GetValue("ERR.3.1").Should().Be("207");
    }

    [Theory]
    [InlineData("|||AL|NE", AckCode.CR)]
    [InlineData("|||ER|AL", AckCode.CR)]
    [InlineData("||||AL", AckCode.CR)]
    public void TryWrite_EnhancedModeWantingAnAnswerOnFailure_WritesCr(string ackTypes, AckCode expected)
    {
        var ack = Write(Header + ackTypes + "\r", out AckCode? code, out _);

        code.Should().Be(expected);
        ack!.Value.GetValue("MSA.1").Should().Be(expected.ToText());
        ack!.Value.GetValue("MSA.2").Should().Be("CTRL-1");
    }

    [Theory]
    [InlineData("|||NE|AL")]
    [InlineData("|||SU|AL")]
    public void TryWrite_EnhancedModeWantingNoAcceptAckOnFailure_WritesNothing(string ackTypes)
    {
        var ack = Write(Header + ackTypes + "\r", out AckCode? code, out bool headerFound);

        ack.Should().BeNull();
        code.Should().BeNull();
        headerFound.Should().BeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("PID|1||123\rMSH|^~\\&|A|B\r")]
    [InlineData("MSH")]
    [InlineData("MSHA^~\\&|SND\r")]
    [InlineData("MSH|^~\\&|SND|FAC|RCV|FAC|20260101000000||ADT^A01|CUT-BEFORE-THE-END")]
    public void TryWrite_NoCompleteMshAtTheStart_WritesNothing(string prefix)
    {
        var ack = Write(prefix, out AckCode? code, out bool headerFound);

        ack.Should().BeNull();
        code.Should().BeNull();
        headerFound.Should().BeFalse();
    }

    [Fact]
    public void TryWrite_MshEndedByLineFeed_IsAnswered()
    {
        var ack = Write(Header + "\nPID|1", out AckCode? code, out _);

        code.Should().Be(AckCode.AR);
        ack!.Value.GetValue("MSA.2").Should().Be("CTRL-1");
    }

    [Fact]
    public void TryWrite_ConfiguredMshTemplate_IsUsed()
    {
        var builder = new AckBuilder(new AckBuilderOptions { MshTemplate = "MSH|^~\\&|HUB|CENTRAL|||||ACK||P|2.5.1" });

        var ack = Write(Header + "\r", out _, out _, builder);

        ack!.Value.GetValue("MSH.3").Should().Be("HUB");
        ack!.Value.GetValue("MSA.2").Should().Be("CTRL-1");
    }

    private static Hl7Message? Write(string prefix, out AckCode? code, out bool headerFound, AckBuilder? builder = null)
    {
        var output = new ArrayBufferWriter<byte>();
        code = OversizeFrameReply.TryWrite(Encoding.ASCII.GetBytes(prefix), Limit, builder ?? new AckBuilder(), output, out headerFound);
        if (code is null)
        {
            output.WrittenCount.Should().Be(0, "nothing is written when there is no answer");
            return null;
        }

        return Hl7Message.Parse(output.WrittenMemory.ToArray());
    }
}
