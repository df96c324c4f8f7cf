using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Messages;
using Hl7Mllp.Testing.Corpus;

namespace Hl7Mllp.Tests.Acks;

public class AckConditionTests
{
    private const string Header = "MSH|^~\\&|RCV|FAC|SND|FAC|20250101120000||ACK^A01^ACK|99|P|2.5.1\r";

    [Theory]
    [InlineData("AA", MllpSendStatus.Accepted)]
    [InlineData("CA", MllpSendStatus.Accepted)]
    [InlineData("AE", MllpSendStatus.ApplicationError)]
    [InlineData("CE", MllpSendStatus.ApplicationError)]
    [InlineData("AR", MllpSendStatus.Rejected)]
    [InlineData("CR", MllpSendStatus.Rejected)]
    [InlineData("ZZ", MllpSendStatus.ApplicationError)]
    public void Evaluate_DefaultCodes_MapToStatus(string code, MllpSendStatus expected)
    {
        MllpSendResult result = Evaluate("MSG1", $"{Header}MSA|{code}|MSG1|Some text\r");

        result.Status.Should().Be(expected);
        result.IsAccepted.Should().Be(expected == MllpSendStatus.Accepted);
        result.AckCode.Should().Be(code);
        result.AckText.Should().Be("Some text");
        result.ProtocolErrorReason.Should().BeNull();
        result.SentControlId.Should().Be("MSG1");
    }

    [Theory]
    [InlineData("MSG0")]
    [InlineData("MSG1 ")]
    [InlineData("")]
    public void Evaluate_LateOrForeignMsa2_IsProtocolErrorEvenForAa(string msa2)
    {
        MllpSendResult result = Evaluate("MSG1", $"{Header}MSA|AA|{msa2}\r");

        result.Status.Should().Be(MllpSendStatus.ProtocolError);
        result.IsAccepted.Should().BeFalse();
        result.AckCode.Should().Be("AA");
        result.ProtocolErrorReason.Should().Contain("MSA-2").And.Contain("MSG1");
    }

    [Fact]
    public void Evaluate_MissingMsa_IsProtocolError()
    {
        MllpSendResult result = Evaluate("MSG1", Header);

        result.Status.Should().Be(MllpSendStatus.ProtocolError);
        result.ProtocolErrorReason.Should().Contain("no MSA");
        result.GetAckValue("MSH.10").Should().Be("99");
    }

