using System.Text;
using Hl7Mllp.Messages;
using Hl7Mllp.Testing.Corpus;

namespace Hl7Mllp.Tests.Messages;

/// <summary>Every file of the shared corpus, read in place, against its row in expected.tsv.</summary>
public class Hl7MessageCorpusTests
{
    /// <summary>Malformed files that still parse as ER7: what makes them invalid is found by <see cref="Hl7MessageChecks"/>.</summary>
    private static readonly HashSet<string> ParseableMalformed =
    [
        // One line: the segments were joined with spaces, so it is a (long) MSH with " EVN|" inside a field.
        "malformed_space_joined_nodehl7_01.hl7",
    ];

    public static TheoryData<string> SingleValidMessages() =>
        [.. ExpectedTsv.SingleValidMessages];

    public static TheoryData<string> InvalidFiles() => [.. ExpectedTsv.All.Where(e => !e.Valid).Select(e => e.File)];

    public static TheoryData<string> MalformedFiles() => [.. ExpectedTsv.All.Where(e => e.IsMalformed).Select(e => e.File)];

    public static TheoryData<string> BatchFiles() => [.. ExpectedTsv.All.Where(e => e.IsBatch).Select(e => e.File)];

    public static TheoryData<string> AllFiles() => [.. CorpusLocator.MessageFiles()];

    [Fact]
    public void ExpectedTsv_CoversEveryCorpusFile()
    {
        ExpectedTsv.All.Select(e => e.File).Should().BeEquivalentTo(CorpusLocator.MessageFiles());
        ExpectedTsv.All.Should().Contain(e => e.Valid && e.Messages == 1);
    }

    [Theory]
    [MemberData(nameof(SingleValidMessages))]
    public void Parse_ValidMessage_MatchesExpectedFacts(string file)
    {
        CorpusEntry expected = ExpectedTsv.Of(file);

        Hl7Message message = Hl7Message.Parse(CorpusLocator.ReadBytes(file));

        Facts(message).Should().Be(Facts(expected));
        Hl7MessageChecks.TryCheck(message, out Hl7ParseError error).Should().BeTrue(error.ToString());
        Hl7Batch.Split(CorpusLocator.ReadBytes(file)).Messages.Should().ContainSingle();
    }

    [Theory]
    [MemberData(nameof(BatchFiles))]
    public void Split_BatchFile_YieldsExpectedMessagesAndSegments(string file)
    {
        CorpusEntry expected = ExpectedTsv.Of(file);

        Hl7Batch batch = Hl7Batch.Split(CorpusLocator.ReadBytes(file));

        batch.Messages.Should().HaveCount(expected.Messages);
        var messages = batch.Messages.Select(m => Hl7Message.Parse(m)).ToList();
        (messages.Sum(m => m.SegmentCount) + batch.EnvelopeSegmentCount).Should().Be(expected.Segments);
        Facts(messages[0]).Should().Be(Facts(expected) with { Segments = messages[0].SegmentCount });
        bool valid = batch.Problems.Count == 0 && messages.All(m => Hl7MessageChecks.TryCheck(m, out _));
        valid.Should().Be(expected.Valid, string.Join("; ", batch.Problems));
    }

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public void Inspect_InvalidFile_IsFlaggedWithReasonWithoutContent(string file)
    {
        byte[] bytes = CorpusLocator.ReadBytes(file);
        Hl7Batch batch = Hl7Batch.Split(bytes);
        var errors = new List<Hl7ParseError>(batch.Problems);
        foreach (ReadOnlyMemory<byte> slice in batch.Messages)
        {
            if (!Hl7Message.TryParse(slice, out Hl7Message message, out Hl7ParseError error))
            {
                errors.Add(error);
            }
            else if (!Hl7MessageChecks.TryCheck(message, out error))
            {
                errors.Add(error);
            }
        }

        errors.Should().NotBeEmpty();
        errors.Should().OnlyContain(e => e.IsError && e.Reason.Length > 0 && e.Position >= 0 && e.Position <= bytes.Length);
        string text = Encoding.Latin1.GetString(bytes);
        foreach (Hl7ParseError error in errors)
        {
            // No content: every word of the reason longer than three letters is from our vocabulary, not the file.
            foreach (string word in error.Reason.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length > 4 && w.All(char.IsAsciiLetter)))
            {
                Vocabulary.Should().Contain(word.ToLowerInvariant(), $"'{word}' in \"{error.Reason}\" could be message content");
            }
        }
    }

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Parse_MalformedFile_ThrowsParseExceptionUnlessDocumented(string file)
    {
        byte[] bytes = CorpusLocator.ReadBytes(file);

        bool parsed = Hl7Message.TryParse(bytes, out _, out Hl7ParseError error);

        parsed.Should().Be(ParseableMalformed.Contains(file), error.ToString());
        if (!parsed)
        {
            FluentActions.Invoking(() => Hl7Message.Parse(bytes)).Should().Throw<Hl7ParseException>().Which.ErrorCode.Should().Be(error.ErrorCode);
        }
    }

    [Theory]
    [MemberData(nameof(AllFiles))]
    public void Parse_AnyFile_ReadsEveryKeyWithoutException(string file)
    {
        byte[] bytes = CorpusLocator.ReadBytes(file);
        foreach (ReadOnlyMemory<byte> slice in Hl7Batch.Split(bytes).Messages)
        {
            if (!Hl7Message.TryParse(slice, out Hl7Message message, out _))
            {
                continue;
            }

            int fields = 0;
            foreach (Hl7Segment segment in message.Segments)
            {
                foreach (Hl7Value field in segment.Fields)
                {
                    fields++;
                    _ = field.ToString();
                    foreach (Hl7Value repetition in field.Repetitions)
                    {
                        foreach (Hl7Value component in repetition.Components)
                        {
                            _ = component.ToString();
                        }
                    }
                }
            }

            fields.Should().BeGreaterThan(message.SegmentCount);
            message.GetValue("PID.3[2].1").Should().NotBeNull();
            message.GetValue("OBX[3].5").Should().NotBeNull();
        }
    }

    private static readonly HashSet<string> Vocabulary =
    [
        "segment", "missing", "field", "separator", "valid", "delimiter", "encoding", "characters", "incomplete",
        "distinct", "character", "message", "control", "empty", "processing", "version", "second", "header", "split",
        "batches", "batch", "declares", "messages", "there", "closed", "first", "closes", "before", "previous", "opens",
        "follows", "count", "comes", "type", "replaced", "space", "terminator", "least", "most",
    ];

    private static HeaderFacts Facts(Hl7Message message)
    {
        string Raw(string key) => message.Encoding.GetString(message.GetRawValue(Hl7Key.Parse(key)).Span);
        return new HeaderFacts(Raw("MSH.1"), Raw("MSH.2"), Raw("MSH.9"), Raw("MSH.10"), Raw("MSH.11"), Raw("MSH.12"), message.SegmentCount);
    }

    private static HeaderFacts Facts(CorpusEntry entry) =>
        new(entry.FieldSeparator, entry.EncodingCharacters, entry.Msh9, entry.Msh10, entry.Msh11, entry.Msh12, entry.Segments);

    private sealed record HeaderFacts(string? FieldSeparator, string? EncodingCharacters, string? Msh9, string? Msh10, string? Msh11, string? Msh12, int Segments);
}
