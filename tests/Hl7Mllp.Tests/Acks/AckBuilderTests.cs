using System.Buffers;
using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Messages;
using Hl7Mllp.Testing.Corpus;

namespace Hl7Mllp.Tests.Acks;

public class AckBuilderTests
{
    private static readonly Hl7Error PidMissing = Hl7Error.At("PID.3", Hl7ErrorCode.RequiredFieldMissing, "Required field missing");

    [Fact]
    public void Build_V21_SwapsHeaderWritesShortMessageTypeAndMsaText()
    {
        string ack = AckText.Build(AckText.Builder(), "bar_p01_v21_hapi_01.hl7", AckCode.AE, PidMissing);

        ack.Should().Be(
            "MSH|^~\\}|RADIOLOGY|MIR1|ADMISSION|ADT1|20250304050607||ACK^P01|A1|P|2.1\r"
            + "MSA|AE|891989ADT30502193728|Required field missing\r"
            + "ERR|PID^1^3^101}Required field missing\r");
    }

    [Fact]
    public void Build_V23_AcceptHasNoErrAndNoMsaText()
    {
        string ack = AckText.Build(AckText.Builder(), "adt_a01_v23_pyhl7_01.hl7", AckCode.AA);

        ack.Should().Be(
            "MSH|^~\\&|AIG||HNAM_PM|HNA500|20250304050607||ACK^A01|A1|P|2.3\r"
            + "MSA|AA|Q150084616T145947960\r");
    }

    [Fact]
    public void Build_V23SeveralErrors_RepeatsErr1InOneSegment()
    {
        Hl7Error second = Hl7Error.At("MSH.10", Hl7ErrorCode.DuplicateKeyIdentifier, "Duplicate");

        string ack = AckText.Build(AckText.Builder(), "adt_a01_v23_pyhl7_01.hl7", AckCode.AE, PidMissing, second);

        ack.Split('\r')[1..].Should().Equal(
            "MSA|AE|Q150084616T145947960|Required field missing",
            "ERR|PID^1^3^101&Required field missing~MSH^1^10^205&Duplicate",
            string.Empty);
    }

    [Fact]
    public void Build_V24_SwapsHeaderAndUsesV23ErrForm()
    {
        string ack = AckText.Build(AckText.Builder(), "oru_r01_v24_fhirconv_01.hl7", AckCode.AR, Hl7Error.At("MSH.12", Hl7ErrorCode.UnsupportedVersionId, "Unsupported version"));

        ack.Should().Be(
            "MSH|^~\\&|GHH OE|BLDG4|GHH LAB|ELAB-3|20250304050607||ACK^R01|A1|P|2.4\r"
            + "MSA|AR|CNTRL-3456|Unsupported version\r"
            + "ERR|MSH^1^12^203&Unsupported version\r");
    }

    [Fact]
    public void Build_V251_WritesAckTriggerAckAndOneErrPerErrorWithoutMsaText()
    {
        Hl7Error warning = new(Hl7ErrorCode.TableValueNotFound, "Unknown code") { Severity = Hl7Severity.Warning, SegmentId = "OBX", Sequence = 2, Field = 5, Repetition = 1, Component = 2 };

        string ack = AckText.Build(AckText.Builder(), "oru_r01_v251_nodehl7_01.hl7", AckCode.AE, PidMissing, warning);

        ack.Should().Be(
            "MSH|^~\\&|PH Application^2.16.840.1.113883.3.72.7.3^HL7|PH Facility^2.16.840.1.113883.3.72.7.4^HL7"
            + "|EHR Application^2.16.840.1.113883.3.72.7.1^HL7|EHR Facility^2.16.840.1.113883.3.72.7.2^HL7"
            + "|20250304050607||ACK^R01^ACK|A1|P|2.5.1\r"
            + "MSA|AE|NIST-100929110701660\r"
            + "ERR||PID^1^3^^^|101|E||||Required field missing\r"
            + "ERR||OBX^2^5^1^2^|103|W||||Unknown code\r");
    }

