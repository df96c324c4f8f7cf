using System.CommandLine;
using Hl7Mllp.Cli.Commands;
using Hl7Mllp.Messages;
using Hl7Mllp.Testing.Corpus;
using Hl7Mllp.Testing;

namespace Hl7Mllp.Tests.Cli;

public class AckCommandTests
{
    [Fact]
    public void Ack_ValidMessage_PrintsAaAckWithSegmentsOnLines()
    {
        (int exitCode, string output, string error) = Run("ack", Corpus("adt_a01_v23_pyhl7_01.hl7"));

        exitCode.Should().Be(0, error);
        string[] lines = output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2);
        lines[0].Should().MatchRegex(@"^MSH\|\^~\\&\|AIG\|\|HNAM_PM\|HNA500\|[0-9]{14}\|\|ACK\^A01\|[0-9]{16,20}\|P\|2\.3$");
        lines[1].Should().Be("MSA|AA|Q150084616T145947960");
        output.Should().NotContain("\r");
    }

    [Fact]
    public void Ack_ErrorsWithoutCode_UsesFirstErrorToDecideAndWritesErr()
    {
        (int exitCode, string output, _) = Run("ack", Corpus("oru_r01_v251_nodehl7_01.hl7"), "--error", "207:Store offline", "--error", "101:Required field missing:PID.3");

        exitCode.Should().Be(0);
        string[] lines = output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines[1].Should().Be("MSA|AR|NIST-100929110701660");
        lines[2].Should().Be("ERR||^^^^^|207|E||||Store offline");
        lines[3].Should().Be("ERR||PID^1^3^^^|101|E||||Required field missing");
    }

    [Fact]
    public void Ack_RawWithTemplatesAndTimeZone_WritesExactBytes()
    {
        (int exitCode, string output, _) = Run(
            "ack", Corpus("adt_a01_v23_pyhl7_01.hl7"), "--raw", "--tz", "--code", "AE", "--error", "102:Bad | date:PID.7",
            "--msh-template", "MSH|^~\\&|ME|HERE|||||ACK||P|2.3", "--err-template", "ERR|%sid^%q^%f^%code&%text");

        exitCode.Should().Be(0);
        string[] segments = output.Split('\r');
        segments.Should().HaveCount(4);
        segments[3].Should().BeEmpty();
        Hl7Message ack = Hl7Message.Parse(output);
        ack.GetValue("MSH.3").Should().Be("ME");
        ack.GetValue("MSH.7").Should().MatchRegex(@"^[0-9]{14}[+-][0-9]{4}$");
        ack.GetValue("MSH.9").Should().Be("ACK^A01");
        ack.TriggerEvent.Should().Be("A01");
        ack.GetValue("MSA.1").Should().Be("AE");
        segments[2].Should().Be("ERR|PID^1^7^102&Bad \\F\\ date");
    }

    [Fact]
    public void Ack_EnhancedModeBatchFile_PrintsOneCommitAckPerMessage()
    {
        (int exitCode, string output, _) = Run("ack", Corpus("batch_fhs_v251_prs_04.hl7"));

        exitCode.Should().Be(0);
        output.Split(Environment.NewLine).Count(l => l.StartsWith("MSA|CA|", StringComparison.Ordinal)).Should().Be(20);
    }

    [Fact]
    public void Ack_UnparseableFile_PrintsNakWithParseErrorCode()
    {
        (int exitCode, string output, _) = Run("ack", Corpus("malformed_enc3_hl7dotnetcore_01.hl7"));

        exitCode.Should().Be(0);
        string[] lines = output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines[1].Should().StartWith("MSA|AE|23");
        lines[2].Should().StartWith("ERR|^^^102&");
    }

    [Theory]
    [InlineData("--code", "XX")]
    [InlineData("--error", "abc:text")]
    [InlineData("--err-template", "BAD|%code")]
    public void Ack_BadOption_IsUsageError(string option, string value)
    {
        (int exitCode, string output, string error) = Run("ack", Corpus("adt_a01_v23_pyhl7_01.hl7"), option, value);

        exitCode.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().StartWith("hl7mllp ack:");
    }

    [Fact]
    public void Ack_MissingFile_IsUsageError()
    {
        using var temp = new TempDirectory("ack");
        (int exitCode, _, string error) = Run("ack", temp.Combine("missing.hl7"));

        exitCode.Should().Be(2);
        error.Should().Contain("cannot read");
    }

    private static string Corpus(string file) => CorpusLocator.PathOf(file);

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var root = new RootCommand { AckCommand.Create() };
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
