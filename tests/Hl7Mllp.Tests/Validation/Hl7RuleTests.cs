using System.Text.RegularExpressions;
using Hl7Mllp.Messages;
using Hl7Mllp.Validation;

namespace Hl7Mllp.Tests.Validation;

public class Hl7RuleTests
{
    private const string Sample =
        "MSH|^~\\&|LAB|HOSP|EHR|CLINIC|20240101120000||ORU^R01^ORU_R01|MSG00001|P|2.5.1\r" +
        "PID|1||12345^^^HOSP^MR~999^^^SSA^SS||DOE^JOHN||19800101|M\r" +
        "OBR|1||ORD1|CBC^Complete blood count\r" +
        "OBX|1|NM|WBC||7.5|10*9/L|4.0-10.0|N|||F\r" +
        "OBX|2|NM|HGB||013.0|g/dL|12-16|N|||F\r" +
        "OBX|3|ST|NOTE||it's fine||||||F";

    private static readonly Hl7Message Message = Hl7Message.Parse(Sample);

    [Theory]
    [InlineData("MSH.9.1 = 'ORU'", true)]
    [InlineData("MSH.9.1 = \"ORU\"", true)]
    [InlineData("MSH.9.1 = 'oru'", false)]
    [InlineData("MSH.9.1 <> 'ADT'", true)]
    [InlineData("MSH.9.1 != 'ORU'", false)]
    [InlineData("MSH.10 = 'MSG00001'", true)]
    [InlineData("MSH.11 = 'P'", true)]
    [InlineData("MSH.1 = '|'", true)]
    [InlineData("MSH.2 = '^~\\\\&'", true)]
    [InlineData("PID.3.1 = '12345'", true)]
    [InlineData("PID.3[2].1 = '999'", true)]
    [InlineData("PID.3[2].5 = 'SS'", true)]
    [InlineData("PID.5.2 = 'JOHN'", true)]
    [InlineData("OBX[2].5 = 13", true)]
    [InlineData("OBX[2].5 = '13'", false)]
    [InlineData("OBX[2].5 > OBX[1].5", true)]
    [InlineData("OBX[1].5 >= 7.5", true)]
    [InlineData("OBX[1].5 > 7.5", false)]
    [InlineData("OBX[1].5 < 10", true)]
    [InlineData("OBX[1].5 <= 7.49", false)]
    [InlineData("OBX[1].5 < -1", false)]
    [InlineData("OBX[3].5 > 'a'", true)]
    [InlineData("PID.7 < '19900101'", true)]
    [InlineData("PID.8 in ('F','M','U')", true)]
    [InlineData("PID.8 IN ('F', 'U')", false)]
    [InlineData("PID.8 not in ('F', 'U')", true)]
    [InlineData("OBX[2].5 in (12, 13, 14)", true)]
    [InlineData("OBX[3].5 contains 's f'", true)]
    [InlineData("OBX[3].5 not contains 'bad'", true)]
    [InlineData("OBX[3].5 startswith 'it'", true)]
    [InlineData("OBX[3].5 STARTSWITH 'fine'", false)]
    [InlineData("MSH.10 matches '^MSG[0-9]+$'", true)]
    [InlineData("MSH.10 matches '^[0-9]+$'", false)]
    [InlineData("MSH.10 matches '^MSG\\d{5}$'", true)]
    [InlineData("OBX[2].5 matches '^\\d+\\.\\d$'", true)]
    [InlineData("OBX[1].5 matches '^\\d\\.\\d$'", true)]
    [InlineData("OBX[1].5 matches '^\\d\\d'", false)]
    [InlineData("'a\\tb' contains '\t'", true)]
    [InlineData("MSH.10 not matches '^[0-9]+$'", true)]
    [InlineData("PID.2 is empty", true)]
    [InlineData("PID.3 is empty", false)]
    [InlineData("PID.3 IS NOT EMPTY", true)]
    [InlineData("ZZZ.1 is empty", true)]
    [InlineData("OBX[9].5 is empty", true)]
    [InlineData("PID.3[3].1 is empty", true)]
    [InlineData("PID.99 = ''", true)]
    [InlineData("not PID.3 is empty", true)]
    [InlineData("NOT NOT PID.3 is empty", false)]
    [InlineData("MSH.9.1 = 'ADT' or MSH.9.1 = 'ORU'", true)]
    [InlineData("MSH.9.1 = 'ADT' and MSH.9.1 = 'ORU'", false)]
    [InlineData("MSH.9.1 = 'ORU' AND PID.8 = 'M' Or PID.8 = 'X'", true)]
    [InlineData("MSH.9.1 = 'ADT' and (PID.8 = 'M' or PID.8 = 'F')", false)]
    [InlineData("MSH.9.1 = 'ADT' and PID.8 = 'M' or PID.8 = 'M'", true)]
    [InlineData("not (MSH.9.1 = 'ADT' or PID.8 = 'F')", true)]
    [InlineData("((PID.8 = 'M'))", true)]
    [InlineData("'ORU' = MSH.9.1", true)]
    [InlineData("1 < 2", true)]
    [InlineData("'10' < '9'", true)]
    [InlineData("10 < 9", false)]
    [InlineData("'it\\'s' = \"it's\"", true)]
    [InlineData("OBX[3].5 startswith 'it\\'s'", true)]
    [InlineData("OBX[3].5 startswith \"it's\"", true)]
    public void Matches_Expression_EvaluatesAsDocumented(string expression, bool expected)
    {
        var rule = Hl7Rule.Parse("test", expression, Hl7ErrorCode.OtherError, "text");

        rule.Matches(Message).Should().Be(expected);
    }