    [Fact]
    public void Build_V27_ClearsEnhancedModeFieldsAndProfileKeepsCountry()
    {
        string header = AckText.Header(AckText.Build(AckText.Builder(), "orm_o01_v27_prs_01.hl7", AckCode.CA));

        header.Should().Be(
            "MSH|^~\\&|PRIME_DOH|Prime ReportStream|CDC PRIME - Atlanta, Georgia (Dekalb)^2.16.840.1.114222.4.1.237821^ISO"
            + "|Avante at Ormond Beach^10D0876999^CLIA|20250304050607||ACK^O01^ACK|A1|P|2.7|||||USA");
    }

    [Fact]
    public void Build_V28_SwapsResponsibleOrganizationsAndNetworkAddressesClearsSecurity()
    {
        string header = AckText.Header(AckText.Build(AckText.Builder(), "adt_a01_v28_fhirconv_01.hl7", AckCode.AA));

        header.Should().Be(
            "MSH|^~\\&|EHRApp^1.Edu^ISO|GHHRFacility^2.16.840.1.1122848.1.32^ISO|ADTApp|GHHSFacility^2.16.840.1.122848.1.30^ISO"
            + "|20250304050607||ACK^A01^ACK|A1|P|2.8|||||USA||en-US|||23 GHH Inc.|22 GHH Inc."
            + "|25GHH^2.16.840.1.114884.10.23^ISO|24GHH^2.16.840.1.114884.10.20^ISO");
    }

    [Fact]
    public void Build_NonStandardDelimiters_UsesTheReceivedOnes()
    {
        string ack = AckText.Build(AckText.Builder(), "adt_a24_v24_hapi_01.hl7", AckCode.AE, PidMissing);

        ack.Should().Be(
            "MSH^~|\\&^RECEIVING^200^SENDING^200M^20250304050607^^ACK~A24^A1^T^2.4\r"
            + "MSA^AE^2003582144^Required field missing\r"
            + "ERR^PID~1~3~101&Required field missing\r");
    }

    [Fact]
    public void Build_TruncationCharacter_KeepsFiveEncodingCharacters()
    {
        string header = AckText.Header(AckText.Build(AckText.Builder(), "oru_r01_v251_prs_01.hl7", AckCode.AA));

        header.Should().StartWith("MSH|^~\\&#|PRNBS^");
    }

    [Theory]
    [InlineData("V25")]
    [InlineData("V23")]
    public void Build_DelimitersInErrorText_AreEscaped(string form)
    {
        string file = form == "V25" ? "oru_r01_v251_nodehl7_01.hl7" : "adt_a01_v23_pyhl7_01.hl7";
        Hl7Error error = new(Hl7ErrorCode.OtherError, "a|b^c~d\\e&f\rg");

        string ack = AckText.Build(AckText.Builder(), file, AckCode.AE, error);

        ack.Should().Contain("a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f\\X0D\\g");
        Hl7Message parsed = Hl7Message.Parse(ack);
        parsed.GetValue(form == "V25" ? "ERR.8" : "ERR.1.4.2").Should().Be("a|b^c~d\\e&f\rg");
    }

    [Theory]
    [InlineData(true, "20250304050607+0130")]
    [InlineData(false, "20250304050607")]
    public void Build_TimeZoneOption_WritesLocalOffsetOnlyWhenOn(bool includeTimeZone, string expected)
    {
        var now = new DateTimeOffset(2025, 3, 4, 5, 6, 7, new TimeSpan(1, 30, 0));
        AckBuilder builder = AckText.Builder(new AckBuilderOptions { IncludeTimeZone = includeTimeZone }, now);

        Hl7Message ack = Hl7Message.Parse(AckText.Build(builder, "adt_a01_v23_pyhl7_01.hl7", AckCode.AA));

        ack.GetValue("MSH.7").Should().Be(expected);
    }

    [Fact]
    public void Build_NegativeOffset_WritesMinusSign()
    {
        var now = new DateTimeOffset(2025, 12, 31, 23, 59, 58, TimeSpan.FromHours(-5));
        AckBuilder builder = AckText.Builder(new AckBuilderOptions { IncludeTimeZone = true }, now);

        Hl7Message ack = Hl7Message.Parse(AckText.Build(builder, "adt_a01_v23_pyhl7_01.hl7", AckCode.AA));

        ack.GetValue("MSH.7").Should().Be("20251231235958-0500");
    }

