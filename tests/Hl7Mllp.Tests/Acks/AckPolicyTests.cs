using Hl7Mllp.Acks;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Tests.Acks;

public class AckPolicyTests
{
    [Theory]
    [InlineData(Hl7ErrorCode.SegmentSequenceError, false, AckCode.AE)]
    [InlineData(Hl7ErrorCode.ValueTooLong, false, AckCode.AE)]
    [InlineData(Hl7ErrorCode.NonConformantCardinality, false, AckCode.AE)]
    [InlineData(Hl7ErrorCode.OtherError, false, AckCode.AE)]
    [InlineData(Hl7ErrorCode.UnsupportedMessageType, false, AckCode.AR)]
    [InlineData(Hl7ErrorCode.ApplicationInternalError, false, AckCode.AR)]
    [InlineData(Hl7ErrorCode.RequiredFieldMissing, true, AckCode.CE)]
    [InlineData(Hl7ErrorCode.DuplicateKeyIdentifier, true, AckCode.CR)]
    [InlineData(Hl7ErrorCode.MessageAccepted, false, AckCode.AA)]
    [InlineData(Hl7ErrorCode.MessageAccepted, true, AckCode.CA)]
    public void ForError_Code_MapsHundredsToAeAndTwoHundredsToAr(Hl7ErrorCode code, bool commit, AckCode expected) =>
        AckPolicy.ForError(code, commit).Should().Be(expected);

    [Fact]
    public void Decide_FirstRejectingErrorDecides()
    {
        Hl7Error[] errors =
        [
            new(Hl7ErrorCode.TableValueNotFound, "warning only") { Severity = Hl7Severity.Warning },
            new(Hl7ErrorCode.DuplicateKeyIdentifier, "first real error"),
            new(Hl7ErrorCode.RequiredFieldMissing, "second"),
        ];

        AckPolicy.Decide(errors).Should().Be(AckCode.AR);
        AckPolicy.Decide(errors, commit: true).Should().Be(AckCode.CR);
    }

    [Fact]
    public void Decide_OnlyWarningsOrNothing_Accepts()
    {
        AckPolicy.Decide([]).Should().Be(AckCode.AA);
        AckPolicy.Decide([new Hl7Error(Hl7ErrorCode.ValueTooLong, "w") { Severity = Hl7Severity.Information }]).Should().Be(AckCode.AA);
    }

    [Fact]
    public void AckError_At_TakesLocationFromKey()
    {
        Hl7Error error = Hl7Error.At("OBX[2].5[3].1.2", Hl7ErrorCode.DataTypeError, "bad");

        (error.SegmentId, error.Sequence, error.Field, error.Repetition, error.Component, error.Subcomponent)
            .Should().Be(("OBX", 2, 5, 3, 1, 2));
        error.Location.Should().Be("OBX[2].5[3].1.2");
        error.SeverityCode.Should().Be('E');
        Hl7Error.At("PID.3", Hl7ErrorCode.RequiredFieldMissing, "x").Location.Should().Be("PID.3");
    }

    [Fact]
    public void AckError_At_InvalidKey_Throws()
    {
        Action act = () => Hl7Error.At("not a key", Hl7ErrorCode.OtherError, "x");

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void AckError_FromParseError_KeepsCodeAndReason()
    {
        Hl7Error error = Hl7Error.FromParseError(new Hl7ParseError(Hl7ErrorCode.DataTypeError, 4, "MSH-2 bad"));

        (error.Code, error.Text, error.Location).Should().Be((Hl7ErrorCode.DataTypeError, "MSH-2 bad", string.Empty));
        Hl7Error.FromParseError(default).Code.Should().Be(Hl7ErrorCode.SegmentSequenceError);
    }

    [Theory]
    [InlineData("AA", AckCode.AA)]
    [InlineData(" CR ", AckCode.CR)]
    [InlineData("CE", AckCode.CE)]
    public void AckCode_TryParse_ReadsTable0008(string text, AckCode expected)
    {
        AckCodeExtensions.TryParse(text, out AckCode code).Should().BeTrue();
        code.Should().Be(expected);
        code.ToText().Should().Be(text.Trim());
    }

    [Theory]
    [InlineData("")]
    [InlineData("aa")]
    [InlineData("AX")]
    [InlineData("BA")]
    [InlineData("AAA")]
    public void AckCode_TryParse_RejectsOtherText(string text) =>
        AckCodeExtensions.TryParse(text, out _).Should().BeFalse();

    [Fact]
    public void AckCode_Classification_SplitsCommitAndAccept()
    {
        Enum.GetValues<AckCode>().Where(c => c.IsCommit()).Should().Equal(AckCode.CA, AckCode.CE, AckCode.CR);
        Enum.GetValues<AckCode>().Where(c => c.IsAccept()).Should().Equal(AckCode.AA, AckCode.CA);
    }
}
