using System.Buffers;

namespace Hl7Mllp.Testing.Buffers;

/// <summary>
/// Builds multi-segment <see cref="ReadOnlySequence{T}"/> buffers, as a socket delivers bytes in pieces, so parsers
/// can be tested at every split point.
/// </summary>
public static class SequenceFactory
{
    /// <summary>A sequence with one segment per chunk, in order. Empty chunks make empty segments.</summary>
    /// <param name="chunks">The segments' contents.</param>
    /// <returns>The sequence.</returns>
    public static ReadOnlySequence<byte> Create(params byte[][] chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        if (chunks.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(chunks[0], 0);
        var last = first;
        for (int i = 1; i < chunks.Length; i++)
        {
            last = last.Append(chunks[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>A sequence of <paramref name="data"/> cut at the given offsets (ascending, each in [0, length]).</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="splitPoints">Where one segment ends and the next begins.</param>
    /// <returns>The sequence, with <c>splitPoints.Length + 1</c> segments.</returns>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] splitPoints)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(splitPoints);
        return Create(Chunks(data, splitPoints).ToArray());
    }

    /// <summary>The pieces of <paramref name="data"/> cut at the given offsets (ascending, each in [0, length]).</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="splitPoints">Where one piece ends and the next begins.</param>
    /// <returns><c>splitPoints.Length + 1</c> pieces.</returns>
    public static IEnumerable<byte[]> Chunks(byte[] data, params int[] splitPoints)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(splitPoints);
        int start = 0;
        foreach (int point in splitPoints)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(point, start);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(point, data.Length);
            yield return data[start..point];
            start = point;
        }

        yield return data[start..];
    }

    /// <summary>
    /// Every way to cut <paramref name="length"/> bytes into consecutive non-empty pieces, as split-point arrays:
    /// 2^(length-1) of them, so keep <paramref name="length"/> small.
    /// </summary>
    /// <param name="length">The number of bytes, 1 to 20.</param>
    /// <returns>Each partition's split points, ascending.</returns>
    public static IEnumerable<int[]> AllPartitions(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 20);
        int gaps = length - 1;
        for (int mask = 0; mask < 1 << gaps; mask++)
        {
            var points = new List<int>();
            for (int gap = 0; gap < gaps; gap++)
            {
                if ((mask & (1 << gap)) != 0)
                {
                    points.Add(gap + 1);
                }
            }

            yield return points.ToArray();
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
