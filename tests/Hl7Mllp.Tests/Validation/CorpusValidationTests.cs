using Hl7Mllp.Messages;
using Hl7Mllp.Testing.Corpus;
using Hl7Mllp.Validation;

namespace Hl7Mllp.Tests.Validation;

/// <summary>Real messages from the shared corpus against the built-in definitions.</summary>
public class CorpusValidationTests
{
    public static TheoryData<string> V251Results() => [.. CorpusLocator.MessageFiles().Where(f => f.StartsWith("oru_r01_v251_", StringComparison.Ordinal))];

    [Theory]
    [MemberData(nameof(V251Results))]
    public void Validate_V251Results_EveryFindingIsAValidationCodeWithAFieldLocation(string file)
    {
        var findings = Validate(file, "2.5.1");

        findings.Should().OnlyContain(f =>
            (f.Code == Hl7ErrorCode.RequiredFieldMissing
                || f.Code == Hl7ErrorCode.DataTypeError
                || f.Code == Hl7ErrorCode.TableValueNotFound
                || f.Code == Hl7ErrorCode.ValueTooLong
                || f.Code == Hl7ErrorCode.NonConformantCardinality)
            && f.SegmentId.Length == 3
            && f.Sequence >= 1
            && f.Field >= 1
            && f.Severity == Hl7Severity.Error
            && f.Text.StartsWith(f.Location + " ", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_DexSetIdWithDecimal_Gives102AtThatObx()
    {
        // OBX|17.5|… is the 8th OBX (and again the 19th): SI allows digits only.
        var findings = Validate("oru_r01_v251_dex_02.hl7", "2.5.1").Where(f => f.Code == Hl7ErrorCode.DataTypeError);

        findings.Select(f => f.Place()).Should().Equal(new Place("OBX", 8, 1, 1), new Place("OBX", 19, 1, 1));
    }

    [Fact]
    public void Validate_DexFillerOrderNumber_Gives104ForEachObr()
    {
        var findings = Validate("oru_r01_v251_dex_02.hl7", "2.5.1").Where(f => f.Code == Hl7ErrorCode.ValueTooLong);

        findings.Should().Equal(
            Finding.Of(Hl7ErrorCode.ValueTooLong, "OBR.3 Filler Order Number is longer than 22 characters", new Place("OBR", 1, 3, 1)),
            Finding.Of(Hl7ErrorCode.ValueTooLong, "OBR[3].3 Filler Order Number is longer than 22 characters", new Place("OBR", 3, 3, 1)));
    }

    [Fact]
    public void Validate_PrsBirthDateYearZero_Gives102AtFirstComponent()
    {
        // PID-7 is "0000": there is no year 0.
        var findings = Validate("oru_r01_v251_prs_01.hl7", "2.5.1");

        findings.Should().ContainSingle(f => f.SegmentId == "PID")
            .Which.Should().Be(Finding.Of(Hl7ErrorCode.DataTypeError, "PID.7.1 Time is not a valid DTM value", new Place("PID", 1, 7, 1, 1)));
    }

    [Fact]
    public void Validate_PrsTruncationCharacter_Gives104OnMsh2InV251ButNotInV27()
    {
        // MSH-2 "^~\&#" carries the v2.7 truncation character: five characters where v2.5.1 allows four.
        var msh2 = new Place("MSH", 1, 2, 1);

        Validate("oru_r01_v251_prs_01.hl7", "2.5.1").Should().Contain(f => f.Code == Hl7ErrorCode.ValueTooLong && f.Place() == msh2);
        Validate("oru_r01_v251_prs_01.hl7", "2.7").Should().NotContain(f => f.Place() == msh2);
    }

    [Fact]
    public void Validate_NhapiOrderControlMissing_Gives101And103()
    {
        // "ORC|||||F": ORC-1 is required, and F is a result status, not an order status (table 0038).
        var findings = Validate("oru_r01_v251_nhapi_01.hl7", "2.5.1");

        findings.Should().Equal(
            Finding.Of(Hl7ErrorCode.RequiredFieldMissing, "ORC.1 Order Control is required", new Place("ORC", 1, 1)),
            Finding.Of(Hl7ErrorCode.TableValueNotFound, "ORC.5 Order Status has a value not in table 0038", new Place("ORC", 1, 5, 1)));
    }

    [Theory]
    [InlineData("oru_r01_v251_nodehl7_01.hl7")]
    [InlineData("oru_r01_v251_nodehl7_02.hl7")]
    public void Validate_NodeHl7Results_ConformExceptLength(string file)
    {
        Validate(file, "2.5.1", ValidationFlags.All & ~ValidationFlags.MaxLength).Should().BeEmpty();
        Validate(file, "2.5.1").Should().ContainSingle().Which.Place().Should().Be(new Place("OBR", 1, 3, 1));
    }

    [Theory]
    [InlineData("adt_a04_v27_hl7dotnetcore_01.hl7", "2.7")]
    [InlineData("adt_a04_v27_hl7dotnetcore_04.hl7", "2.7")]
    public void Validate_ConformingMessages_NoFindings(string file, string version)
    {
        Validate(file, version).Should().BeEmpty();
    }

    [Fact]
    public void Validate_V23TooManyRepetitions_Gives198()
    {
        // PID-18 (patient account number) does not repeat in v2.3.
        var findings = Validate("adt_o01_v23_hl7dotnetcore_01.hl7", "2.3");

        findings.Should().Contain(Finding.Of(
            Hl7ErrorCode.NonConformantCardinality,
            "PID.18[2] Patient Account Number has 2 repetitions; at most 1 allowed",
            new Place("PID", 1, 18, 2)));
    }

    [Fact]
    public void Validate_V23RequiredSetIdMissing_Gives101PerOccurrence()
    {
        var findings = Validate("adt_o01_v23_hl7dotnetcore_01.hl7", "2.3").Where(f => f.Code == Hl7ErrorCode.RequiredFieldMissing);

        findings.Select(f => f.Place()).Should().Equal(new Place("NK1", 1, 1), new Place("NK1", 2, 1));
    }

    [Fact]
    public void Validate_WholeCorpus_NeverThrowsAndStaysWithinMaxFindings()
    {
        var validator = new NamedFieldsValidator(NamedFieldsDefinition.BuiltIn("2.5.1")) { MaxFindings = 10 };
        foreach (var file in CorpusLocator.MessageFiles())
        {
            var findings = new List<Hl7Error>();
            if (!Hl7Message.TryParse(CorpusLocator.ReadBytes(file), out var message, out _))
            {
                continue; // Unparsable files are the message layer's to reject (see its corpus tests).
            }

            validator.Validate(message, findings);

            findings.Should().HaveCountLessThanOrEqualTo(10, file);
        }
    }

    private static List<Hl7Error> Validate(string file, string version, ValidationFlags flags = ValidationFlags.All)
    {
        var findings = new List<Hl7Error>();
        new NamedFieldsValidator(NamedFieldsDefinition.BuiltIn(version), flags).Validate(Hl7Message.Parse(CorpusLocator.ReadBytes(file)), findings);
        return findings;
    }
}
