using System.Text;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Tests.Messages;

public class Hl7MessageTests
{
    private const string Adt =
        "MSH|^~\\&|SENDAPP|SENDFAC|RECVAPP|RECVFAC|20240101120000||ADT^A01^ADT_A01|CTRL123|P|2.5.1|||AL|NE||8859/1\r"
        + "EVN|A01|20240101120000\r"
        + "PID|1||MRN1^^^HOSP^MR~SSN9^^^USA^SS||DOE^JOHN^Q&QUINCY||19800101|M\r"
        + "OBX|1|TX|A||first\r"
        + "OBX|2|TX|B||second\\F\\part\r"
        + "OBX|3|TX|C||third\r";

    private static Hl7Message ParseText(string text, Hl7ParseOptions? options = null) =>
        Hl7Message.Parse(Encoding.UTF8.GetBytes(text), options);

    [Theory]
    [InlineData("MSH.10", "CTRL123")]
    [InlineData("MSH-10", "CTRL123")]
    [InlineData("MSH.1", "|")]
    [InlineData("MSH.2", "^~\\&")]
    [InlineData("MSH.3", "SENDAPP")]
    [InlineData("MSH.9", "ADT^A01^ADT_A01")]
    [InlineData("MSH.9.2", "A01")]
    [InlineData("PID.3", "MRN1^^^HOSP^MR~SSN9^^^USA^SS")]
    [InlineData("PID.3.1", "MRN1")]
    [InlineData("PID.3[2]", "SSN9^^^USA^SS")]
    [InlineData("PID.3[2].1", "SSN9")]
    [InlineData("PID.3[2].4", "USA")]
    [InlineData("PID.5.3", "Q&QUINCY")]
    [InlineData("PID.5.3.2", "QUINCY")]
    [InlineData("PID.5.1.1", "DOE")]
    [InlineData("OBX[3].5", "third")]
    [InlineData("OBX[2].5", "second|part")]
    [InlineData("OBX.5", "first")]
    [InlineData("pid.8", "M")]
    public void GetValue_Key_ReturnsUnescapedValue(string key, string expected) =>
        ParseText(Adt).GetValue(key).Should().Be(expected);

    [Theory]
    [InlineData("PID.30")]
    [InlineData("PID.3[3]")]
    [InlineData("PID.3.9")]
    [InlineData("PID.3[3].1")]
    [InlineData("PID.5.1.2")]
    [InlineData("OBX[4].5")]
    [InlineData("ZZZ.1")]
    [InlineData("MSH.1.2")]
    [InlineData("MSH.2[2]")]
    [InlineData("MSH.99999")]
    public void GetValue_KeyNamingNothing_ReturnsEmpty(string key) =>
        ParseText(Adt).GetValue(key).Should().BeEmpty();

    [Theory]
    [InlineData("")]
    [InlineData("PID")]
    [InlineData("PID.")]
    [InlineData("PID.0")]
    [InlineData("PI.3")]
    [InlineData("PID.3[0]")]
    [InlineData("PID.3..1")]
    [InlineData("PID.3.1.1.1")]
    [InlineData("PID[x].3")]
    [InlineData("PID.3[2")]
    [InlineData("PID.100000")]
    public void GetValue_MalformedKey_ThrowsArgumentException(string key)
    {
        Hl7Message message = ParseText(Adt);
        Action act = () => message.GetValue(key);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Parse_HeaderAccessors_ReturnHeaderFields()
    {
        Hl7Message message = ParseText(Adt);

        message.ControlId.Should().Be("CTRL123");
        message.MessageType.Should().Be("ADT");
        message.TriggerEvent.Should().Be("A01");
        message.MessageStructure.Should().Be("ADT_A01");
        message.ProcessingId.Should().Be("P");
        message.Version.Should().Be("2.5.1");
        message.AcceptAckType.Should().Be("AL");
        message.ApplicationAckType.Should().Be("NE");
        message.CharacterSet.Should().Be("8859/1");
        message.Encoding.Should().Be(Encoding.Latin1);
        message.SegmentCount.Should().Be(6);
        message.Delimiters.Should().Be(Hl7Delimiters.Default);
    }

    [Theory]
    [InlineData("\r")]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Parse_Terminators_KeepsEverySegment(string terminator)
    {
        string text = Adt.Replace("\r", terminator, StringComparison.Ordinal);

        Hl7Message message = ParseText(text);

        message.SegmentCount.Should().Be(6);
        message.GetValue("OBX[3].5").Should().Be("third");
        message.GetValue("PID.3[2].1").Should().Be("SSN9");
    }

    [Fact]
    public void Parse_MixedTerminatorsBlankLinesBomAndNoFinalTerminator_KeepsEverySegment()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("MSH|^~\\&|A||||||ADT^A01|X1|P|2.3\r\n\r\nEVN|A01\n  \t\nPID|1||M1\rOBX|1")];

