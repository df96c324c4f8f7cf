using System.Buffers;

namespace Hl7Mllp.Framing;

/// <summary>
/// Searches over a <see cref="ReadOnlySequence{T}"/>: the first span with a vectorized span search (almost
/// every frame lies in it), then a walk over the following segments, each searched the same way.
/// </summary>
internal static class SequenceSearch
{
    /// <summary>The byte at <paramref name="index"/>; the caller guarantees it exists.</summary>
    public static byte ByteAt(in ReadOnlySequence<byte> buffer, long index)
    {
        var first = buffer.FirstSpan;
        if (index < first.Length)
        {
            return first[(int)index];
        }

        var reader = new SequenceReader<byte>(buffer);
        reader.Advance(index);
        reader.TryPeek(out byte value);
        return value;
    }

    /// <summary>The index of the first <paramref name="a"/> or <paramref name="b"/> in [<paramref name="from"/>, <paramref name="to"/>), or -1.</summary>
    public static long IndexOfAny(in ReadOnlySequence<byte> buffer, long from, long to, byte a, byte b)
    {
        var first = buffer.FirstSpan;
        if (from < first.Length)
        {
            int index = first[(int)from..(int)Math.Min(to, first.Length)].IndexOfAny(a, b);
            if (index >= 0 || to <= first.Length)
            {
                return index < 0 ? -1 : from + index;
            }

            from = first.Length;
        }

        // Walk the segments from 'from' and stop at 'to'. Slicing to 'to' instead would seek the end position
        // through every remaining segment on each call: quadratic over a pipe's long chain of small segments.
        long offset = from;
        foreach (var segment in buffer.Slice(from))
        {
            var span = segment.Span;
            if (span.Length > to - offset)
            {
                span = span[..(int)(to - offset)];
            }

            int index = span.IndexOfAny(a, b);
            if (index >= 0)
            {
                return offset + index;
            }

            offset += span.Length;
            if (offset >= to)
            {
                break;
            }
        }

        return -1;
    }

    /// <summary>
    /// How many leading bytes, up to <paramref name="limit"/>, are skippable: in <paramref name="values"/> when
    /// <paramref name="skipMembers"/> is <see langword="true"/>, not in it otherwise.
    /// </summary>
    public static long CountSkippable(in ReadOnlySequence<byte> buffer, SearchValues<byte> values, bool skipMembers, long limit)
    {
        long count = 0;
        foreach (var segment in buffer)
        {
            var span = segment.Span;
            if (span.Length > limit - count)
            {
                span = span[..(int)(limit - count)];
            }

            int index = skipMembers ? span.IndexOfAnyExcept(values) : span.IndexOfAny(values);
            if (index >= 0)
            {
                return count + index;
            }

            count += span.Length;
            if (count == limit)
            {
                break;
            }
        }

        return count;
    }
}
