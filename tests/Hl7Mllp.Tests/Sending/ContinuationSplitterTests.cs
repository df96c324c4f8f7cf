using System.Text;
using FluentAssertions;
using Hl7Mllp.Messages;
using Hl7Mllp.Sending;
using Xunit;

namespace Hl7Mllp.Tests.Sending;

public class ContinuationSplitterTests
{
    private const string Header = "MSH|^~\\&|LAB|HOSP|EHR|HOSP|20260101120000||ORU^R01^ORU_R01|CTRL0001|P|2.5.1\r";

    [Fact]
    public void Split_MessageWithinLimit_ReturnsItAlone()
    {
        byte[] message = Encoding.ASCII.GetBytes(Header + "PID|1||123\r");

        var fragments = new ContinuationSplitter(1024).Split(message);

        fragments.Should().ContainSingle();
        fragments[0].ToArray().Should().Equal(message);
    }

    [Fact]
    public void Split_OneMegabyteAt64Kilobytes_ValidChainedFragmentsThatJoinBackByteForByte()
    {
        byte[] message = LargeMessage(1024 * 1024);
        const int limit = 64 * 1024;

        var fragments = new ContinuationSplitter(limit).Split(message);

        fragments.Count.Should().BeInRange(17, 20);
        var ids = new HashSet<string>();
        for (int k = 0; k < fragments.Count; k++)
        {
            fragments[k].Length.Should().BeLessThanOrEqualTo(limit);
            var parsed = Hl7Message.Parse(fragments[k]);
            parsed.MessageType.Should().Be("ORU");
            ids.Add(parsed.ControlId).Should().BeTrue("every fragment has its own MSH-10");
            parsed.ControlId.Length.Should().BeLessThanOrEqualTo(20);
            if (k == 0)
            {
                parsed.ControlId.Should().Be("CTRL0001");
                parsed.ContinuationPointer.Should().BeEmpty();
            }
            else
            {
                string previousPointer = Dsc(Hl7Message.Parse(fragments[k - 1])).GetField(1).ToString();
                parsed.ContinuationPointer.Should().Be(previousPointer, "MSH-14 of fragment k+1 is DSC-1 of fragment k");
            }

            bool last = k == fragments.Count - 1;
            parsed.CountSegments("DSC").Should().Be(last ? 0 : 1);
            if (!last)
            {
                Dsc(parsed).GetField(2).ToString().Should().Be("F");
                Segments(parsed)[^1].Should().Be("DSC", "DSC is the last segment of a fragment");
            }
        }

        fragments.Skip(1).Count(f => Segments(Hl7Message.Parse(f))[1] == "ADD").Should().BeGreaterThan(0, "large OBX segments are cut and continued");
        Join(fragments).Should().Equal(message);
    }

    [Fact]
    public void Split_SameMessageTwice_SameFragments()
    {
        byte[] message = LargeMessage(200_000);
        var splitter = new ContinuationSplitter(16 * 1024);

        var first = splitter.Split(message);
        var second = splitter.Split(message);

        second.Select(f => f.ToArray()).Should().BeEquivalentTo(first.Select(f => f.ToArray()), o => o.WithStrictOrdering(),
            "after a crash the same fragments (same MSH-10s) are sent again, so the receiver can dedupe them");
    }

    [Fact]
    public void Split_LongControlId_HashedIdsOfAtMost20Characters()
    {
        byte[] message = LargeMessage(50_000, controlId: "ABCDEFGHIJKLMNOPQRST");

        var fragments = new ContinuationSplitter(4096).Split(message);

        var ids = fragments.Select(f => Hl7Message.Parse(f).ControlId).ToList();
        ids[0].Should().Be("ABCDEFGHIJKLMNOPQRST");
        ids.Should().OnlyHaveUniqueItems();
        ids.Should().OnlyContain(id => id.Length <= 20);
        Join(fragments).Should().Equal(message);
    }

    [Theory]
    [InlineData("MSA")]
    [InlineData("PID")]
    [InlineData("QRD")]
    [InlineData("QRF")]
    [InlineData("URD")]
    [InlineData("URS")]
    public void Split_ForbiddenSegmentThatFits_MovedWholeNeverCut(string id)
    {
        var text = new StringBuilder(Header);
        for (int i = 0; i < 30; i++)
        {
            text.Append("NTE|").Append(i).Append("||").Append('n', 50).Append('\r');
            text.Append(id).Append("|1|").Append('x', 300).Append('\r');
        }

        byte[] message = Encoding.ASCII.GetBytes(text.ToString());

        var fragments = new ContinuationSplitter(1000).Split(message);

        fragments.Count.Should().BeGreaterThan(1);
        foreach (var fragment in fragments)
        {
            fragment.Length.Should().BeLessThanOrEqualTo(1000);
            var parsed = Hl7Message.Parse(fragment);
            foreach (Hl7Segment segment in parsed.Segments)
            {
                if (segment.IsId(id))
                {
                    segment.Bytes.Length.Should().Be(id.Length + 3 + 300, $"{id} is never cut");
                }
            }
        }

        Join(fragments).Should().Equal(message);
    }

    [Fact]
    public void Split_ForbiddenSegmentLargerThanAFragment_ThrowsWithoutContent()
    {
        byte[] message = Encoding.ASCII.GetBytes(Header + "PID|1||PHI-SENTINEL-" + new string('x', 3000) + "\rOBX|1\r");

        Action split = () => new ContinuationSplitter(1024).Split(message);

        split.Should().Throw<ContinuationException>()
            .Where(e => e.Message.Contains("PID") && !e.Message.Contains("PHI-SENTINEL"));
    }

