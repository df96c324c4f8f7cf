using System.Text;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Tests.Messages;

public class Hl7BatchTests
{
    private const string Message1 = "MSH|^~\\&|A||||||ADT^A01|C1|P|2.5\rPID|1||M1\r";
    private const string Message2 = "MSH|^~\\&|A||||||ADT^A08|C2|P|2.5\rPID|1||M2\rPV1|1\r";

    private static Hl7Batch Split(string text) => Hl7Batch.Split(Encoding.UTF8.GetBytes(text));

    private static List<string> ControlIds(Hl7Batch batch) =>
        batch.Messages.Select(m => Hl7Message.Parse(m).ControlId).ToList();

    [Fact]
    public void Split_FullEnvelope_YieldsMessagesAndNoProblems()
    {
        Hl7Batch batch = Split($"FHS|^~\\&|A\rBHS|^~\\&|A\r{Message1}{Message2}BTS|2\rFTS|1\r");

        ControlIds(batch).Should().Equal("C1", "C2");
        batch.Problems.Should().BeEmpty();
        batch.HasEnvelope.Should().BeTrue();
        batch.EnvelopeSegmentCount.Should().Be(4);
        batch.LeadingEnvelopeSegmentCount.Should().Be(2);
        batch.BatchCount.Should().Be(1);
        Hl7Message.Parse(batch.Messages[1]).SegmentCount.Should().Be(3);
    }

    [Fact]
    public void Split_BackToBackWithLineFeeds_YieldsEachMessage()
    {
        Hl7Batch batch = Split((Message1 + "\n" + Message2).Replace('\r', '\n'));

        ControlIds(batch).Should().Equal("C1", "C2");
        batch.Problems.Should().BeEmpty();
        batch.HasEnvelope.Should().BeFalse();
    }

    [Fact]
    public void Split_SingleMessageWithBom_YieldsItWithoutBom()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Message1)];

        Hl7Batch batch = Hl7Batch.Split(bytes);

        batch.Messages.Should().ContainSingle();
        batch.Messages[0].Span[0].Should().Be((byte)'M');
    }

    [Fact]
    public void Split_EmptyBatch_IsValid()
    {
        Hl7Batch batch = Split("FHS|^~\\&\rBHS|^~\\&\rBTS|0\rFTS|1\r");

        batch.Messages.Should().BeEmpty();
        batch.Problems.Should().BeEmpty();
    }

    [Fact]
    public void Split_EmptyInput_YieldsNothing() => Split("").Messages.Should().BeEmpty();

    [Fact]
    public void Split_BtsCountDisagrees_ReportsCardinality()
    {
        Hl7Batch batch = Split($"BHS|^~\\&\r{Message1}{Message2}BTS|3\r");

        batch.Messages.Should().HaveCount(2);
        batch.Problems.Should().ContainSingle().Which.Should().Match<Hl7ParseError>(p =>
            p.ErrorCode == Hl7ErrorCode.NonConformantCardinality && p.Reason.StartsWith("BTS-1 at byte") && p.Reason.EndsWith("declares 3 messages but there are 2"));
    }

    [Fact]
    public void Split_FtsCountDisagrees_ReportsCardinality()
    {
        Hl7Batch batch = Split($"FHS|^~\\&\rBHS|^~\\&\r{Message1}BTS|1\rBHS|^~\\&\r{Message2}BTS|1\rFTS|1\r");

        batch.Messages.Should().HaveCount(2);
        batch.BatchCount.Should().Be(2);
        batch.Problems.Should().ContainSingle().Which.Reason.Should().EndWith("declares 1 batches but there are 2");
    }

    [Fact]
    public void Split_CountNotANumber_ReportsDataTypeError()
    {
        Hl7Batch batch = Split($"BHS|^~\\&\r{Message1}BTS|one\r");

        batch.Problems.Should().ContainSingle().Which.ErrorCode.Should().Be(Hl7ErrorCode.DataTypeError);
    }

    [Fact]
    public void Split_MissingTrailers_ReportsEach()
    {
        string text = $"FHS|^~\\&\rBHS|^~\\&\r{Message1}";

        Hl7Batch batch = Split(text);

        batch.Messages.Should().ContainSingle();
        batch.Problems.Select(p => p.Reason).Should().Equal(
            $"BTS missing at byte {text.Length}: the last batch is not closed",
            $"FTS missing at byte {text.Length}: the file batch is not closed");
        batch.Problems.Should().OnlyContain(p => p.ErrorCode == Hl7ErrorCode.SegmentSequenceError);
    }

    [Theory]
    [InlineData("BTS|0\r", "BTS at byte 0 closes no batch")]
    [InlineData("FTS|0\r", "FTS at byte 0 closes no file batch")]
    [InlineData("BHS|^~\\&\rBHS|^~\\&\rBTS\rBTS\r", "BHS at byte 9 opens a batch before the previous one is closed by BTS")]
    [InlineData("BHS|^~\\&\rFHS|^~\\&\rBTS\rFTS\r", "FHS at byte 9 is not the first segment")]
    [InlineData("FHS|^~\\&\rBHS|^~\\&\rFTS\r", "FTS at byte 18 comes before the BTS of the open batch")]
    [InlineData("FHS|^~\\&\rFTS\rBHS|^~\\&\rBTS\r", "BHS at byte 13 follows FTS")]
    public void Split_EnvelopeOutOfOrder_ReportsSegmentSequenceError(string text, string reason)
    {
        Hl7Batch batch = Split(text);

        batch.Problems.Should().Contain(p => p.Reason == reason && p.ErrorCode == Hl7ErrorCode.SegmentSequenceError);
    }

    [Fact]
    public void Split_ContentBeforeFirstMsh_BecomesItsOwnSliceThatFailsToParse()
    {
        Hl7Batch batch = Split($"[SOM]junk\rPID|1\r{Message1}");

        batch.Messages.Should().HaveCount(2);
        Hl7Message.TryParse(batch.Messages[0], out _, out Hl7ParseError error).Should().BeFalse();
        error.ErrorCode.Should().Be(Hl7ErrorCode.SegmentSequenceError);
        Hl7Message.Parse(batch.Messages[1]).ControlId.Should().Be("C1");
    }
}
