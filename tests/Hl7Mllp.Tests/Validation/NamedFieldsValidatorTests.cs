using System.Text;
using Hl7Mllp.Messages;
using Hl7Mllp.Validation;

namespace Hl7Mllp.Tests.Validation;

public class NamedFieldsValidatorTests
{
    private const string Header = "MSH|^~\\&|APP|FAC|RCV|RFAC|20240101120000||ADT^A01|CTRL1|P|2.5.1\r";

    internal const string DefinitionJson = """
        {
          "version": "test",
          "segments": {
            "MSH": { "name": "Message Header", "fields": [
              { "name": "Field Separator", "type": "ST", "req": true, "len": 1 },
              { "name": "Encoding Characters", "type": "ST", "req": true, "len": 4 },
              { "name": "Sending Application", "type": "HD" },
              { "name": "Sending Facility", "type": "HD" },
              { "name": "Receiving Application", "type": "HD" },
              { "name": "Receiving Facility", "type": "HD" },
              { "name": "Date/Time Of Message", "type": "TS", "req": true },
              { "name": "Security", "type": "ST" },
              { "name": "Message Type", "type": "MSG", "req": true },
              { "name": "Message Control ID", "type": "ST", "req": true, "len": 20 },
              { "name": "Processing ID", "type": "PT", "req": true },
              { "name": "Version ID", "type": "VID", "req": true } ] },
            "TST": { "name": "Test", "fields": [
              { "name": "Set ID", "type": "SI", "req": true },
              { "name": "Number", "type": "NM", "len": 5 },
              { "name": "Date", "type": "DT" },
              { "name": "Date Time", "type": "DTM" },
              { "name": "Time", "type": "TM" },
              { "name": "Time Stamp", "type": "TS" },
              { "name": "Sex", "type": "ID", "table": "0001" },
              { "name": "Local", "type": "IS", "table": "9999" },
              { "name": "Identifier", "type": "CX", "rep": 2, "len": 40 },
              { "name": "Notes", "type": "ST", "req": true, "rep": 0 },
              { "name": "Value", "type": "VARIES" },
              { "name": "Mystery", "type": "XYZ" } ] }
          },
          "dataTypes": {
            "MSG": [ { "name": "Message Code", "type": "ID" }, { "name": "Trigger Event", "type": "ID" }, { "name": "Message Structure", "type": "ID" } ],
            "PT": [ { "name": "Processing ID", "type": "ID", "table": "0103" }, { "name": "Processing Mode", "type": "ID" } ],
            "VID": [ { "name": "Version ID", "type": "ID", "table": "0104" } ],
            "HD": [ { "name": "Namespace ID", "type": "IS" }, { "name": "Universal ID", "type": "ST" }, { "name": "Universal ID Type", "type": "ID", "table": "0301" } ],
            "CX": [
              { "name": "ID Number", "type": "ST" },
              { "name": "Check Digit", "type": "ST" },
              { "name": "Check Digit Scheme", "type": "ID", "table": "0061" },
              { "name": "Assigning Authority", "type": "HD" },
              { "name": "Identifier Type Code", "type": "ID", "table": "0203" },
              { "name": "Effective Date", "type": "DT" } ]
          },
          "tables": {
            "0001": [ "F", "M", "U" ],
            "0061": [ "M10", "M11" ],
            "0103": [ "D", "P", "T" ],
            "0104": [ "2.5.1" ],
            "0301": [ "DNS", "ISO" ]
          }
        }
        """;

    private static readonly NamedFieldsDefinition Definition = NamedFieldsDefinition.FromJson(DefinitionJson);

    [Fact]
    public void Validate_ConformingMessage_NoFindings()
    {
        var findings = Validate("TST|1|-12.5|20240229|20240101123059.5+0100|2359|20240101^S|F|anything|A1^^M10^HOSP&1.2.3&ISO^MR^20240101~B2|note~more|any^thing|x^y^z");

        findings.Should().BeEmpty();
    }

