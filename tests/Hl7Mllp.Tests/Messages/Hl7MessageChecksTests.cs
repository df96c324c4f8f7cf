using Hl7Mllp.Messages;

namespace Hl7Mllp.Tests.Messages;

public class Hl7MessageChecksTests
{
    [Theory]
    [InlineData("MSH|^~\\&|A||||||ADT^A01|C1|P|2.5\rPID|1\r")]
    [InlineData("MSH|^~\\&|A||||||ADT^A01|C1|P^T|2.4^^\rPID|1||x||A B\r")]
    [InlineData("MSH|^~\\&|A||||||ACK|C1|D|2.5\rMSA|AA|C0\r")]
    public void TryCheck_ConformantMessage_ReturnsTrue(string text)
    {
        Hl7MessageChecks.TryCheck(Hl7Message.Parse(text), out Hl7ParseError error).Should().BeTrue();
        error.IsError.Should().BeFalse();
    }

    [Theory]
    [InlineData("MSH|^~\\&|A||||||^A01|C1|P|2.5", Hl7ErrorCode.RequiredFieldMissing, 16, "MSH-9 message type is empty at byte 16")]
    [InlineData("MSH|^~\\&|A||||||ADT^A01||P|2.5", Hl7ErrorCode.RequiredFieldMissing, 24, "MSH-10 message control ID is empty at byte 24")]
    [InlineData("MSH|^~\\&|A||||||ADT^A01|C1||2.5", Hl7ErrorCode.RequiredFieldMissing, 27, "MSH-11 processing ID is empty at byte 27")]
    [InlineData("MSH|^~\\&|A||||||ADT^A01|C1|P", Hl7ErrorCode.RequiredFieldMissing, 28, "MSH-12 version ID is empty at byte 28")]
    [InlineData("MSH|^~\\&|A||||||ADT^A01|C1|X|2.5", Hl7ErrorCode.UnsupportedProcessingId, 27, "MSH-11 processing ID at byte 27 is not P, D or T")]
    [InlineData("MSH|^~\\&|A||||||ADT^A01|C1|PT|2.5", Hl7ErrorCode.UnsupportedProcessingId, 27, "MSH-11 processing ID at byte 27 is not P, D or T")]
    [InlineData("MSH|^~\\&|A||||||ACK^A01|C1|P|2.5", Hl7ErrorCode.SegmentSequenceError, 32, "MSA segment missing in an ACK at byte 32")]
    [InlineData("MSH|^~\\&|A||||||ADT^A01|C1|P|2.3||| EVN|A01| PID|1", Hl7ErrorCode.SegmentSequenceError, 36, "A segment is run into the previous one at byte 36 (terminator replaced by a space)")]
    public void TryCheck_NonConformantMessage_ReportsCodeAndPosition(string text, Hl7ErrorCode code, int position, string reason)
    {
        Hl7MessageChecks.TryCheck(Hl7Message.Parse(text), out Hl7ParseError error).Should().BeFalse();

        error.ErrorCode.Should().Be(code);
        error.Position.Should().Be(position);
        error.Reason.Should().Be(reason);
    }

    [Fact]
    public void TryCheck_RunTogetherLookalikeInText_IsAccepted()
    {
        Hl7Message message = Hl7Message.Parse("MSH|^~\\&|A||||||ADT^A01|C1|P|2.5\rNTE|1||see ABC|x and PIDX| and pid|\r");

        Hl7MessageChecks.TryCheck(message, out _).Should().BeTrue();
    }
}