        Hl7Message message = Hl7Message.Parse(bytes);

        message.Offset.Should().Be(3);
        message.Bytes.Span[0].Should().Be((byte)'M');
        message.SegmentCount.Should().Be(4);
        message.GetValue("PID.3").Should().Be("M1");
        message.GetValue("OBX.1").Should().Be("1");
        message.GetValue("OBX.2").Should().BeEmpty();
    }

    [Fact]
    public void Parse_LineBreaksBeforeMsh_AreSkipped()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. "\r\n\nMSH|^~\\&|A||||||ADT^A01|X1|P|2.3\rPID|1"u8];

        Hl7Message message = Hl7Message.Parse(bytes);

        message.Offset.Should().Be(6);
        message.SegmentCount.Should().Be(2);
        message.ControlId.Should().Be("X1");
        Hl7Message.TryParse("\r\n"u8.ToArray(), out _, out Hl7ParseError error).Should().BeFalse();
        error.Reason.Should().Be("MSH segment missing at byte 2");
    }

    [Theory]
    [InlineData("MSH|^~\\&|A||||||ADT^A01|X1|P|2.3\rPID|1||M^1~M2", '|', '^', '~', '\\', '&', '\0')]
    [InlineData("MSH^~|\\&^A^^^^^^ADT~A24^X1^T^2.4\rPID^1^^M~1|M2", '^', '~', '|', '\\', '&', '\0')]
    [InlineData("MSH|^~\\}|A||||||ACK^|X1|P|2.1\rPID|1||M^1~M2", '|', '^', '~', '\\', '}', '\0')]
    [InlineData("MSH|^~\\&#|A||||||ORU^R01|X1|T|2.5.1\rPID|1||M^1~M2", '|', '^', '~', '\\', '&', '#')]
    public void Parse_DelimiterVariants_ReadsDelimitersAndValues(string text, char field, char component, char repetition, char escape, char subcomponent, char truncation)
    {
        Hl7Message message = ParseText(text);

        message.Delimiters.Field.Should().Be(field);
        message.Delimiters.Component.Should().Be(component);
        message.Delimiters.Repetition.Should().Be(repetition);
        message.Delimiters.Escape.Should().Be(escape);
        message.Delimiters.Subcomponent.Should().Be(subcomponent);
        message.Delimiters.Truncation.Should().Be(truncation);
        message.Delimiters.HasTruncation.Should().Be(truncation != '\0');
        message.GetValue("MSH.1").Should().Be(field.ToString());
        message.GetValue("MSH.2").Should().Be(message.Delimiters.EncodingCharacters);
        message.ControlId.Should().Be("X1");
        message.GetValue("PID.3[1].2").Should().Be("1");
        message.GetValue("PID.3[2]").Should().Be("M2");
    }

    [Fact]
    public void TryGetRawValue_EscapedValue_ReturnsBytesAsTheyStand()
    {
        Hl7Message message = ParseText(Adt);

        message.TryGetRawValue(Hl7Key.Parse("OBX[2].5"), out ReadOnlyMemory<byte> raw).Should().BeTrue();
        Encoding.ASCII.GetString(raw.Span).Should().Be("second\\F\\part");
        message.TryGetRawValue(Hl7Key.Parse("PID.2"), out raw).Should().BeTrue();
        raw.IsEmpty.Should().BeTrue();
        message.TryGetRawValue(Hl7Key.Parse("PID.99"), out raw).Should().BeFalse();
        message.GetRawValue(Hl7Key.Parse("MSH.10")).ToArray().Should().Equal("CTRL123"u8.ToArray());
    }

    [Fact]
    public void Segments_Enumerate_YieldsIdsPositionsAndFields()
    {
        Hl7Message message = ParseText(Adt);
        var ids = new List<string>();
        foreach (Hl7Segment segment in message.Segments)
        {
            ids.Add(segment.Id);
            message.Bytes.Span[segment.Position..].StartsWith(segment.Bytes.Span).Should().BeTrue();
        }

        ids.Should().Equal("MSH", "EVN", "PID", "OBX", "OBX", "OBX");
        message.CountSegments("OBX").Should().Be(3);
        message.TryGetSegment("PID", 1, out Hl7Segment pid).Should().BeTrue();
        pid.FieldCount.Should().Be(8);
        var fields = new List<string>();
        foreach (Hl7Value field in pid.Fields)
        {
            fields.Add(field.ToString());
        }

        fields.Should().Equal("1", "", "MRN1^^^HOSP^MR~SSN9^^^USA^SS", "", "DOE^JOHN^Q&QUINCY", "", "19800101", "M");
    }

    [Fact]
    public void Fields_HeaderSegment_NumbersFieldsTheStandardWay()
    {
        Hl7Segment msh = ParseText(Adt).Header;
        var fields = new List<(int, string)>();
        Hl7FieldEnumerator enumerator = msh.Fields;
        while (enumerator.MoveNext())
        {
            fields.Add((enumerator.FieldNumber, enumerator.Current.ToString()));
        }

        fields.Take(4).Should().Equal((1, "|"), (2, "^~\\&"), (3, "SENDAPP"), (4, "SENDFAC"));
        fields.Should().Contain((10, "CTRL123"));
        msh.FieldCount.Should().Be(fields.Count);
        msh.GetField(9).ToString().Should().Be("ADT^A01^ADT_A01");
    }

    [Fact]
    public void Value_RepetitionsComponentsSubcomponents_EnumerateInOrder()
    {
        Hl7Message message = ParseText(Adt);
        Hl7Value pid3 = GetField(message, "PID", 3);

        var repetitions = new List<string>();
        foreach (Hl7Value repetition in pid3.Repetitions)
        {
            var components = new List<string>();
            foreach (Hl7Value component in repetition.Components)
            {
                components.Add(component.ToString());
            }

            repetitions.Add(string.Join(",", components));
        }

        repetitions.Should().Equal("MRN1,,,HOSP,MR", "SSN9,,,USA,SS");
        var subcomponents = new List<string>();
        foreach (Hl7Value subcomponent in GetField(message, "PID", 5).GetComponent(3).Subcomponents)
        {
            subcomponents.Add(subcomponent.ToString());
        }

        subcomponents.Should().Equal("Q", "QUINCY");
        Hl7ValueEnumerator none = GetField(message, "PID", 2).Repetitions;
        none.MoveNext().Should().BeFalse();
    }

    [Theory]
    [InlineData("", Hl7ErrorCode.SegmentSequenceError, 0, "MSH segment missing at byte 0")]
    [InlineData("PID|1||SECRET\r", Hl7ErrorCode.SegmentSequenceError, 0, "MSH segment missing at byte 0")]
    [InlineData(" MSH|^~\\&|SECRET", Hl7ErrorCode.SegmentSequenceError, 0, "MSH segment missing at byte 0")]
    [InlineData("MSH", Hl7ErrorCode.RequiredFieldMissing, 3, "MSH-1 field separator missing at byte 3")]
    [InlineData("MSH\rPID|SECRET", Hl7ErrorCode.RequiredFieldMissing, 3, "MSH-1 field separator missing at byte 3")]
    [InlineData("MSHH0\r", Hl7ErrorCode.DataTypeError, 3, "MSH-1 field separator is not a valid delimiter at byte 3")]
    [InlineData("MSH ^~\\&", Hl7ErrorCode.DataTypeError, 3, "MSH-1 field separator is not a valid delimiter at byte 3")]
    [InlineData("MSH|^~&|SECRET|", Hl7ErrorCode.DataTypeError, 4, "MSH-2 encoding characters are incomplete at byte 4 (3 of 4)")]
    [InlineData("MSH|", Hl7ErrorCode.DataTypeError, 4, "MSH-2 encoding characters are incomplete at byte 4 (0 of 4)")]
    [InlineData("MSH^~\\&|SECRET NAME^X", Hl7ErrorCode.DataTypeError, 4, "MSH-2 encoding characters are too long at byte 4 (15 of at most 5)")]
    [InlineData("MSH|0000||", Hl7ErrorCode.DataTypeError, 4, "MSH-2 encoding character 1 is not a distinct delimiter at byte 4")]
    [InlineData("MSH|^~\\\\&|A", Hl7ErrorCode.DataTypeError, 7, "MSH-2 encoding character 4 is not a distinct delimiter at byte 7")]
    [InlineData("MSH|^^\\&|A", Hl7ErrorCode.DataTypeError, 5, "MSH-2 encoding character 2 is not a distinct delimiter at byte 5")]
    [InlineData("MSH|^~\\&|A\nSECRET|x", Hl7ErrorCode.SegmentSequenceError, 11, "Segment 2 has no valid segment ID at byte 11")]
    [InlineData("MSH|^~\\&|A\rPI|x", Hl7ErrorCode.SegmentSequenceError, 11, "Segment 2 has no valid segment ID at byte 11")]
    [InlineData("MSH|^~\\&|A\rpid|x", Hl7ErrorCode.SegmentSequenceError, 11, "Segment 2 has no valid segment ID at byte 11")]
    [InlineData("MSH|^~\\&|A\r8866||x", Hl7ErrorCode.SegmentSequenceError, 11, "Segment 2 has no valid segment ID at byte 11")]
    [InlineData("MSH|^~\\&|A\rPID^x", Hl7ErrorCode.SegmentSequenceError, 11, "Segment 2 has no valid segment ID at byte 11")]
    [InlineData("MSH|^~\\&|A\rMSH|^~\\&|B", Hl7ErrorCode.SegmentSequenceError, 11, "Segment 2 is a second message or batch header at byte 11; split batches with Hl7Batch")]
    public void TryParse_BadInput_ReportsCodePositionAndNoContent(string text, Hl7ErrorCode code, int position, string reason)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);

        Hl7Message.TryParse(bytes, out Hl7Message message, out Hl7ParseError error).Should().BeFalse();

        message.SegmentCount.Should().Be(0);
        error.IsError.Should().BeTrue();
        error.ErrorCode.Should().Be(code);
        error.Position.Should().Be(position);
        error.Reason.Should().Be(reason);
        error.Reason.Should().NotContain("SECRET");
        Action act = () => Hl7Message.Parse(bytes);
        act.Should().Throw<Hl7ParseException>()
            .Where(e => e.ErrorCode == code && e.Position == position && e.Message == reason);
    }

    [Fact]
    public void TryParse_BomBeforeBrokenHeader_CountsBomInPosition()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. "MSH|^~&|x"u8];

        Hl7Message.TryParse(bytes, out _, out Hl7ParseError error).Should().BeFalse();

        error.Position.Should().Be(7);
        error.Reason.Should().Be("MSH-2 encoding characters are incomplete at byte 7 (3 of 4)");
    }

    [Fact]
    public void Parse_HeaderOnlyToEncodingCharacters_HasEmptyHeaderFields()
    {
        Hl7Message message = ParseText("MSH|^~\\&");

        message.SegmentCount.Should().Be(1);
        message.ControlId.Should().BeEmpty();
        message.GetValue("MSH.2").Should().Be("^~\\&");
        message.TryGetValue(Hl7Key.Parse("MSH.3"), out _).Should().BeFalse();
    }

    [Fact]
    public void Parse_SegmentWithIdOnly_HasNoFields()
    {
        Hl7Message message = ParseText("MSH|^~\\&|A\rNTE\rPID|");

        message.SegmentCount.Should().Be(3);
        message.TryGetSegment("NTE", 1, out Hl7Segment nte).Should().BeTrue();
        nte.FieldCount.Should().Be(0);
        nte.TryGetField(1, out _).Should().BeFalse();
        message.TryGetValue(Hl7Key.Parse("PID.1"), out Hl7Value pid1).Should().BeTrue();
        pid1.IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Parse_AndEnumerate_AllocatesNothing()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Adt);
        Hl7Key key = Hl7Key.Parse("PID.3[2].1");
        int Walk()
        {
            Hl7Message message = Hl7Message.Parse(bytes);
            int count = message.TryGetRawValue(key, out ReadOnlyMemory<byte> raw) ? raw.Length : 0;
            foreach (Hl7Segment segment in message.Segments)
            {
                foreach (Hl7Value field in segment.Fields)
                {
                    foreach (Hl7Value repetition in field.Repetitions)
                    {
                        foreach (Hl7Value component in repetition.Components)
                        {
                            foreach (Hl7Value subcomponent in component.Subcomponents)
                            {
                                count += subcomponent.Bytes.Length;
                            }
                        }
                    }
                }
            }

            return count;
        }

        int expected = Walk();
        long before = GC.GetAllocatedBytesForCurrentThread();
        int actual = Walk();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        actual.Should().Be(expected).And.BeGreaterThan(100);
        allocated.Should().Be(0);
    }

    [Fact]
    public void ToString_MessageWithPhi_DescribesItWithoutContent()
    {
        string text = Adt.Replace("DOE^JOHN", "PHI-SENTINEL^JOHN", StringComparison.Ordinal);
        Hl7Message message = ParseText(text);

        string summary = message.ToString();

        summary.Should().NotContain("PHI-SENTINEL").And.NotContain("JOHN").And.NotContain("MRN1");
        summary.Should().Be($"ADT^A01 MSH-10=CTRL123, {Encoding.UTF8.GetByteCount(text)} bytes, 6 segments");
        $"{message}".Should().Be(summary);
    }

    [Fact]
    public void ToString_Default_DescribesAnEmptyMessage() =>
        default(Hl7Message).ToString().Should().Be("empty Hl7Message");

    [Fact]
    public void GetText_Message_ReturnsTheWholeDecodedText() =>
        ParseText(Adt).GetText().Should().Be(Adt);

    [Fact]
    public void ToString_SegmentWithPhi_DescribesItWithoutContent()
    {
        Hl7Message message = ParseText(Adt.Replace("DOE^JOHN", "PHI-SENTINEL^JOHN", StringComparison.Ordinal));
        message.TryGetSegment("PID", 1, out Hl7Segment pid).Should().BeTrue();

        pid.ToString().Should().NotContain("PHI-SENTINEL").And.StartWith("PID at byte ").And.EndWith(" fields");
        pid.ToString().Should().Be($"PID at byte {pid.Position}, {pid.Bytes.Length} bytes, 8 fields");
        pid.GetText().Should().Be("PID|1||MRN1^^^HOSP^MR~SSN9^^^USA^SS||PHI-SENTINEL^JOHN^Q&QUINCY||19800101|M");
    }

    private static Hl7Value GetField(Hl7Message message, string segmentId, int field)
    {
        message.TryGetSegment(segmentId, 1, out Hl7Segment segment).Should().BeTrue();
        return segment.GetField(field);
    }
}