    [Fact]
    public void Validate_RequiredFieldAbsentOrEmpty_Gives101AtField()
    {
        var findings = Validate("TST||2");

        findings.Should().Equal(
            Finding.Of(Hl7ErrorCode.RequiredFieldMissing, "TST.1 Set ID is required", new Place("TST", 1, 1)),
            Finding.Of(Hl7ErrorCode.RequiredFieldMissing, "TST.10 Notes is required", new Place("TST", 1, 10)));
    }

    [Fact]
    public void Validate_SecondOccurrence_LocationCarriesOccurrence()
    {
        var findings = Validate(Tst() + "\r" + Tst((1, string.Empty)));

        findings.Should().ContainSingle().Which.Place().Should().Be(new Place("TST", 2, 1));
        findings[0].Text.Should().Be("TST[2].1 Set ID is required");
    }

    [Fact]
    public void Validate_SegmentWithIdOnly_ReportsEveryRequiredField()
    {
        Validate("TST").Select(f => f.Field).Should().Equal(1, 10);
    }

    [Fact]
    public void Validate_TooManyRepetitions_Gives198AtFirstExtraRepetition()
    {
        var findings = Validate("TST|1||||||||A~B~C~D|n");

        findings.Should().Equal(Finding.Of(
            Hl7ErrorCode.NonConformantCardinality,
            "TST.9[3] Identifier has 4 repetitions; at most 2 allowed",
            new Place("TST", 1, 9, 3)));
    }

    [Fact]
    public void Validate_UnboundedRepetitions_NoFinding()
    {
        Validate("TST|1|||||||||" + string.Join('~', Enumerable.Repeat("n", 500))).Should().BeEmpty();
    }

    [Fact]
    public void Validate_RepetitionTooLong_Gives104AtThatRepetition()
    {
        var findings = Validate("TST|1|123456||||||||n\rTST|2||||||||ok~" + new string('x', 41) + "|n");

        findings.Should().Equal(
            Finding.Of(Hl7ErrorCode.ValueTooLong, "TST.2 Number is longer than 5 characters", new Place("TST", 1, 2, 1)),
            Finding.Of(Hl7ErrorCode.ValueTooLong, "TST[2].9[2] Identifier is longer than 40 characters", new Place("TST", 2, 9, 2)));
    }

    [Fact]
    public void Validate_LengthAtLimit_NoFinding()
    {
        Validate("TST|1|12345|||||||" + new string('x', 40) + "|n").Should().BeEmpty();
    }

    [Theory]
    [InlineData(1, "A", "Set ID is not a valid SI value")]
    [InlineData(2, "1,5", "Number is not a valid NM value")]
    [InlineData(3, "20240230", "Date is not a valid DT value")]
    [InlineData(4, "2024-01-01", "Date Time is not a valid DTM value")]
    [InlineData(5, "2460", "Time is not a valid TM value")]
    [InlineData(2, "12^3", "Number is a NM and cannot have components")]
    [InlineData(3, "2024&01", "Date is a DT and cannot have components")]
    [InlineData(7, "M^F", "Sex is a ID and cannot have components")]
    [InlineData(8, "A^B", "Local is a IS and cannot have components")]
    [InlineData(10, "n^x", "Notes is a ST and cannot have components")]
    public void Validate_PrimitiveBreaksItsType_Gives102AtField(int field, string value, string text)
    {
        var finding = Validate(Tst((field, value))).Should().ContainSingle().Which;

        finding.Code.Should().Be(Hl7ErrorCode.DataTypeError);
        finding.Place().Should().Be(new Place("TST", 1, field, 1));
        finding.Text.Should().Be($"TST.{field} {text}");
    }

    [Fact]
    public void Validate_TimeStampFirstComponentBad_Gives102AtComponent()
    {
        var finding = Validate("TST|1|||||2024130101^S||||n").Should().ContainSingle().Which;

        finding.Should().Be(Finding.Of(Hl7ErrorCode.DataTypeError, "TST.6.1 Time is not a valid DTM value", new Place("TST", 1, 6, 1, 1)));
    }

