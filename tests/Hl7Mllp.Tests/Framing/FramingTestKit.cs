using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Hl7Mllp.Framing;
using Hl7Mllp.Testing.Buffers;

namespace Hl7Mllp.Tests.Framing;

/// <summary>Small helpers shared by the framing tests: frames as text, feeding a parser piece by piece, pipes.</summary>
internal static class FramingTestKit
{
    public const char SB = '\x0B';
    public const char EB = '\x1C';

    /// <summary>Text to bytes one to one (Latin-1), so control characters can be written in strings.</summary>
    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    public static string Text(in ReadOnlySequence<byte> bytes) => Encoding.Latin1.GetString(bytes.ToArray());

    public static byte[] Frame(string payload) => Bytes(SB + payload + EB + "\r");

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(part => part).ToArray();

    /// <summary>
    /// Feeds <paramref name="chunks"/> to the parser one at a time the way a read loop does: unconsumed bytes stay at
    /// the front (as their own segments) and the next chunk is appended as a new segment.
    /// </summary>
    /// <returns>Every frame's kind and payload, in order, and the bytes left unconsumed at the end.</returns>
    public static (List<(MllpFrameKind Kind, string Payload)> Frames, int Leftover) Feed(MllpFrameParser parser, IEnumerable<byte[]> chunks)
    {
        var frames = new List<(MllpFrameKind, string)>();
        var pending = new List<byte[]>();
        foreach (var chunk in chunks)
        {
            pending.Add(chunk);
            var buffer = SequenceFactory.Create(pending.ToArray());
            long before = buffer.Length;
            while (parser.TryParse(ref buffer, out var frame))
            {
                frames.Add((frame.Kind, Text(frame.Payload)));
            }

            long consumed = before - buffer.Length;
            pending = Drop(pending, consumed);
        }

        return (frames, pending.Sum(part => part.Length));
    }

    /// <summary>Parses one buffer completely (all bytes available at once).</summary>
    public static List<(MllpFrameKind Kind, string Payload)> ParseAll(MllpFrameParser parser, ReadOnlySequence<byte> buffer)
    {
        var frames = new List<(MllpFrameKind, string)>();
        while (parser.TryParse(ref buffer, out var frame))
        {
            frames.Add((frame.Kind, Text(frame.Payload)));
        }

        return frames;
    }

    /// <summary>A pipe whose continuations run inline, so each written chunk is seen by the reader as its own read.</summary>
    public static Pipe InlinePipe(long pauseWriterThreshold = 65536) =>
        new(new PipeOptions(
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: pauseWriterThreshold,
            resumeWriterThreshold: pauseWriterThreshold / 2,
            useSynchronizationContext: false));

    /// <summary>Reads frames until a clean close, returning their payloads as text (also added to <paramref name="payloads"/> as they come).</summary>
    public static async Task<List<string>> ReadAllAsync(MllpFrameReader reader, List<string>? payloads = null)
    {
        payloads ??= [];
        while (true)
        {
            var result = await reader.ReadAsync();
            if (result.IsCompleted)
            {
                return payloads;
            }

            payloads.Add(Text(result.Frame.Payload));
        }
    }

    private static List<byte[]> Drop(List<byte[]> parts, long count)
    {
        var rest = new List<byte[]>();
        foreach (var part in parts)
        {
            if (count >= part.Length)
            {
                count -= part.Length;
                continue;
            }

            rest.Add(part[(int)count..]);
            count = 0;
        }

        return rest;
    }
}