    [Fact]
    public void Split_AlreadyAFragment_Throws()
    {
        byte[] message = Encoding.ASCII.GetBytes(Header + "OBX|1|TX|||" + new string('x', 2000) + "\rDSC|p1|F\r");

        FluentActions.Invoking(() => new ContinuationSplitter(1024).Split(message)).Should().Throw<ContinuationException>();
    }

    [Fact]
    public void Split_NoControlIdOrNotHl7_ThrowsArgumentException()
    {
        byte[] noId = Encoding.ASCII.GetBytes("MSH|^~\\&|A|B|C|D|20260101||ADT^A01|||2.5\rOBX|1|TX|||" + new string('x', 2000) + "\r");
        byte[] notHl7 = Encoding.ASCII.GetBytes(new string('x', 2000));
        var splitter = new ContinuationSplitter(1024);

        FluentActions.Invoking(() => splitter.Split(noId)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => splitter.Split(notHl7)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new ContinuationSplitter(100)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Split_Utf8AndEscapes_NeverCutsInsideACharacterOrEscapeSequence()
    {
        var text = new StringBuilder(Header.Replace("2.5.1", "2.5.1|||||UNICODE UTF-8", StringComparison.Ordinal));
        text.Append("OBX|1|TX|||");
        for (int i = 0; i < 400; i++)
        {
            text.Append("é€\\.br\\ab");
        }

        text.Append('\r');
        byte[] message = Encoding.UTF8.GetBytes(text.ToString());

        var fragments = new ContinuationSplitter(512).Split(message);

        foreach (var fragment in fragments)
        {
            Encoding.UTF8.GetString(fragment.Span).Should().NotContain("\uFFFD", "a cut never splits a UTF-8 character");
            foreach (Hl7Segment segment in Hl7Message.Parse(fragment).Segments)
            {
                segment.Bytes.Span.Count((byte)'\\').Should().Be(segment.IsId("MSH") ? 1 : segment.Bytes.Span.Count((byte)'\\') / 2 * 2, "escape sequences stay whole");
            }
        }

        Join(fragments).Should().Equal(message);
    }

    [Fact]
    public void Split_CrLfAndTrailingTerminatorVariants_JoinBackExactly()
    {
        foreach (string ending in new[] { "\r", "\r\n", string.Empty })
        {
            string body = string.Concat(Enumerable.Range(0, 40).Select(i => $"OBX|{i}|TX|||{new string('v', 120)}{ending}"));
            byte[] message = Encoding.ASCII.GetBytes(Header + body.TrimEnd('\r', '\n') + ending);

            var fragments = new ContinuationSplitter(700).Split(message);

            fragments.Should().OnlyContain(f => f.Length <= 700);
            Join(fragments).Should().Equal(message);
        }
    }

    /// <summary>A test-only joiner: MSH of the first fragment, then the segments of all, ADD appended to the previous segment, DSC dropped.</summary>
    internal static byte[] Join(IReadOnlyList<ReadOnlyMemory<byte>> fragments)
    {
        var output = new List<byte>();
        for (int k = 0; k < fragments.Count; k++)
        {
            ReadOnlySpan<byte> bytes = fragments[k].Span;
            int position = 0;
            bool first = true;
            while (position < bytes.Length)
            {
                int end = bytes[position..].IndexOfAny((byte)'\r', (byte)'\n');
                int lineEnd = end < 0 ? bytes.Length : position + end;
                int next = lineEnd;
                while (next < bytes.Length && (bytes[next] == '\r' || bytes[next] == '\n'))
                {
                    next++;
                }

                ReadOnlySpan<byte> line = bytes[position..lineEnd];
                ReadOnlySpan<byte> terminator = bytes[lineEnd..next];
                if (first && k > 0)
                {
                    // MSH of a later fragment: skipped.
                }
                else if (line.StartsWith("DSC"u8))
                {
                    // The fragment's continuation pointer: dropped.
                }
                else if (line.StartsWith("ADD|"u8))
                {
                    // The previous segment continues: drop its CR and append the rest.
                    output.RemoveAt(output.Count - 1);
                    output.AddRange(line[4..].ToArray());
                    output.AddRange(terminator.ToArray());
                }
                else
                {
                    output.AddRange(line.ToArray());
                    output.AddRange(terminator.ToArray());
                }

                first = false;
                position = next;
            }
        }

        return [.. output];
    }

    private static byte[] LargeMessage(int size, string controlId = "CTRL0001")
    {
        var text = new StringBuilder(Header.Replace("CTRL0001", controlId, StringComparison.Ordinal));
        text.Append("PID|1||123456^^^HOSP^MR||DOE^JANE||19700101|F\r");
        text.Append("ORC|RE|ORD1\rOBR|1|ORD1||PANEL^Big panel\r");
        var random = new Random(5);
        for (int i = 1; text.Length < size; i++)
        {
            int length = random.Next(10, 120_000);
            text.Append("OBX|").Append(i).Append("|ED|PDF^Report||^AP^PDF^Base64^");
            for (int j = 0; j < length; j++)
            {
                text.Append((char)('A' + ((i + j) % 26)));
            }

            text.Append("||||||F\r");
            text.Append("NTE|").Append(i).Append("||note ").Append(i).Append('\r');
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static Hl7Segment Dsc(Hl7Message message)
    {
        message.TryGetSegment("DSC", 1, out Hl7Segment segment).Should().BeTrue();
        return segment;
    }

    private static List<string> Segments(Hl7Message message)
    {
        var ids = new List<string>();
        foreach (Hl7Segment segment in message.Segments)
        {
            ids.Add(segment.Id);
        }

        return ids;
    }
}