    [Fact]
    public void Build_MshTemplate_FillsTimeControlIdAndTriggerKeepsTheRest()
    {
        var options = new AckBuilderOptions { MshTemplate = "MSH|^~\\&|LAB|HOSP|||||ACK||P" };

        string header = AckText.Header(AckText.Build(AckText.Builder(options), "oru_r01_v251_nodehl7_01.hl7", AckCode.AA));

        header.Should().Be("MSH|^~\\&|LAB|HOSP|||20250304050607||ACK^R01|A1|P|2.5.1");
    }

    [Fact]
    public void Build_MshTemplateWithOtherDelimiters_IsTranslatedToTheReceivedOnes()
    {
        var options = new AckBuilderOptions { MshTemplate = "MSH#$%\\&#APP$X#FAC###stale##ACK$$ACK#old#T#2.3" };

        string header = AckText.Header(AckText.Build(AckText.Builder(options), "oru_r01_v251_nodehl7_01.hl7", AckCode.AA));

        header.Should().Be("MSH|^~\\&|APP^X|FAC|||20250304050607||ACK^R01^ACK|A1|T|2.3");
    }

    [Fact]
    public void Build_CustomErrTemplate_ReplacesEveryPlaceholder()
    {
        var options = new AckBuilderOptions { ErrTemplate = "ERR|%sid^%q^%f^%r^%c^%s|%code|%sev|%text|%unknown|100%" };
        Hl7Error error = new(Hl7ErrorCode.DataTypeError, "Bad") { Severity = Hl7Severity.Fatal, SegmentId = "PV1", Sequence = 1, Field = 44, Repetition = 2, Component = 1, Subcomponent = 3 };

        string ack = AckText.Build(AckText.Builder(options), "adt_a01_v23_pyhl7_01.hl7", AckCode.AE, error);

        ack.Should().EndWith("ERR|PV1^1^44^2^1^3|102|F|Bad|%unknown|100%\r");
    }

    [Fact]
    public void Build_BlankErrTemplate_WritesNoErr()
    {
        string ack = AckText.Build(AckText.Builder(new AckBuilderOptions { ErrTemplate = "" }), "oru_r01_v251_nodehl7_01.hl7", AckCode.AE, PidMissing);

        ack.Should().NotContain("ERR");
        ack.Split('\r').Should().HaveCount(3);
    }

    [Fact]
    public void Build_ErrorWithoutLocation_WritesEmptyLocation()
    {
        string ack = AckText.Build(AckText.Builder(), "oru_r01_v251_nodehl7_01.hl7", AckCode.AR, new Hl7Error(Hl7ErrorCode.ApplicationInternalError, "Store offline"));

        ack.Should().EndWith("ERR||^^^^^|207|E||||Store offline\r");
    }

    [Fact]
    public void Build_WriteMsaTextForced_WritesMsa3InV25()
    {
        AckBuilder builder = AckText.Builder(new AckBuilderOptions { WriteMsaText = true });

        string ack = AckText.Build(builder, "oru_r01_v251_nodehl7_01.hl7", AckCode.AE, PidMissing);

        Hl7Message.Parse(ack).GetValue("MSA.3").Should().Be("Required field missing");
    }

    [Fact]
    public void Build_EachCall_TakesANewControlId()
    {
        AckBuilder builder = AckText.Builder();
        Hl7Message message = Hl7Message.Parse(CorpusLocator.ReadBytes("adt_a01_v23_pyhl7_01.hl7"));

        string first = Hl7Message.Parse(AckText.Build(builder, message, AckCode.AA)).ControlId;
        string second = Hl7Message.Parse(AckText.Build(builder, message, AckCode.AA)).ControlId;

        (first, second).Should().Be(("A1", "A2"));
    }

    [Fact]
    public void Build_DefaultGenerator_WritesTimeBasedControlIdOfAtMost20Characters()
    {
        var builder = new AckBuilder();
        var output = new ArrayBufferWriter<byte>();

        builder.Build(Hl7Message.Parse(CorpusLocator.ReadBytes("adt_a01_v23_pyhl7_01.hl7")), AckCode.AA, output);

        string controlId = Hl7Message.Parse(output.WrittenMemory).ControlId;
        controlId.Should().MatchRegex("^[0-9]{16,20}$");
    }

