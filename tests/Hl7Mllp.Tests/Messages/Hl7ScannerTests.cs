using Hl7Mllp.Messages;

namespace Hl7Mllp.Tests.Messages;

public class Hl7ScannerTests
{
    // Lengths around the 16-byte vector width, separators at every density, compared with a plain loop.
    public static TheoryData<int, int> Shapes()
    {
        var data = new TheoryData<int, int>();
        foreach (int length in new[] { 0, 1, 15, 16, 17, 31, 32, 33, 70, 200 })
        {
            foreach (int every in new[] { 1, 2, 5, 17 })
            {
                data.Add(length, every);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void IndexOfNth_AnyN_MatchesPlainLoop(int length, int every)
    {
        byte[] bytes = Bytes(length, every);
        int[] expected = [.. Enumerable.Range(0, length).Where(i => bytes[i] == (byte)'|')];

        for (int n = 0; n <= expected.Length + 1; n++)
        {
            Hl7Scanner.IndexOfNth(bytes, (byte)'|', n).Should().Be(n < expected.Length ? expected[n] : -1, "occurrence {0}", n);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void IndexesOf_AnyCapacity_FirstOccurrencesInOrder(int length, int every)
    {
        byte[] bytes = Bytes(length, every);
        int[] expected = [.. Enumerable.Range(0, length).Where(i => bytes[i] == (byte)'|')];

        foreach (int capacity in new[] { 0, 1, 3, 24, 300 })
        {
            int[] positions = new int[capacity];
            int found = Hl7Scanner.IndexesOf(bytes, (byte)'|', positions);
            positions[..found].Should().Equal(expected.Take(capacity), "capacity {0}", capacity);
        }
    }

    [Theory]
    [InlineData("A|BB||C", 1, "A")]
    [InlineData("A|BB||C", 2, "BB")]
    [InlineData("A|BB||C", 3, "")]
    [InlineData("A|BB||C", 4, "C")]
    [InlineData("0123456789ABCDEF|0123456789ABCDEF|x", 3, "x")]
    public void TryGetPiece_Index_FindsPiece(string text, int index, string expected)
    {
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(text);

        Hl7Scanner.TryGetPiece(bytes, (byte)'|', index, out int start, out int length).Should().BeTrue();
        System.Text.Encoding.ASCII.GetString(bytes, start, length).Should().Be(expected);
        Hl7Scanner.TryGetPiece(bytes, (byte)'|', text.Count(c => c == '|') + 2, out _, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("MSH", 0)]
    [InlineData("MSH|", 2)]
    [InlineData("MSH|^~\\&|A||B", 5)]
    [InlineData("MSH|^~\\&|3|4|5|6|7|8|9|10|11|12", 12)]
    [InlineData("MSH|^~\\&|3|4|5|6|7|8|9|10|11|12|13|14|15|16|17|18|19|20", 12)]
    public void SplitHeader_AnyFieldCount_EveryKeptFieldAsASplitOnTheSeparatorGivesIt(string segment, int expectedCount)
    {
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(segment);
        Range[] fields = new Range[13];
        fields.AsSpan().Fill(1..2);

        int count = Hl7Scanner.SplitHeader(bytes, (byte)'|', fields);

        count.Should().Be(expectedCount);
        string[] pieces = segment.Length < 4 ? [] : segment[4..].Split('|');
        for (int field = 2; field < fields.Length; field++)
        {
            string expected = field - 2 < pieces.Length ? pieces[field - 2] : string.Empty;
            System.Text.Encoding.ASCII.GetString(bytes[fields[field]]).Should().Be(expected, "field {0}", field);
        }
    }

    private static byte[] Bytes(int length, int every) =>
        [.. Enumerable.Range(0, length).Select(i => i % every == every - 1 ? (byte)'|' : (byte)('a' + (i % 26)))];
}
