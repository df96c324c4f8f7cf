using System.Buffers;
using System.Text;
using Hl7Mllp.Framing;
using Hl7Mllp.Testing.Buffers;
using static Hl7Mllp.Tests.Framing.FramingTestKit;

namespace Hl7Mllp.Tests.Framing;

/// <summary>
/// Seeded mutation fuzzing of the frame parser and reader (issue 2; RELIABILITY A5–A10, F18, F20). Each case is
/// checked against a byte-at-a-time reference model of the documented rules, fed both whole and in random pieces.
/// </summary>
public class MllpFrameParserFuzzTests
{
    private const int Seed = 20260101;
    private const int Iterations = 20_000;
    private const byte SB = MllpFrame.StartBlock;
    private const byte EB = MllpFrame.EndBlock;
    private const byte CR = MllpFrame.CarriageReturn;

    [Fact]
    public async Task TryParse_MutatedStreams_MatchReferenceModelWholeAndSplit()
    {
        var random = new Random(Seed);
        var corpus = Enumerable.Range(0, 32).Select(_ => ValidStream(random)).ToArray();
        int framesSeen = 0, violationsSeen = 0;

        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            var options = RandomOptions(random);
            var data = Mutate(random, corpus[random.Next(corpus.Length)], corpus);
            var expected = Reference(options, data);
            var input = new HexOnDemand(iteration, data);

            var whole = Run(options, [data]);
            var split = Run(options, SequenceFactory.Chunks(data, RandomSplits(random, data.Length)));

            // Plain comparisons first: assertion machinery only runs on a mismatch, which keeps 20 000 cases fast.
            if (whole != expected || split != expected)
            {
                whole.Should().Be(expected, "{0}", input);
                split.Should().Be(expected, "{0}", input);
            }

            if (iteration % 20 == 0)
            {
                var read = await RunReaderAsync(options, SequenceFactory.Chunks(data, RandomSplits(random, data.Length)).ToList());
                read.Should().Be(AsSeenByReader(expected), "{0}", input);
            }

            framesSeen += expected.Frames.Split(';', StringSplitOptions.RemoveEmptyEntries).Length;
            violationsSeen += expected.Abandoned + (expected.Failure is null ? 0 : 1);
        }