    [Theory]
    [MemberData(nameof(ValidCorpusFiles))]
    public void Build_EveryValidCorpusMessage_ParsesBackAndKeepsTheHeaderRules(string file)
    {
        Hl7Message received = Hl7Message.Parse(CorpusLocator.ReadBytes(file));

        string text = AckText.Build(AckText.Builder(), received, AckCode.AE, PidMissing);

        text.Should().NotContain("\n");
        text.Should().EndWith("\r");
        Hl7Message ack = Hl7Message.Parse(Encoding.UTF8.GetBytes(text));
        ack.Delimiters.Should().Be(received.Delimiters);
        ack.SegmentCount.Should().Be(3);
        Raw(ack, "MSH.3").Should().Be(Raw(received, "MSH.5"));
        Raw(ack, "MSH.4").Should().Be(Raw(received, "MSH.6"));
        Raw(ack, "MSH.5").Should().Be(Raw(received, "MSH.3"));
        Raw(ack, "MSH.6").Should().Be(Raw(received, "MSH.4"));
        ack.GetValue("MSH.7").Should().Be("20250304050607");
        ack.MessageType.Should().Be("ACK");
        ack.TriggerEvent.Should().Be(received.TriggerEvent);
        bool v25 = received.Version.Length < 3 || string.CompareOrdinal(received.Version, "2.5") >= 0;
        ack.MessageStructure.Should().Be(v25 ? "ACK" : string.Empty);
        ack.ControlId.Should().Be("A1");
        Raw(ack, "MSH.11").Should().Be(Raw(received, "MSH.11"));
        Raw(ack, "MSH.12").Should().Be(Raw(received, "MSH.12"));
        ack.AcceptAckType.Should().BeEmpty();
        ack.ApplicationAckType.Should().BeEmpty();
        ack.GetValue("MSA.1").Should().Be("AE");
        ack.GetValue("MSA.2").Should().Be(received.ControlId);
        ack.GetValue(v25 ? "ERR.3" : "ERR.1.4.1").Should().Be("101");
    }

    public static TheoryData<string> ValidCorpusFiles() => [.. ExpectedTsv.SingleValidMessages];