    [Theory]
    [InlineData("PID.5.1 = 'A|B'", true)]
    [InlineData("PID.5.1 contains '|'", true)]
    [InlineData("PID.5.2 = 'Ü'", true)]
    [InlineData("PID.6 startswith 'xxxxxxxxxx' and PID.6 matches '^x{300}$'", true)]
    [InlineData("PID.6 = 'x'", false)]
    public void Matches_EscapedNonAsciiAndLongValues_ComparesDecodedText(string expression, bool expected)
    {
        // Escapes, non-ASCII and values past the stack buffer take the decoding path.
        var message = Hl7Message.Parse("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5.1\rPID|1||1||A\\F\\B^Ü|" + new string('x', 300));
        var rule = Hl7Rule.Parse("test", expression, Hl7ErrorCode.OtherError, "text");

        rule.Matches(message).Should().Be(expected);
    }

    [Fact]
    public void Matches_ParsedOnce_EvaluatesManyMessages()
    {
        var rule = Hl7Rule.Parse("oru only", "MSH.9.1 <> 'ORU'", Hl7ErrorCode.UnsupportedMessageType, "MSH.9 only ORU");
        var adt = Hl7Message.Parse("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5.1");

        rule.Matches(Message).Should().BeFalse();
        rule.Matches(adt).Should().BeTrue();
        rule.Matches(Message).Should().BeFalse();
    }

    [Fact]
    public void Matches_AndOrShortCircuit_SecondOperandNotEvaluated()
    {
        // The second operand would time out (catastrophic backtracking) if it were evaluated.
        var message = Hl7Message.Parse(Sample + "\rOBX|4|ST|X||" + new string('a', 5000) + "!");
        var timeout = TimeSpan.FromMilliseconds(1);
        var and = Hl7Rule.Parse("r", "MSH.9.1 = 'ADT' and OBX[4].5 matches '^(a+)+$'", Hl7ErrorCode.OtherError, "t", matchTimeout: timeout);
        var or = Hl7Rule.Parse("r", "MSH.9.1 = 'ORU' or OBX[4].5 matches '^(a+)+$'", Hl7ErrorCode.OtherError, "t", matchTimeout: timeout);

        and.Matches(message).Should().BeFalse();
        or.Matches(message).Should().BeTrue();
    }

