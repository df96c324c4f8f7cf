using Hl7Mllp.Diagnostics;
using Hl7Mllp.Messages;
using Hl7Mllp.Validation;
using Microsoft.Extensions.Logging;
using Hl7Mllp.Testing;

namespace Hl7Mllp.Tests.Validation;

public class Hl7RuleSetTests
{
    private static readonly Hl7Message Adt = Hl7Message.Parse(
        "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|CTRL1|T|2.5.1\rPID|1||||DOE^JOHN");

    [Fact]
    public void FromJson_ValidFile_ParsesEveryRule()
    {
        const string json = """
            [
              // comments and trailing commas are allowed
              { "name": "patient id", "when": "PID.3 is empty", "code": 101, "text": "PID.3 Patient ID is required" },
              { "when": "MSH.11 <> 'P'", "code": 202, "text": "Production only", "severity": "w" },
            ]
            """;

        var set = Hl7RuleSet.FromJson(json);

        set.Rules.Should().HaveCount(2);
        set.Rules[0].Name.Should().Be("patient id");
        set.Rules[0].Error.Code.Should().Be(Hl7ErrorCode.RequiredFieldMissing);
        set.Rules[0].Error.Place().Should().Be(new Place("PID", 1, 3));
        set.Rules[1].Name.Should().Be("rule 2");
        set.Rules[1].Error.Severity.Should().Be(Hl7Severity.Warning);
    }

    [Fact]
    public void FromJson_DocumentationExample_ParsesAndEvaluates()
    {
        // The example of docs/rules.md, verbatim.
        var set = Hl7RuleSet.FromJson("""
            [
              // rejected with AE 101, located at PID-3
              { "name": "patient id", "when": "PID.3.1 is empty", "code": 101, "text": "PID.3 Patient ID is required" },
              { "name": "lab results only", "when": "MSH.9.1 <> 'ORU' or MSH.9.2 not in ('R01', 'R30')",
                "code": 200, "text": "MSH.9 Only ORU^R01 and ORU^R30 are accepted" },
              { "name": "numeric results", "when": "OBX.2 = 'NM' and OBX.5 not matches '^-?\\d+(\\.\\d+)?$'",
                "code": 102, "text": "OBX.5 Numeric result expected" },
              { "name": "old test data", "when": "MSH.7 < '20200101'", "code": 207, "text": "Message too old", "severity": "W" }
            ]
            """);
        var good = Hl7Message.Parse("MSH|^~\\&|A|B|C|D|20240101||ORU^R01|1|P|2.5.1\rPID|1||123\rOBX|1|NM|X||-12.50");
        var bad = Hl7Message.Parse("MSH|^~\\&|A|B|C|D|20190101||ADT^A01|1|P|2.5.1\rPID|1\rOBX|1|NM|X||12.5.0");
        var findings = new List<Hl7Error>();

        set.Evaluate(good, findings).Should().Be(0);
        set.Evaluate(bad, findings).Should().Be(4);

        findings.Select(f => ((int)f.Code, f.Location, f.SeverityCode)).Should().Equal(
            (101, "PID.3", 'E'), (200, "MSH.9", 'E'), (102, "OBX.5", 'E'), (207, string.Empty, 'W'));
    }

    [Fact]
    public void Evaluate_TwoRulesMatch_AddsBothFindingsInOrder()
    {
        var set = Hl7RuleSet.FromJson("""
            [
              { "name": "a", "when": "PID.3 is empty", "code": 101, "text": "PID.3 Patient ID is required" },
              { "name": "b", "when": "MSH.9.1 = 'ORU'", "code": 200, "text": "never" },
              { "name": "c", "when": "MSH.11 not in ('P')", "code": 202, "text": "MSH.11 Production only" }
            ]
            """);
        var findings = new List<Hl7Error>();

        var added = set.Evaluate(Adt, findings);

        added.Should().Be(2);
        findings.Should().Equal(
            Finding.Of(Hl7ErrorCode.RequiredFieldMissing, "PID.3 Patient ID is required", new Place("PID", 1, 3)),
            Finding.Of(Hl7ErrorCode.UnsupportedProcessingId, "MSH.11 Production only", new Place("MSH", 1, 11)));
    }

    [Fact]
    public void Evaluate_NoRuleMatches_AddsNothing()
    {
        var set = new Hl7RuleSet([Hl7Rule.Parse("r", "MSH.9.1 = 'ORU'", Hl7ErrorCode.UnsupportedMessageType, "t")]);
        var findings = new List<Hl7Error>();

        set.Evaluate(Adt, findings).Should().Be(0);

        findings.Should().BeEmpty();
    }