    [Fact]
    public void Validate_TooManyComponents_Gives102AtFirstExtraComponent()
    {
        var finding = Validate("TST|1|||||20240101^S^X||||n").Should().ContainSingle().Which;

        finding.Should().Be(Finding.Of(
            Hl7ErrorCode.DataTypeError,
            "TST.6.3 Time Stamp has more components than TS defines (2)",
            new Place("TST", 1, 6, 1, 3)));
    }

    [Fact]
    public void Validate_TrailingEmptyComponents_Tolerated()
    {
        Validate("TST|1|||||20240101^S^^^||||n").Should().BeEmpty();
    }

    [Fact]
    public void Validate_TooManySubcomponents_Gives102AtSubcomponent()
    {
        var finding = Validate("TST|1||||||||A^^^NS&UID&ISO&EXTRA|n").Should().ContainSingle().Which;

        finding.Should().Be(Finding.Of(
            Hl7ErrorCode.DataTypeError,
            "TST.9.4.4 Assigning Authority has more subcomponents than HD defines (3)",
            new Place("TST", 1, 9, 1, 4, 4)));
    }

    [Fact]
    public void Validate_SubcomponentInPrimitiveComponent_Gives102()
    {
        var finding = Validate("TST|1||||||||A&B|n").Should().ContainSingle().Which;

        finding.Code.Should().Be(Hl7ErrorCode.DataTypeError);
        finding.Place().Should().Be(new Place("TST", 1, 9, 1, 1));
        finding.Text.Should().Be("TST.9.1 ID Number is a ST and cannot have subcomponents");
    }

    [Fact]
    public void Validate_ComponentDataTypeBad_Gives102AtComponentOfRepetition()
    {
        var finding = Validate("TST|1||||||||A~B^^^^^2024013|n").Should().ContainSingle().Which;

        finding.Should().Be(Finding.Of(
            Hl7ErrorCode.DataTypeError,
            "TST.9[2].6 Effective Date is not a valid DT value",
            new Place("TST", 1, 9, 2, 6)));
    }

    [Fact]
    public void Validate_TableValueMissing_Gives103AtFieldOrComponentOrSubcomponent()
    {
        var findings = Validate("TST|1||||||X||A^^M99^NS&UID&URI|n");

        findings.Should().Equal(
            Finding.Of(Hl7ErrorCode.TableValueNotFound, "TST.7 Sex has a value not in table 0001", new Place("TST", 1, 7, 1)),
            Finding.Of(Hl7ErrorCode.TableValueNotFound, "TST.9.3 Check Digit Scheme has a value not in table 0061", new Place("TST", 1, 9, 1, 3)),
            Finding.Of(Hl7ErrorCode.TableValueNotFound, "TST.9.4.3 Universal ID Type has a value not in table 0301", new Place("TST", 1, 9, 1, 4, 3)));
    }

    [Fact]
    public void Validate_TableNotInDefinition_NotChecked()
    {
        // TST-8 names table 9999 and CX.5 table 0203; neither is in the definition's tables.
        Validate("TST|1|||||||whatever|A^^^^ZZ|n").Should().BeEmpty();
    }

    [Fact]
    public void Validate_TableValueIsCaseSensitive()
    {
        Validate(Tst((7, "m"))).Should().ContainSingle().Which.Code.Should().Be(Hl7ErrorCode.TableValueNotFound);
    }

    [Fact]
    public void Validate_Hl7Null_PassesValueChecks()
    {
        Validate("TST|\"\"|\"\"|\"\"|\"\"|\"\"|\"\"|\"\"||\"\"|\"\"").Should().BeEmpty();
    }

    [Fact]
    public void Validate_VariesAndUnknownTypes_NotChecked()
    {
        Validate(Tst((11, "a^b&c^d&e"), (12, "1^2^3^4^5&6&7"))).Should().BeEmpty();
    }

