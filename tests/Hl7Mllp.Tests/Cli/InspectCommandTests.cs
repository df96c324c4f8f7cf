using System.Text.Json;
using Hl7Mllp.Cli;
using Hl7Mllp.Cli.Commands;
using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Corpus;

namespace Hl7Mllp.Tests.Cli;

public class InspectCommandTests
{
    private static readonly string[] JsonKeys =
    [
        "file", "index", "valid", "error", "errorCode", "fieldSeparator", "encodingCharacters", "msh9", "controlId",
        "processingId", "version", "messageType", "triggerEvent", "charset", "segments", "values",
    ];

    private static readonly Lazy<(int ExitCode, List<JsonElement> Lines)> WholeCorpus = new(() =>
    {
        (int exitCode, string output, _) = Run(["inspect", "--json", "--get", "PID.3.1", "--get", "MSH.9.2", .. CorpusLocator.MessageFiles().Select(CorpusLocator.PathOf)]);
        return (exitCode, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList());
    });

    public static TheoryData<string> SingleValidMessages() =>
        [.. ExpectedTsv.All.Where(e => e.Valid && e.Messages == 1).Select(e => e.File)];

    public static TheoryData<string> AllFiles() => [.. ExpectedTsv.All.Select(e => e.File)];

    [Theory]
    [MemberData(nameof(SingleValidMessages))]
    public void Inspect_ValidSingleMessageFile_PrintsExpectedFacts(string file)
    {
        CorpusEntry expected = ExpectedTsv.Of(file);

        JsonElement line = LinesOf(file).Should().ContainSingle().Subject;

        line.GetProperty("index").GetInt32().Should().Be(0);
        line.GetProperty("valid").GetBoolean().Should().BeTrue(line.GetProperty("error").ToString());
        line.GetProperty("error").ValueKind.Should().Be(JsonValueKind.Null);
        line.GetProperty("errorCode").ValueKind.Should().Be(JsonValueKind.Null);
        line.GetProperty("fieldSeparator").GetString().Should().Be(expected.FieldSeparator);
        line.GetProperty("encodingCharacters").GetString().Should().Be(expected.EncodingCharacters);
        line.GetProperty("msh9").GetString().Should().Be(expected.Msh9);
        line.GetProperty("controlId").GetString().Should().Be(expected.Msh10);
        line.GetProperty("processingId").GetString().Should().Be(expected.Msh11);
        line.GetProperty("version").GetString().Should().Be(expected.Msh12);
        line.GetProperty("charset").GetString().Should().Be(expected.Msh18 ?? string.Empty);
        line.GetProperty("segments").GetInt32().Should().Be(expected.Segments);
        line.GetProperty("values").GetProperty("MSH.9.2").GetString().Should().Be(line.GetProperty("triggerEvent").GetString());
    }

    [Theory]
    [MemberData(nameof(AllFiles))]
    public void Inspect_AnyFile_PrintsOneLinePerMessageWithExactKeysAndExpectedValidity(string file)
    {
        CorpusEntry expected = ExpectedTsv.Of(file);

        List<JsonElement> lines = LinesOf(file);

        lines.Should().HaveCount(Math.Max(1, expected.Messages));
        lines.Select(l => l.GetProperty("index").GetInt32()).Should().Equal(Enumerable.Range(0, lines.Count));
        lines.Sum(l => l.GetProperty("segments").GetInt32()).Should().Be(expected.Segments);
        foreach (JsonElement line in lines)
        {
            line.EnumerateObject().Select(p => p.Name).Should().Equal(JsonKeys);
            bool valid = line.GetProperty("valid").GetBoolean();
            line.GetProperty("error").ValueKind.Should().Be(valid ? JsonValueKind.Null : JsonValueKind.String);
            line.GetProperty("errorCode").ValueKind.Should().Be(valid ? JsonValueKind.Null : JsonValueKind.Number);
            line.GetProperty("values").EnumerateObject().Select(p => p.Name).Should().Equal("PID.3.1", "MSH.9.2");
        }

        lines.All(l => l.GetProperty("valid").GetBoolean()).Should().Be(expected.Valid);
    }

    [Fact]
    public void Inspect_WholeCorpus_ExitsOneBecauseSomeAreInvalid() => WholeCorpus.Value.ExitCode.Should().Be(1);

    [Fact]
    public void Inspect_OnlyValidFiles_ExitsZeroAndPrintsTable()
    {
        string[] files = [.. ExpectedTsv.All.Where(e => e.Valid).Take(3).Select(e => CorpusLocator.PathOf(e.File))];

        (int exitCode, string output, string error) = Run(["inspect", "--get", "MSH.10", .. files]);

        exitCode.Should().Be(0, error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCountGreaterThan(files.Length);
        lines[0].Should().StartWith("FILE").And.Contain("VALID");
        lines[1].Should().Contain(Path.GetFileName(files[0])).And.Contain(" yes ").And.Contain("MSH.10=");
    }

    [Fact]
    public void Inspect_MalformedFile_TableShowsCodeAndReason()
    {
        (int exitCode, string output, _) = Run(["inspect", CorpusLocator.PathOf("malformed_enc3_hl7dotnetcore_01.hl7")]);

        exitCode.Should().Be(1);
        output.Should().Contain(" no ").And.Contain("102: MSH-2 encoding characters are incomplete at byte 4 (3 of 4)");
    }

    [Fact]
    public void Inspect_EmptyFile_IsInvalid()
    {
        using var temp = new TempDirectory("inspect");
        string path = temp.Combine("empty.hl7");
        File.WriteAllBytes(path, []);

        (int exitCode, string output, _) = Run(["inspect", "--json", path]);

        exitCode.Should().Be(1);
        JsonElement line = JsonDocument.Parse(output).RootElement;
        line.GetProperty("valid").GetBoolean().Should().BeFalse();
        line.GetProperty("errorCode").GetInt32().Should().Be(100);
        line.GetProperty("segments").GetInt32().Should().Be(0);
    }

    [Theory]
    [InlineData("inspect")]
    [InlineData("inspect", "--json")]
    [InlineData("inspect", "--bogus", "x.hl7")]
    [InlineData("inspect", "--get", "PID", "{corpus}")]
    [InlineData("inspect", "{corpus}", "/nonexistent/file.hl7")]
    [InlineData("nosuchcommand")]
    public void Run_UsageError_ExitsTwo(params string[] args)
    {
        string corpusFile = CorpusLocator.PathOf("adt_a01_v23_pyhl7_01.hl7");

        (int exitCode, string output, string error) = Run([.. args.Select(a => a.Replace("{corpus}", corpusFile, StringComparison.Ordinal))]);

        exitCode.Should().Be(CliApp.UsageError);
        output.Should().BeEmpty();
        error.Should().NotBeEmpty();
    }

    private static List<JsonElement> LinesOf(string file)
    {
        string path = CorpusLocator.PathOf(file);
        return WholeCorpus.Value.Lines.Where(l => l.GetProperty("file").GetString() == path).ToList();
    }

    private static (int ExitCode, string Output, string Error) Run(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = CliApp.Run(args, output, error, [InspectCommand.Create()]);
        return (exitCode, output.ToString(), error.ToString());
    }
}