    [Fact]
    public void Evaluate_RegexTimesOut_Gives207AndLogsAndEvaluatesTheRest()
    {
        using var logger = new ListLoggerFactory();
        var set = new Hl7RuleSet(
            [
                Hl7Rule.Parse("slow", "PID.5 matches '^(a+)+$'", Hl7ErrorCode.OtherError, "PID.5 bad name", matchTimeout: TimeSpan.FromMilliseconds(1)),
                Hl7Rule.Parse("after", "PID.3 is empty", Hl7ErrorCode.RequiredFieldMissing, "PID.3 required"),
            ],
            logger);
        var message = Hl7Message.Parse("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5.1\rPID|1||||" + new string('a', 40) + "!");
        var findings = new List<Hl7Error>();

        set.Evaluate(message, findings);

        findings.Should().HaveCount(2);
        findings[0].Code.Should().Be(Hl7ErrorCode.ApplicationInternalError);
        findings[0].Text.Should().Be("Rule 'slow' could not be evaluated in time");
        findings[0].Place().Should().Be(new Place("PID", 1, 5));
        findings[1].Code.Should().Be(Hl7ErrorCode.RequiredFieldMissing);
        logger.Entries.Should().ContainSingle(e => e.EventId.Id == Hl7MllpEventIds.RuleMatchTimedOut && e.Level == LogLevel.Warning)
            .Which.Message.Should().Contain("slow").And.NotContain("aaaa");
    }

    [Theory]
    [InlineData("{", "not a JSON array of rules (line 1")]
    [InlineData("{}", "not a JSON array of rules")]
    [InlineData("null", "the rules file is null")]
    [InlineData("[null]", "Rule 'rule 1': the rule has no \"when\" expression")]
    [InlineData("[{\"code\":101,\"text\":\"t\"}]", "Rule 'rule 1': the rule has no \"when\"")]
    [InlineData("[{\"when\":\"PID.3 is empty\",\"text\":\"t\"}]", "\"code\" must be a non-zero HL7 table 0357 error code")]
    [InlineData("[{\"when\":\"PID.3 is empty\",\"code\":0,\"text\":\"t\"}]", "\"code\" must be")]
    [InlineData("[{\"when\":\"PID.3 is empty\",\"code\":150,\"text\":\"t\"}]", "\"code\" must be")]
    [InlineData("[{\"when\":\"PID.3 is empty\",\"code\":101}]", "the rule has no \"text\"")]
    [InlineData("[{\"when\":\"PID.3 is empty\",\"code\":101,\"text\":\"t\",\"severity\":\"X\"}]", "\"severity\" must be E, W, I or F")]
    [InlineData("[{\"when\":\"PID.3 is empty\",\"code\":101,\"text\":\"t\",\"colour\":\"red\"}]", "not a JSON array of rules")]
    [InlineData("[{\"name\":\"x\",\"when\":\"PID.3 is\",\"code\":101,\"text\":\"t\"}]", "Rule 'x': expected 'empty' after 'is', found the end of the expression at column 9.")]
    public void FromJson_Malformed_ThrowsClearError(string json, string message)
    {
        var act = () => Hl7RuleSet.FromJson(json);

        act.Should().Throw<Hl7RuleSyntaxException>().Which.Message.Should().Contain(message);
    }

    [Fact]
    public void LoadFile_File_ReadsRules()
    {
        using var temp = new TempDirectory("rules");
        string path = temp.Combine("rules.json");
        File.WriteAllText(path, """[{ "when": "PID.3 is empty", "code": 101, "text": "PID.3 required" }]""");

        Hl7RuleSet.LoadFile(path).Rules.Should().ContainSingle().Which.Expression.Should().Be("PID.3 is empty");
    }

    [Fact]
    public void LoadFile_Missing_ThrowsIOException()
    {
        using var temp = new TempDirectory("rules");
        var act = () => Hl7RuleSet.LoadFile(temp.Combine("missing.json"));

        act.Should().Throw<IOException>();
    }

    [Fact]
    public void Evaluate_NoMatch_AllocatesNothing()
    {
        var set = Hl7RuleSet.FromJson("""
            [
              { "when": "MSH.9.1 = 'ADT' and (OBX.5 > 100 or OBX.5 <= -1.5)", "code": 102, "text": "t" },
              { "when": "PID.8 in ('X','Y') or PID.8 is empty or not PID.8 is not empty", "code": 103, "text": "t" },
              { "when": "MSH.10 contains 'zz' or MSH.10 startswith 'zz' or MSH.10 matches '^zz'", "code": 199, "text": "t" }
            ]
            """);
        var values = Hl7Message.Parse("MSH|^~\\&|A|B|C|D|20240101||ORU^R01|CTRL1|P|2.5.1\rPID|1|||||||M\rOBX|1|NM|X||42.5");
        var findings = new List<Hl7Error>();
        set.Evaluate(values, findings);

        var before = GC.GetAllocatedBytesForCurrentThread();
        set.Evaluate(values, findings);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        findings.Should().BeEmpty();
        allocated.Should().Be(0);
    }

    [Fact]
    public void Constructor_NullRule_Throws()
    {
        var act = () => new Hl7RuleSet([null!]);

        act.Should().Throw<ArgumentNullException>();
    }

    private sealed class ListLoggerFactory : ILoggerFactory
    {
        public List<(EventId EventId, LogLevel Level, string Message)> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new ListLogger(Entries);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private sealed class ListLogger(List<(EventId, LogLevel, string)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Add((eventId, logLevel, formatter(state, exception)));
        }
    }
}