    [Theory]
    [InlineData("OBX|1|NM|X||-12.5||||||F", null)]
    [InlineData("OBX|1|NM|X||12,5||||||F", "OBX.5 Observation Value is not a valid NM value")]
    [InlineData("OBX|1|NM|X||1~2~x||||||F", "OBX.5[3] Observation Value is not a valid NM value")]
    [InlineData("OBX|1|DT|X||20240231||||||F", "OBX.5 Observation Value is not a valid DT value")]
    [InlineData("OBX|1|TS|X||20240101^Y||||||F", null)]
    [InlineData("OBX|1|TS|X||2024x||||||F", "OBX.5.1 Time is not a valid DTM value")]
    [InlineData("OBX|1|CWE|X||N^No^HL70136||||||F", null)]
    [InlineData("OBX|1|ST|X||a^b||||||F", "OBX.5 Observation Value is a ST and cannot have components")]
    [InlineData("OBX|1|SN|X||>^10||||||F", null)]
    [InlineData("OBX|1|ZZ|X||a^b&c^d||||||F", null)]
    [InlineData("OBX|1||X||a^b&c^d||||||F", null)]
    public void Validate_ObservationValue_CheckedAsTheTypeObx2Names(string obx, string? text)
    {
        var findings = new List<Hl7Error>();
        new NamedFieldsValidator(NamedFieldsDefinition.BuiltIn("2.5.1"), ValidationFlags.DataType).Validate(Hl7Message.Parse(Header + obx), findings);

        if (text is null)
        {
            findings.Should().BeEmpty();
        }
        else
        {
            findings.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Code = Hl7ErrorCode.DataTypeError, Text = text });
        }
    }

    [Theory]
    [InlineData("OBX|1|QUANTITY9|X||12^kg", null)]
    [InlineData("OBX|1|QUANTITY9|X||twelve^kg", "OBX.5.1 Amount is not a valid NM value")]
    public void Validate_ObservationValueOfDefinedTypeWithLongName_CheckedAsThatType(string obx, string? text)
    {
        // Type names in a definition may run past the built-in ones' few characters; OBX-2 still names them.
        var definition = NamedFieldsDefinition.FromJson("""
            {
              "version": "test",
              "segments": {
                "OBX": { "name": "Observation", "fields": [
                  { "name": "Set ID", "type": "SI" },
                  { "name": "Value Type", "type": "ID" },
                  { "name": "Identifier", "type": "ST" },
                  { "name": "Sub-ID", "type": "ST" },
                  { "name": "Observation Value", "type": "VARIES" } ] }
              },
              "dataTypes": {
                "QUANTITY9": [ { "name": "Amount", "type": "NM" }, { "name": "Unit", "type": "ST" } ]
              }
            }
            """);
        var findings = new List<Hl7Error>();

        new NamedFieldsValidator(definition).Validate(Hl7Message.Parse(Header + obx), findings);

        if (text is null)
        {
            findings.Should().BeEmpty();
        }
        else
        {
            findings.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Code = Hl7ErrorCode.DataTypeError, Text = text });
        }
    }

    [Fact]
    public void Validate_UndefinedSegmentsAndExtraFields_Ignored()
    {
        Validate("ZZ1|||garbage^^^&&&\r" + Tst((12, "x"), (14, "extra"), (15, "NM^x")) + "\rXYZ\r").Should().BeEmpty();
    }

    [Fact]
    public void Validate_HeaderSeparatorsAndEncodingCharacters_NotSplit()
    {
        // MSH-2 holds ^~\& itself; MSH-1 is the field separator.
        Validate(string.Empty, header: "MSH|^~\\&|APP|FAC|RCV|RFAC|20240101||ADT^A01|1|P|2.5.1").Should().BeEmpty();
    }

    [Fact]
    public void Validate_HeaderProblems_LocatedInMsh()
    {
        var findings = Validate(string.Empty, header: "MSH|^~\\&|APP|FAC|RCV|RFAC|2024x||ADT^A01||X|2.7");

        findings.Should().Equal(
            Finding.Of(Hl7ErrorCode.DataTypeError, "MSH.7.1 Time is not a valid DTM value", new Place("MSH", 1, 7, 1, 1)),
            Finding.Of(Hl7ErrorCode.RequiredFieldMissing, "MSH.10 Message Control ID is required", new Place("MSH", 1, 10)),
            Finding.Of(Hl7ErrorCode.TableValueNotFound, "MSH.11.1 Processing ID has a value not in table 0103", new Place("MSH", 1, 11, 1, 1)),
            Finding.Of(Hl7ErrorCode.TableValueNotFound, "MSH.12.1 Version ID has a value not in table 0104", new Place("MSH", 1, 12, 1, 1)));
    }

    [Fact]
    public void Validate_EncodingCharactersTooLong_Gives104()
    {
        var findings = Validate(string.Empty, header: "MSH|^~\\&#|APP|FAC|RCV|RFAC|20240101||ADT^A01|1|P|2.5.1");

        findings.Should().ContainSingle().Which.Should().Be(Finding.Of(
            Hl7ErrorCode.ValueTooLong, "MSH.2 Encoding Characters is longer than 4 characters", new Place("MSH", 1, 2, 1)));
    }

    [Fact]
    public void Validate_OtherDelimiters_UsesMessageDelimiters()
    {
        var findings = Validate("TST#1#1!2", header: "MSH#:*\\@#APP#FAC#RCV#RFAC#20240101##ADT:A01#1#P#2.5.1");

        findings.Select(f => (f.Code, f.Field)).Should().Equal((Hl7ErrorCode.DataTypeError, 2), (Hl7ErrorCode.RequiredFieldMissing, 10));
    }

    [Theory]
    [InlineData(ValidationFlags.None, new int[0])]
    [InlineData(ValidationFlags.RequiredFields, new[] { 101 })]
    [InlineData(ValidationFlags.Repetitions, new[] { 198 })]
    [InlineData(ValidationFlags.MaxLength, new[] { 104 })]
    [InlineData(ValidationFlags.DataType, new[] { 102 })]
    [InlineData(ValidationFlags.TableValues, new[] { 103 })]
    [InlineData(ValidationFlags.All, new[] { 101, 104, 102, 103, 198 })]
    public void Validate_Flags_SelectWhatIsChecked(ValidationFlags flags, int[] codes)
    {
        var findings = Validate(Tst((1, string.Empty), (2, "123456x"), (7, "X"), (9, "A~B~C")), flags);

        findings.Select(f => (int)f.Code).Should().Equal(codes);
    }

    [Fact]
    public void Validate_ManyProblems_StopsAtMaxFindings()
    {
        var validator = new NamedFieldsValidator(Definition) { MaxFindings = 3 };
        var message = Hl7Message.Parse(Header + string.Concat(Enumerable.Repeat("TST|A|B|C|D|E\r", 100)));
        var findings = new List<Hl7Error>();

        validator.Validate(message, findings).Should().Be(3);

        findings.Should().HaveCount(3);
    }

    [Fact]
    public void MaxFindings_Default100_RefusesBelowOne()
    {
        new NamedFieldsValidator(Definition).MaxFindings.Should().Be(100);
        var act = () => new NamedFieldsValidator(Definition) { MaxFindings = 0 };

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Validate_FindingTexts_NeverContainValues()
    {
        var findings = Validate("TST|SECRETA|SECRETB|SECRETC|SECRETD|SECRETE|SECRETF|SECRETG|SECRETH|SECRETI^^SECRETJ~B~C|n");

        findings.Should().NotBeEmpty();
        findings.Should().OnlyContain(f => !f.Text.Contains("SECRET", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ConformingMessage_AllocatesNothing()
    {
        var validator = new NamedFieldsValidator(Definition);
        var message = Hl7Message.Parse(Header + "TST|1|-12.5|20240229|20240101123059.5+0100|2359|20240101^S|F|x|A1^^M10^HOSP&1.2.3&ISO^MR^20240101~B2|note~more");
        var findings = new List<Hl7Error>();
        for (var i = 0; i < 3; i++)
        {
            validator.Validate(message, findings);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        validator.Validate(message, findings);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        findings.Should().BeEmpty();
        allocated.Should().Be(0);
    }

    [Fact]
    public void Constructor_Null_Throws()
    {
        var act = () => new NamedFieldsValidator(null!);

        act.Should().Throw<ArgumentNullException>();
    }

    [Theory]
    [InlineData(20, false)]
    [InlineData(21, true)]
    public void Validate_Utf8MultiByteValue_LengthCountsCharactersNotBytes(int characters, bool tooLong)
    {
        // MSH-10 allows 20 characters; each "é" is two UTF-8 bytes.
        var header = Header.Replace("CTRL1", new string('\u00e9', characters), StringComparison.Ordinal);

        var findings = Validate(Tst(), header: header);

        findings.Any(f => f.Code == Hl7ErrorCode.ValueTooLong && f.Place() == new Place("MSH", 1, 10, 1)).Should().Be(tooLong);
    }

    [Theory]
    [InlineData(20, false)]
    [InlineData(21, true)]
    public void Validate_Latin1Value_OneCharacterPerByte(int characters, bool tooLong)
    {
        var header = Header.Replace("CTRL1", new string('\u00e9', characters), StringComparison.Ordinal).TrimEnd('\r') + "||||||8859/1\r";
        var findings = new List<Hl7Error>();

        new NamedFieldsValidator(Definition).Validate(Hl7Message.Parse(Encoding.Latin1.GetBytes(header + Tst())), findings);

        findings.Any(f => f.Code == Hl7ErrorCode.ValueTooLong && f.Place() == new Place("MSH", 1, 10, 1)).Should().Be(tooLong);
    }

    [Fact]
    public void Validate_NonAsciiValues_NotDigitsNotInTable()
    {
        var findings = Validate(Tst((2, "\uff11\uff12"), (7, "\u00dc")));

        findings.Select(f => (f.Code, f.Place())).Should().Equal(
            (Hl7ErrorCode.DataTypeError, new Place("TST", 1, 2, 1)),
            (Hl7ErrorCode.TableValueNotFound, new Place("TST", 1, 7, 1)));
    }

    [Fact]
    public void Validate_Big5CharacterWhoseSecondByteIsTheFieldSeparator_FieldsNotShifted()
    {
        // In Big5 the second byte of a character may be '|': the walk must see characters, not split inside one.
        var big5 = System.Text.CodePagesEncodingProvider.Instance.GetEncoding(950)!;
        var character = Enumerable.Range(0x4E00, 0x5000).Select(c => (char)c).First(c => big5.GetBytes([c]) is [_, (byte)'|']);
        var header = Header.TrimEnd('\r') + "||||||BIG-5\r";
        var findings = new List<Hl7Error>();

        new NamedFieldsValidator(Definition).Validate(Hl7Message.Parse(big5.GetBytes(header + Tst((7, character.ToString()), (3, "20241301")))), findings);

        findings.Select(f => f.Text).Should().Equal("TST.3 Date is not a valid DT value", "TST.7 Sex has a value not in table 0001");
    }

    // A TST segment with the required fields valued (TST-1 "1", TST-10 "n") and the given fields set.
    private static string Tst(params (int Field, string Value)[] set)
    {
        var fields = new string[Math.Max(12, set.Length == 0 ? 0 : set.Max(f => f.Field))];
        Array.Fill(fields, string.Empty);
        fields[0] = "1";
        fields[9] = "n";
        foreach (var (field, value) in set)
        {
            fields[field - 1] = value;
        }

        return "TST|" + string.Join('|', fields).TrimEnd('|');
    }

    private static List<Hl7Error> Validate(string segments, ValidationFlags flags = ValidationFlags.All, string header = Header)
    {
        var findings = new List<Hl7Error>();
        var validator = new NamedFieldsValidator(Definition, flags);
        var text = header.EndsWith('\r') || segments.Length == 0 ? header + segments : header + "\r" + segments;
        validator.Validate(Hl7Message.Parse(text), findings);
        return findings;
    }
}