    [Fact]
    public void Build_UnparseableWithReadableMsh_SalvagesHeaderAndAnswersAe()
    {
        byte[] bytes = CorpusLocator.ReadBytes("malformed_enc3_hl7dotnetcore_01.hl7");
        Hl7Message.TryParse(bytes, out _, out Hl7ParseError error).Should().BeFalse();

        string nak = BuildNak(bytes, error);

        nak.Should().StartWith("MSH|^~\\&|||EPIC||20250304050607||ACK^O01|A1|T|2.3\r");
        Hl7Message parsed = Hl7Message.Parse(nak);
        parsed.GetValue("MSA.1").Should().Be("AE");
        parsed.GetValue("MSA.2").Should().Be("23");
        parsed.GetValue("ERR.1.4.1").Should().Be(((int)error.ErrorCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        error.ErrorCode.Should().Be(Hl7ErrorCode.DataTypeError);
    }

    [Fact]
    public void Build_JunkBeforeMsh_SalvagesFromTheFirstMsh()
    {
        byte[] bytes = CorpusLocator.ReadBytes("malformed_som_prefix_mirth_01.hl7");
        Hl7Message.TryParse(bytes, out _, out Hl7ParseError error).Should().BeFalse();

        Hl7Message nak = Hl7Message.Parse(BuildNak(bytes, error));

        nak.GetValue("MSH.5").Should().Be("AccMgr");
        nak.GetValue("MSA.1").Should().Be("AE");
        nak.GetValue("MSA.2").Should().Be("603266");
        nak.Version.Should().Be("2.3.1");
    }

    [Theory]
    [InlineData("malformed_msa_only_nhapi_01.hl7")]
    [InlineData("malformed_truncated_msh_nhapi_01.hl7")]
    [InlineData("malformed_msh1_missing_prs_01.hl7")]
    public void Build_NothingSalvageable_WritesDefaultDelimitersAndEmptyMsa2(string file)
    {
        byte[] bytes = CorpusLocator.ReadBytes(file);
        Hl7Message.TryParse(bytes, out _, out Hl7ParseError error).Should().BeFalse();

        string nak = BuildNak(bytes, error);

        nak.Should().StartWith("MSH|^~\\&|||||20250304050607||ACK^^ACK|A1\r");
        Hl7Message parsed = Hl7Message.Parse(nak);
        parsed.GetValue("MSA.1").Should().Be(error.ErrorCode >= Hl7ErrorCode.UnsupportedMessageType ? "AR" : "AE");
        parsed.GetValue("MSA.2").Should().BeEmpty();
        parsed.GetValue("ERR.3").Should().Be(((int)error.ErrorCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Build_BrokenEncodingCharacters_AssumesStandardOnesAndKeepsFieldSeparator()
    {
        byte[] bytes = "MSH#0000#APP#FAC#ME#HERE#x##ADT^A01#77#P#2.4\rPID#1"u8.ToArray();
        Hl7Message.TryParse(bytes, out _, out Hl7ParseError error).Should().BeFalse();

        string nak = BuildNak(bytes, error);

        nak.Should().StartWith("MSH#^~\\&#ME#HERE#APP#FAC#20250304050607##ACK^A01#A1#P#2.4\rMSA#AE#77#");
    }

    [Fact]
    public void Build_EmptyInput_WritesAFullNak()
    {
        string nak = BuildNak([], new Hl7ParseError(Hl7ErrorCode.SegmentSequenceError, 0, "MSH segment missing at byte 0"));

        nak.Should().Be(
            "MSH|^~\\&|||||20250304050607||ACK^^ACK|A1\r"
            + "MSA|AE|\r"
            + "ERR||^^^^^|100|E||||MSH segment missing at byte 0\r");
    }

    [Fact]
    public void Build_UnparseableEnhancedMode_AnswersWithCommitCode()
    {
        byte[] bytes = "MSH|^~\\&|A|B|C|D|x||ADT^A01|9|P|2.5|||AL|NE\rbad segment"u8.ToArray();
        Hl7Message.TryParse(bytes, out _, out Hl7ParseError error).Should().BeFalse();

        Hl7Message.Parse(BuildNak(bytes, error)).GetValue("MSA.1").Should().Be("CE");
    }

    [Fact]
    public void Build_RawOverloadOnValidBytes_MatchesTheParsedOverload()
    {
        byte[] bytes = CorpusLocator.ReadBytes("oru_r01_v251_nodehl7_01.hl7");
        var output = new ArrayBufferWriter<byte>();

        AckText.Builder().Build(bytes, AckCode.AE, [PidMissing], output);

        Encoding.UTF8.GetString(output.WrittenSpan).Should().Be(AckText.Build(AckText.Builder(), "oru_r01_v251_nodehl7_01.hl7", AckCode.AE, PidMissing));
    }

    [Fact]
    public void Constructor_InvalidTemplates_ListsEveryProblem()
    {
        var options = new AckBuilderOptions { MshTemplate = "PID|1", ErrTemplate = "XYZ|%code" };

        Action act = () => _ = new AckBuilder(options);

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("MshTemplate").And.Contain("ErrTemplate");
    }

    [Fact]
    public void Build_UndefinedCode_Throws()
    {
        Hl7Message message = Hl7Message.Parse(CorpusLocator.ReadBytes("adt_a01_v23_pyhl7_01.hl7"));

        Action act = () => AckText.Builder().Build(message, (AckCode)42, new ArrayBufferWriter<byte>());

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Build_GeneratorWritingADelimiter_Throws()
    {
        var builder = new AckBuilder(null, null, new BadControlIds());
        Hl7Message message = Hl7Message.Parse(CorpusLocator.ReadBytes("adt_a01_v23_pyhl7_01.hl7"));

        Action act = () => builder.Build(message, AckCode.AA, new ArrayBufferWriter<byte>());

        act.Should().Throw<InvalidOperationException>();
    }

    private static string BuildNak(byte[] bytes, Hl7ParseError error)
    {
        var output = new ArrayBufferWriter<byte>();
        int written = AckText.Builder().Build(bytes, error, output);
        written.Should().Be(output.WrittenCount);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string Raw(in Hl7Message message, string key) => Encoding.UTF8.GetString(message.GetRawValue(Hl7Key.Parse(key)).Span);

    private sealed class BadControlIds : IAckControlIdGenerator
    {
        public int WriteNext(Span<byte> destination) => Encoding.ASCII.GetBytes("A|B", destination);
    }
}