    [Theory]
    [InlineData("", 1, "the expression is empty")]
    [InlineData("   ", 4, "the expression is empty")]
    [InlineData("PID.3", 6, "expected an operator")]
    [InlineData("PID.3 =", 8, "expected an HL7 key, a string or a number")]
    [InlineData("PID.3 = 'a' and", 16, "expected an HL7 key")]
    [InlineData("PID.3 = 'a' PID.4 = 'b'", 13, "expected 'and', 'or' or the end, found 'PID.4'")]
    [InlineData("(PID.3 = 'a'", 13, "expected ')' to close the '(' at column 1")]
    [InlineData("PID.3 = 'a')", 12, "found ')'")]
    [InlineData("PID.3 = 'abc", 9, "unterminated string")]
    [InlineData("PID.3 = \"abc\\\"", 9, "unterminated string")]
    [InlineData("PI.3 = 'a'", 1, "'PI.3' is neither a keyword nor an HL7 key")]
    [InlineData("PID.3 = PID.x", 9, "'PID.x' is neither")]
    [InlineData("PID.0 = 'a'", 1, "is neither")]
    [InlineData("PID.3.1.2.3 = 'a'", 1, "is neither")]
    [InlineData("PID[0].3 = 'a'", 1, "is neither")]
    [InlineData("PID.3[2 = 'a'", 1, "is neither")]
    [InlineData("PID.3 == 'a'", 8, "expected an HL7 key, a string or a number, found '='")]
    [InlineData("PID.3 ! 'a'", 7, "unexpected '!'")]
    [InlineData("PID.3 = 'a' # x", 13, "unexpected character '#'")]
    [InlineData("PID.3 = 1.2.3", 9, "malformed number")]
    [InlineData("PID.3 = 12abc", 9, "malformed number")]
    [InlineData("PID.3 = 1.", 9, "malformed number")]
    [InlineData("PID.3 is", 9, "expected 'empty' after 'is'")]
    [InlineData("PID.3 is not 'x'", 14, "expected 'empty' after 'is not'")]
    [InlineData("PID.3 not = 'x'", 11, "expected 'contains', 'startswith', 'matches' or 'in' after 'not'")]
    [InlineData("PID.3 in 'a'", 10, "expected '(' after 'in'")]
    [InlineData("PID.3 in ()", 11, "expected a string or number in the 'in' list")]
    [InlineData("PID.3 in ('a' 'b')", 15, "expected ',' or ')'")]
    [InlineData("PID.3 in ('a', PID.4)", 16, "expected a string or number")]
    [InlineData("PID.3 matches PID.4", 15, "expected a quoted regular expression")]
    [InlineData("PID.3 matches '(unclosed'", 15, "invalid regular expression")]
    [InlineData("and PID.3 is empty", 1, "expected an HL7 key")]
    [InlineData("PID.3.1 is", 11, "expected 'empty' after 'is', found the end of the expression")]
    [InlineData("(MSH.9.1 = 'ORU' or MSH.9.1 = 'ORM'", 36, "expected ')' to close the '(' at column 1, found the end of the expression")]
    [InlineData("PID.3 = 'it' 's'", 14, "found a string")]
    public void Parse_MalformedExpression_ThrowsWithRuleNameAndColumn(string expression, int column, string reason)
    {
        var act = () => Hl7Rule.Parse("my rule", expression, Hl7ErrorCode.OtherError, "text");

        var error = act.Should().Throw<Hl7RuleSyntaxException>().Which;
        error.RuleName.Should().Be("my rule");
        error.Column.Should().Be(column);
        error.Reason.Should().Contain(reason);
        error.Message.Should().StartWith("Rule 'my rule': ").And.EndWith($" at column {column}.");
    }

    [Fact]
    public void Parse_ErrorCodeZeroOrUnknown_Throws()
    {
        var zero = () => Hl7Rule.Parse("r", "PID.3 is empty", Hl7ErrorCode.MessageAccepted, "t");
        var unknown = () => Hl7Rule.Parse("r", "PID.3 is empty", (Hl7ErrorCode)150, "t");

        zero.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("errorCode");
        unknown.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("errorCode");
    }

    [Fact]
    public void Parse_NonPositiveTimeout_Throws()
    {
        var act = () => Hl7Rule.Parse("r", "PID.3 is empty", Hl7ErrorCode.OtherError, "t", matchTimeout: TimeSpan.Zero);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("matchTimeout");
    }