        // The mutations must actually reach both the good and the bad paths.
        framesSeen.Should().BeGreaterThan(Iterations);
        violationsSeen.Should().BeGreaterThan(Iterations / 4);
    }

    /// <summary>Formats the failing input only when an assertion fails.</summary>
    private sealed class HexOnDemand(int iteration, byte[] data)
    {
        public override string ToString() => $"iteration {iteration}: {Convert.ToHexString(data)}";
    }

    private sealed record Outcome(string Frames, string? Failure, long FailurePosition, long BytesSkipped, int Abandoned, long Discarded, long Consumed, long Leftover);

    private static Outcome Run(MllpFramingOptions options, IEnumerable<byte[]> chunks)
    {
        var parser = new MllpFrameParser(options);
        var frames = new List<string>();
        var pending = new List<byte[]>();
        try
        {
            foreach (var chunk in chunks)
            {
                pending.Add(chunk);
                var buffer = SequenceFactory.Create([.. pending]);
                while (parser.TryParse(ref buffer, out var frame))
                {
                    var payload = frame.Payload.ToArray();
                    if (payload.AsSpan().IndexOfAny(SB, EB) >= 0 || payload.Length > options.MaxFrameBytes)
                    {
                        Assert.Fail($"Delivered payload breaks the framing invariants: {Convert.ToHexString(payload)}");
                    }

                    frames.Add(Describe(frame.Kind, payload));
                }

                pending = [buffer.ToArray()];
            }
        }
        catch (MllpFramingException exception)
        {
            return new(Join(frames), Name(exception), exception.Position, parser.BytesSkipped, (int)parser.FramesAbandoned, parser.BytesDiscarded, 0, 0);
        }

        long leftover = pending.Sum(part => part.Length);
        return new(Join(frames), null, 0, parser.BytesSkipped, (int)parser.FramesAbandoned, parser.BytesDiscarded, parser.BytesConsumed, leftover);
    }

    private static async Task<Outcome> RunReaderAsync(MllpFramingOptions options, List<byte[]> chunks)
    {
        var pipe = InlinePipe(pauseWriterThreshold: 0);
        var reader = new MllpFrameReader(pipe.Reader, options);
        var frames = new List<string>();
        var writing = Task.Run(async () =>
        {
            foreach (var chunk in chunks)
            {
                await pipe.Writer.WriteAsync(chunk);
            }

            await pipe.Writer.CompleteAsync();
        });
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                if (result.IsCompleted)
                {
                    break;
                }

                frames.Add(Describe(result.Frame.Kind, result.Frame.Payload.ToArray()));
            }
        }
        catch (MllpFramingException exception)
        {
            await pipe.Reader.CompleteAsync();
            await writing;
            return new(Join(frames), Name(exception), exception.Position, 0, (int)reader.FramesAbandoned, 0, 0, 0);
        }

        await writing;
        return new(Join(frames), null, 0, 0, (int)reader.FramesAbandoned, 0, 0, 0);
    }

    /// <summary>The documented rules, one byte at a time, with no buffering cleverness.</summary>
    private static Outcome Reference(MllpFramingOptions options, byte[] data)
    {
        bool skipAny = options.BetweenFramesPolicy == MllpBetweenFramesPolicy.SkipAny;
        bool strict = options.RequireCarriageReturnAfterEndBlock;
        var frames = new List<string>();
        var payload = new List<byte>();
        long skipped = 0, discarded = 0, gap = 0, frameStart = -1;
        int abandoned = 0;
        bool inFrame = false, afterEndBlock = false, resync = false, lenientCarriageReturn = false;

        Outcome Fail(string name, long position) => new(Join(frames), name, position, skipped, abandoned, discarded, 0, 0);

        for (int i = 0; i < data.Length; i++)
        {
            byte b = data[i];
            if (afterEndBlock)
            {
                afterEndBlock = false;
                inFrame = false;
                if (b == CR)
                {
                    frames.Add(Describe(KindOf(payload), [.. payload]));
                    continue;
                }

                abandoned++;
                discarded += payload.Count + 2;
                resync = true;
            }

            if (inFrame)
            {
                if (b == SB)
                {
                    abandoned++;
                    discarded += payload.Count + 1;
                    payload.Clear();
                    frameStart = i;
                }
                else if (b == EB && strict)
                {
                    afterEndBlock = true;
                }
                else if (b == EB)
                {
                    frames.Add(Describe(KindOf(payload), [.. payload]));
                    inFrame = false;
                    lenientCarriageReturn = true;
                }
                else if (payload.Count == options.MaxFrameBytes)
                {
                    return Fail(nameof(MllpFrameTooLargeException), frameStart);
                }
                else
                {
                    payload.Add(b);
                }

                continue;
            }

            if (lenientCarriageReturn)
            {
                lenientCarriageReturn = false;
                if (b == CR)
                {
                    continue;
                }
            }

            if (b == SB)
            {
                inFrame = true;
                resync = false;
                gap = 0;
                frameStart = i;
                payload.Clear();
            }
            else if (skipAny || resync || b is 0x0D or 0x0A or 0x00 or 0x20 or 0x09)
            {
                if (gap == options.MaxBytesBetweenFrames)
                {
                    return Fail(nameof(MllpFramingViolation.TooManyBytesBetweenFrames), i);
                }

                gap++;
                skipped++;
            }
            else
            {
                return Fail(nameof(MllpFramingViolation.UnexpectedByteBetweenFrames), i);
            }
        }

        long leftover = inFrame ? data.Length - frameStart : 0;
        return new(Join(frames), null, 0, skipped, abandoned, discarded, data.Length - leftover, leftover);
    }

    /// <summary>The reader reports what the parser leaves unfinished at the close as a truncated frame.</summary>
    private static Outcome AsSeenByReader(Outcome expected)
    {
        bool truncated = expected.Failure is null && expected.Leftover > 0;
        return expected with
        {
            Failure = truncated ? nameof(MllpFramingViolation.FrameTruncated) : expected.Failure,
            FailurePosition = truncated ? expected.Consumed : expected.FailurePosition,
            BytesSkipped = 0,
            Discarded = 0,
            Consumed = 0,
            Leftover = 0,
        };
    }

    private static string Join(List<string> frames) => string.Join(";", frames);

    private static string Name(MllpFramingException exception) =>
        exception is MllpFrameTooLargeException ? nameof(MllpFrameTooLargeException) : exception.Violation.ToString();

    private static MllpFrameKind KindOf(List<byte> payload) => new MllpFrame(new ReadOnlySequence<byte>([.. payload])).Kind;

    private static string Describe(MllpFrameKind kind, byte[] payload) => $"{kind}:{Convert.ToHexString(payload)}";

    private static MllpFramingOptions RandomOptions(Random random) => new()
    {
        MaxFrameBytes = random.Next(4) == 0 ? random.Next(1, 40) : 1000,
        MaxBytesBetweenFrames = random.Next(4) == 0 ? random.Next(0, 6) : 64,
        BetweenFramesPolicy = random.Next(2) == 0 ? MllpBetweenFramesPolicy.SkipWhitespace : MllpBetweenFramesPolicy.SkipAny,
        RequireCarriageReturnAfterEndBlock = random.Next(3) != 0,
    };

    private static byte[] ValidStream(Random random)
    {
        var stream = new List<byte>();
        int frames = random.Next(1, 5);
        for (int f = 0; f < frames; f++)
        {
            stream.AddRange(Bytes(random.Next(4) == 0 ? "\r\n" : ""));
            string payload = random.Next(8) switch
            {
                0 => "\x06",
                1 => "\x15",
                _ => $"MSH|^~\\&|SND|FAC|RCV|FAC|20260101||ADT^A01|{random.Next()}|P|2.5\rPID|1||{random.Next()}^^^H||DOE^JANE\r"
                    + new string('X', random.Next(0, 120)),
            };
            stream.AddRange(Frame(payload));
        }

        return [.. stream];
    }

    private static byte[] Mutate(Random random, byte[] original, byte[][] corpus)
    {
        var data = new List<byte>(original);
        int mutations = random.Next(0, 4);
        for (int m = 0; m < mutations && data.Count > 0; m++)
        {
            int at = random.Next(data.Count);
            switch (random.Next(6))
            {
                case 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 2:
                    data.Insert(at, new[] { SB, EB, CR, (byte)'\n', (byte)0, (byte)'A' }[random.Next(6)]);
                    break;
                case 3:
                    var other = corpus[random.Next(corpus.Length)];
                    int from = random.Next(other.Length);
                    data.InsertRange(at, other[from..random.Next(from, other.Length + 1)]);
                    break;
                case 4:
                    data.RemoveRange(at, random.Next(1, Math.Min(20, data.Count - at) + 1));
                    break;
                default:
                    data.InsertRange(at, Enumerable.Repeat(data[at], random.Next(1, 50)));
                    break;
            }
        }

        return [.. data];
    }

    private static int[] RandomSplits(Random random, int length) =>
        Enumerable.Range(0, random.Next(0, 6)).Select(_ => random.Next(length + 1)).Order().ToArray();
}