    [Fact]
    public void Evaluate_EmptyMsa1_IsProtocolError()
    {
        Evaluate("MSG1", $"{Header}MSA||MSG1\r").Status.Should().Be(MllpSendStatus.ProtocolError);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage \u0001\u0002 bytes")]
    [InlineData("MSA|AA|MSG1\r")]
    [InlineData("MSH")]
    public void Evaluate_GarbageOrEmpty_IsProtocolErrorNeverThrows(string ack)
    {
        MllpSendResult result = Evaluate("MSG1", ack);

        result.Status.Should().Be(MllpSendStatus.ProtocolError);
        result.ProtocolErrorReason.Should().NotBeNullOrEmpty();
        result.Ack.ToArray().Should().Equal(Encoding.UTF8.GetBytes(ack));
        result.GetAckValue("MSA.1").Should().BeEmpty();
        result.TryGetAckMessage(out _).Should().BeFalse();
    }

    [Fact]
    public void Evaluate_CopiesTheAckBytes()
    {
        byte[] frame = Encoding.UTF8.GetBytes($"{Header}MSA|AA|MSG1\r");

        MllpSendResult result = new AckCondition().Evaluate("MSG1", frame);
        Array.Clear(frame);

        result.GetAckValue("MSA.1").Should().Be("AA");
        Encoding.UTF8.GetString(result.Ack.Span).Should().StartWith("MSH|");
    }

    [Fact]
    public void Evaluate_V25Errs_ReadsEachErrorWithLocationCodeSeverityAndText()
    {
        MllpSendResult result = Evaluate("MSG1",
            $"{Header}MSA|AE|MSG1\rERR||PID^1^3^2^1^4|101^Required field missing^HL70357|E||||Patient \\T\\ ID missing\rERR||OBX^2^5|103|W||||Diag\r");

        result.Status.Should().Be(MllpSendStatus.ApplicationError);
        result.Errors.Should().HaveCount(2);
        result.Errors[0].Should().BeEquivalentTo(new Hl7Error(Hl7ErrorCode.RequiredFieldMissing, "Patient & ID missing")
        {
            SegmentId = "PID", Sequence = 1, Field = 3, Repetition = 2, Component = 1, Subcomponent = 4,
        });
        result.Errors[1].Should().BeEquivalentTo(new Hl7Error(Hl7ErrorCode.TableValueNotFound, "Diag")
        {
            Severity = Hl7Severity.Warning, SegmentId = "OBX", Sequence = 2, Field = 5,
        });
        result.GetAckValue("ERR.3.1").Should().Be("101");
        result.GetAckValue("ERR[2].4").Should().Be("W");
    }

    [Fact]
    public void Evaluate_V25ErrWithoutUserMessage_FallsBackToCodeText()
    {
        MllpSendResult result = Evaluate("MSG1", $"{Header}MSA|AR|MSG1\rERR|||207^Application internal error^HL70357|F\r");

        result.Status.Should().Be(MllpSendStatus.Rejected);
        result.Errors.Should().ContainSingle().Which.Should().BeEquivalentTo(
            new Hl7Error(Hl7ErrorCode.ApplicationInternalError, "Application internal error") { Severity = Hl7Severity.Fatal });
    }

    [Fact]
    public void Evaluate_V23Err1Repetitions_ReadsOneErrorPerRepetition()
    {
        MllpSendResult result = Evaluate("MSG1",
            "MSH|^~\\&|R|F|S|F|20250101||ACK^A01|9|P|2.3\rMSA|AE|MSG1|Required field missing\rERR|PID^1^3^101&Required field missing~MSH^1^10^205&Duplicate\r");

        result.AckText.Should().Be("Required field missing");
        result.Errors.Select(e => (e.SegmentId, e.Sequence, e.Field, e.Code, e.Text)).Should().Equal(
            ("PID", 1, 3, Hl7ErrorCode.RequiredFieldMissing, "Required field missing"),
            ("MSH", 1, 10, Hl7ErrorCode.DuplicateKeyIdentifier, "Duplicate"));
        result.GetAckValue("ERR.1[2].4.1").Should().Be("205");
    }

    [Fact]
    public void Evaluate_SeedTemplateTextInErr9_IsRead()
    {
        MllpSendResult result = Evaluate("MSG1", $"{Header}MSA|AE|MSG1\rERR||PID^1^3^^|101|E|||||Required field missing\r");

        result.Errors.Should().ContainSingle().Which.Text.Should().Be("Required field missing");
    }

    [Fact]
    public void Evaluate_NonNumericErrorCode_IsOtherError()
    {
        MllpSendResult result = Evaluate("MSG1", $"{Header}MSA|AE|MSG1\rERR||PID^1^3|E123|E\r");

        result.Errors.Should().ContainSingle().Which.Code.Should().Be(Hl7ErrorCode.OtherError);
        result.GetAckValue("ERR.3").Should().Be("E123");
    }

    [Fact]
    public void Evaluate_AckBuiltByAckBuilder_RoundTrips()
    {
        Hl7Message received = Hl7Message.Parse(CorpusLocator.ReadBytes("oru_r01_v251_nodehl7_01.hl7"));
        Hl7Error error = Hl7Error.At("OBX[2].5[1].2", Hl7ErrorCode.DataTypeError, "Bad | value");
        string ack = AckText.Build(AckText.Builder(), received, AckCode.AE, error);

        MllpSendResult result = new AckCondition().Evaluate(received.ControlId, Encoding.UTF8.GetBytes(ack));

        result.Status.Should().Be(MllpSendStatus.ApplicationError);
        result.Errors.Should().ContainSingle().Which.Should().BeEquivalentTo(error);
    }

    [Fact]
    public void Evaluate_CustomCodes_AreHonoured()
    {
        var condition = new AckCondition(new AckConditionOptions { SuccessCodes = ["AA", "AE"], ErrorCodes = ["AR", "ZE"] });

        condition.Evaluate("1", Encoding.UTF8.GetBytes($"{Header}MSA|AE|1\r")).Status.Should().Be(MllpSendStatus.Accepted);
        condition.Evaluate("1", Encoding.UTF8.GetBytes($"{Header}MSA|ze|1\r")).Status.Should().Be(MllpSendStatus.ApplicationError);
        condition.Evaluate("1", Encoding.UTF8.GetBytes($"{Header}MSA|AR|1\r")).Status.Should().Be(MllpSendStatus.Rejected);
        MllpSendResult unknown = condition.Evaluate("1", Encoding.UTF8.GetBytes($"{Header}MSA|CA|1\r"));
        unknown.Status.Should().Be(MllpSendStatus.ApplicationError);
        unknown.AckCode.Should().Be("CA");
    }

    [Fact]
    public void Constructor_BadCodes_ListsEveryProblem()
    {
        var options = new AckConditionOptions { SuccessCodes = ["AA", " "], ErrorCodes = ["aa", "A E"] };

        Action act = () => _ = new AckCondition(options);

        act.Should().Throw<ArgumentException>().Which.Message.Should()
            .Contain("SuccessCodes has an empty code").And.Contain("AA is both").And.Contain("ErrorCodes has");
    }

    [Fact]
    public void Constructor_NoSuccessCode_Throws()
    {
        Action act = () => _ = new AckCondition(new AckConditionOptions { SuccessCodes = [] });

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("at least one");
    }

    [Fact]
    public void Factories_TimeoutAndTransportError_CarryTheException()
    {
        var timeout = new TimeoutException("no ACK");
        var broken = new IOException("reset");

        MllpSendResult t = MllpSendResult.Timeout("7", timeout);
        MllpSendResult e = MllpSendResult.TransportError("7", broken);

        (t.Status, t.Exception, t.Ack.Length, t.AckCode).Should().Be((MllpSendStatus.Timeout, timeout, 0, string.Empty));
        (e.Status, e.Exception, e.IsAccepted).Should().Be((MllpSendStatus.TransportError, broken, false));
        e.GetAckValue("MSA.1").Should().BeEmpty();
        t.ToString().Should().Be("Timeout (control ID 7)");
    }

    [Fact]
    public void GetAckValue_InvalidKey_Throws()
    {
        MllpSendResult result = Evaluate("MSG1", $"{Header}MSA|AA|MSG1\r");

        Action act = () => result.GetAckValue("nope");

        act.Should().Throw<ArgumentException>();
    }

    private static MllpSendResult Evaluate(string sent, string ack) =>
        new AckCondition().Evaluate(sent, Encoding.UTF8.GetBytes(ack));
}