    [Fact]
    public void Parse_NullArguments_Throw()
    {
        ((Action)(() => Hl7Rule.Parse(null!, "a = 'b'", Hl7ErrorCode.OtherError, "t"))).Should().Throw<ArgumentNullException>();
        ((Action)(() => Hl7Rule.Parse("r", null!, Hl7ErrorCode.OtherError, "t"))).Should().Throw<ArgumentNullException>();
        ((Action)(() => Hl7Rule.Parse("r", "PID.3 is empty", Hl7ErrorCode.OtherError, null!))).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Matches_CatastrophicRegex_ThrowsTimeout()
    {
        var rule = Hl7Rule.Parse("slow", "OBX.5 matches '^(a+)+$'", Hl7ErrorCode.OtherError, "t", matchTimeout: TimeSpan.FromMilliseconds(1));
        var message = Hl7Message.Parse("MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\rOBX|1|ST|X||" + new string('a', 40) + "!");

        var act = () => rule.Matches(message);

        act.Should().Throw<RegexMatchTimeoutException>();
    }

    [Theory]
    [InlineData("PID.3 Patient ID is required", "PID", 1, 3, 0, 0, 0)]
    [InlineData("  OBX[2].5: value out of range", "OBX", 2, 5, 0, 0, 0)]
    [InlineData("PID.3[2].4.1 bad authority", "PID", 1, 3, 2, 4, 1)]
    [InlineData("PID-3 is required", "PID", 1, 3, 0, 0, 0)]
    [InlineData("pid.3 lower case", "PID", 1, 3, 0, 0, 0)]
    public void Location_TextStartsWithKey_LocatesFinding(string text, string segment, int occurrence, int field, int repetition, int component, int subcomponent)
    {
        var rule = Hl7Rule.Parse("r", "PID.3 is empty", Hl7ErrorCode.RequiredFieldMissing, text);

        var place = new Place(segment, occurrence, field, repetition, component, subcomponent);
        rule.Error.Should().Be(Finding.Of(Hl7ErrorCode.RequiredFieldMissing, text, place));
    }

    [Theory]
    [InlineData("Patient ID is required")]
    [InlineData("")]
    [InlineData("MSH segment only")]
    [InlineData("PID.0 no field zero")]
    public void Location_TextWithoutKey_HasNoLocation(string text)
    {
        var rule = Hl7Rule.Parse("r", "PID.3 is empty", Hl7ErrorCode.RequiredFieldMissing, text);

        rule.Error.Place().Should().Be(Place.None);
        rule.Error.Location.Should().BeEmpty();
    }

    [Fact]
    public void FromPredicate_CodeCondition_EvaluatesAndKeepsCodeTextSeverity()
    {
        var rule = Hl7Rule.FromPredicate(
            "two ids",
            m => m.GetValue("PID.3[2].1").Length > 0,
            Hl7ErrorCode.DuplicateKeyIdentifier,
            "PID.3 more than one identifier",
            Hl7Severity.Warning);

        rule.Matches(Message).Should().BeTrue();
        rule.Expression.Should().BeNull();
        var finding = rule.Error;
        finding.Code.Should().Be(Hl7ErrorCode.DuplicateKeyIdentifier);
        finding.Severity.Should().Be(Hl7Severity.Warning);
        finding.SeverityCode.Should().Be('W');
        finding.IsRejection.Should().BeFalse();
        finding.Place().Should().Be(new Place("PID", 1, 3));
    }

    [Fact]
    public void Parse_Properties_AreKept()
    {
        var rule = Hl7Rule.Parse("name", "PID.3 is empty", Hl7ErrorCode.RequiredFieldMissing, "PID.3 required", Hl7Severity.Fatal);

        rule.Name.Should().Be("name");
        rule.Expression.Should().Be("PID.3 is empty");
        rule.Error.Code.Should().Be(Hl7ErrorCode.RequiredFieldMissing);
        rule.Error.Text.Should().Be("PID.3 required");
        rule.Error.Severity.Should().Be(Hl7Severity.Fatal);
        rule.Error.SeverityCode.Should().Be('F');
        rule.Error.IsRejection.Should().BeTrue();
    }
}
