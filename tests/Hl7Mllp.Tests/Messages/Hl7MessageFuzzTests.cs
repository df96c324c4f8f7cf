using System.Buffers;
using System.Text;
using Hl7Mllp.Messages;
using Hl7Mllp.Testing.Corpus;

namespace Hl7Mllp.Tests.Messages;

/// <summary>Seeded mutations of the corpus: bad input gives Hl7ParseException from Parse and nothing else, anywhere.</summary>
public class Hl7MessageFuzzTests
{
    private const int Seed = 20261126;
    private const int Iterations = 4000;

    private static readonly Hl7Key[] Keys =
    [
        .. new[]
        {
            "MSH.1", "MSH.2", "MSH.3", "MSH.9", "MSH.9.1", "MSH.9.2", "MSH.10", "MSH.11", "MSH.12", "MSH.18", "MSH.21[2].3",
            "PID.3", "PID.3.1", "PID.3[2].1", "PID.3[3].4.2", "PID.5.1.1", "PID.99999", "OBX[3].5", "OBX[2].5.1.1",
            "EVN.1", "ZZZ.1", "MSA.1", "NTE[99999].3", "BTS.1",
        }.Select(Hl7Key.Parse),
    ];

    private static ReadOnlySpan<byte> Interesting => "\r\n|^~\\&#\0\xff MSH"u8;

    [Fact]
    public void Mutations_OfCorpus_ThrowOnlyParseExceptionsAndNeverHang()
    {
        var random = new Random(Seed);
        byte[][] corpus = [.. CorpusLocator.MessageFiles().Select(CorpusLocator.ReadBytes).Where(b => b.Length > 0)];
        int parsed = 0;
        int rejected = 0;
        for (int i = 0; i < Iterations; i++)
        {
            byte[] input = Mutate(random, corpus);
            if (Exercise(input))
            {
                parsed++;
            }
            else
            {
                rejected++;
            }
        }

        // The mutations must exercise both paths, or the test proves little.
        parsed.Should().BeGreaterThan(Iterations / 10);
        rejected.Should().BeGreaterThan(Iterations / 10);
    }

    [Fact]
    public void Parse_MillionRepetitions_CompletesAndFindsTheLast()
    {
        var text = new StringBuilder("MSH|^~\\&|A||||||ADT^A01|C1|P|2.5\rPID|1||");
        for (int i = 1; i <= 1_000_000; i++)
        {
            text.Append('r').Append(i % 10).Append('~');
        }

        text.Append("last\r");
        Hl7Message message = Hl7Message.Parse(text.ToString());

        message.GetValue("PID.3[99999]").Should().Be("r9");
        message.GetValue("PID.3[99999].2").Should().BeEmpty();
        int count = 0;
        foreach (Hl7Value _ in PidField(message).Repetitions)
        {
            count++;
        }

        count.Should().Be(1_000_001);
        PidField(message).GetRepetition(1_000_001).ToString().Should().Be("last");
    }

    [Fact]
    public void Parse_HundredThousandSegments_CountsAndFindsTheLast()
    {
        var text = new StringBuilder("MSH|^~\\&|A||||||ORU^R01|C1|P|2.5\n");
        for (int i = 1; i <= 100_000; i++)
        {
            text.Append("OBX|").Append(i).Append("|TX|||v").Append(i).Append('\n');
        }

        Hl7Message message = Hl7Message.Parse(text.ToString());

        message.SegmentCount.Should().Be(100_001);
        message.GetValue("OBX[99999].5").Should().Be("v99999");
        message.CountSegments("OBX").Should().Be(100_000);
        Hl7Batch.Split(message.Bytes).Messages.Should().ContainSingle();
    }

    private static Hl7Value PidField(Hl7Message message)
    {
        message.TryGetSegment("PID", 1, out Hl7Segment pid);
        return pid.GetField(3);
    }

    private static bool Exercise(byte[] input)
    {
        Hl7Batch.Split(input).Messages.Count.Should().BeGreaterThanOrEqualTo(0);
        bool ok = Hl7Message.TryParse(input, out Hl7Message message, out Hl7ParseError error);
        try
        {
            Hl7Message.Parse(input);
            ok.Should().BeTrue();
        }
        catch (Hl7ParseException exception)
        {
            ok.Should().BeFalse();
            exception.Error.Should().Be(error);
            error.Position.Should().BeInRange(0, input.Length);
            return false;
        }

        foreach (Hl7Key key in Keys)
        {
            message.GetValue(key).Should().NotBeNull();
            message.TryGetRawValue(key, out _);
        }

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
                            _ = subcomponent.ToString();
                        }
                    }
                }
            }
        }

        _ = message.ControlId + message.MessageType + message.TriggerEvent + message.Version + message.CharacterSet;
        Hl7MessageChecks.TryCheck(message, out _);
        var output = new ArrayBufferWriter<byte>();
        Hl7MessageBuilder.WriteEdited(message, [Hl7Edit.Set("MSH.14", "x|y"), Hl7Edit.Set("DSC[1].1", "p")], output);
        Hl7Message.Parse(output.WrittenMemory).GetValue("MSH.14").Should().Be("x|y");
        return true;
    }

    private static byte[] Mutate(Random random, byte[][] corpus)
    {
        byte[] source = corpus[random.Next(corpus.Length)];
        byte[] bytes = (byte[])source.Clone();
        int mutations = 1 + random.Next(3);
        for (int m = 0; m < mutations; m++)
        {
            bytes = random.Next(6) switch
            {
                0 => FlipBit(random, bytes),
                1 => bytes[..random.Next(bytes.Length + 1)],
                2 => SwapDelimiter(random, bytes),
                3 => [.. bytes[..random.Next(bytes.Length + 1)], .. Tail(random, corpus[random.Next(corpus.Length)])],
                4 => Insert(random, bytes),
                _ => bytes.Length > 10 ? [.. bytes[..random.Next(bytes.Length)], .. bytes] : bytes,
            };
        }

        return bytes;
    }

    private static byte[] FlipBit(Random random, byte[] bytes)
    {
        if (bytes.Length > 0)
        {
            // Early bytes (the MSH header) matter most; flip there half of the time.
            int at = random.Next(2) == 0 ? random.Next(Math.Min(bytes.Length, 24)) : random.Next(bytes.Length);
            bytes[at] ^= (byte)(1 << random.Next(8));
        }

        return bytes;
    }

    private static byte[] SwapDelimiter(Random random, byte[] bytes)
    {
        byte from = Interesting[random.Next(7)];
        byte to = Interesting[random.Next(Interesting.Length)];
        return [.. bytes.Select(b => b == from ? to : b == to ? from : b)];
    }

    private static byte[] Insert(Random random, byte[] bytes)
    {
        int at = random.Next(bytes.Length + 1);
        return [.. bytes[..at], Interesting[random.Next(Interesting.Length)], .. bytes[at..]];
    }

    private static byte[] Tail(Random random, byte[] bytes) => bytes[random.Next(bytes.Length + 1)..];
}
