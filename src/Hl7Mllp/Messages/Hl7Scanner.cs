using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Hl7Mllp.Messages;

/// <summary>The byte-level searches every message type shares: segments, pieces, header fields.</summary>
internal static class Hl7Scanner
{
    /// <summary>Segment terminators: CR is the standard one, LF and CRLF are accepted (blank lines are skipped).</summary>
    public static readonly SearchValues<byte> Terminators = SearchValues.Create("\r\n"u8);

    private static readonly SearchValues<byte> Blanks = SearchValues.Create(" \t"u8);

    /// <summary>The UTF-8 byte order mark some senders put before MSH.</summary>
    public static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// Finds the next segment at or after <paramref name="position"/>: the bytes up to the next CR or LF, skipping
    /// empty lines and lines of only spaces or tabs. Advances <paramref name="position"/> past the terminator.
    /// </summary>
    public static bool TryReadSegment(ReadOnlySpan<byte> bytes, ref int position, out int start, out int length)
    {
        while (position < bytes.Length)
        {
            ReadOnlySpan<byte> rest = bytes[position..];
            int end = rest.IndexOfAny(Terminators);
            int lineLength = end < 0 ? rest.Length : end;
            int lineStart = position;
            position += end < 0 ? lineLength : lineLength + 1;
            // A line is blank when it holds only spaces or tabs; a segment ID first byte settles it at once.
            if (lineLength > 0 && (rest[0] is not ((byte)' ' or (byte)'\t') || rest[..lineLength].IndexOfAnyExcept(Blanks) >= 0))
            {
                start = lineStart;
                length = lineLength;
                return true;
            }
        }

        start = 0;
        length = 0;
        return false;
    }

    /// <summary>Finds the 1-based <paramref name="index"/>-th piece of <paramref name="span"/> split on <paramref name="separator"/>.</summary>
    public static bool TryGetPiece(ReadOnlySpan<byte> span, byte separator, int index, out int start, out int length)
    {
        start = 0;
        if (index > 1)
        {
            // One vector pass to the separator before the piece, not one search per piece skipped.
            int before = IndexOfNth(span, separator, index - 2);
            if (before < 0)
            {
                length = 0;
                return false;
            }

            start = before + 1;
        }

        int end = span[start..].IndexOf(separator);
        length = end < 0 ? span.Length - start : end;
        return true;
    }

    /// <summary>Finds the <paramref name="n"/>-th (0-based) occurrence of a byte; -1 when there are fewer.</summary>
    public static int IndexOfNth(ReadOnlySpan<byte> span, byte value, int n)
    {
        int i = 0;
        ref byte first = ref MemoryMarshal.GetReference(span);
        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<byte> target = Vector128.Create(value);
            for (; i <= span.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                uint mask = Vector128.Equals(Vector128.LoadUnsafe(ref first, (nuint)i), target).ExtractMostSignificantBits();
                int count = BitOperations.PopCount(mask);
                if (count <= n)
                {
                    n -= count;
                    continue;
                }

                for (; n > 0; n--)
                {
                    mask &= mask - 1;
                }

                return i + BitOperations.TrailingZeroCount(mask);
            }
        }

        for (; i < span.Length; i++)
        {
            if (span[i] == value && n-- == 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Writes the positions of the first occurrences of a byte, as many as <paramref name="positions"/> holds; returns how many were found.</summary>
    public static int IndexesOf(ReadOnlySpan<byte> span, byte value, Span<int> positions)
    {
        int found = 0;
        int i = 0;
        ref byte first = ref MemoryMarshal.GetReference(span);
        if (Vector128.IsHardwareAccelerated)
        {
            Vector128<byte> target = Vector128.Create(value);
            for (; i <= span.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                for (uint mask = Vector128.Equals(Vector128.LoadUnsafe(ref first, (nuint)i), target).ExtractMostSignificantBits(); mask != 0; mask &= mask - 1)
                {
                    if (found == positions.Length)
                    {
                        return found;
                    }

                    positions[found++] = i + BitOperations.TrailingZeroCount(mask);
                }
            }
        }

        for (; i < span.Length && found < positions.Length; i++)
        {
            if (span[i] == value)
            {
                positions[found++] = i;
            }
        }

        return found;
    }

    /// <summary>
    /// Splits a header segment (MSH, FHS, BHS: the name, the field separator, then fields 2, 3, …) in one pass:
    /// <c>fields[n]</c> is where field n lies, for n from 2 to <c>fields.Length - 1</c>; absent fields are empty.
    /// </summary>
    /// <returns>How many fields are present, the separator (field 1) included, at most <c>fields.Length - 1</c>; 0 for a segment shorter than 4 bytes.</returns>
    public static int SplitHeader(ReadOnlySpan<byte> segment, byte separator, Span<Range> fields)
    {
        fields.Clear();
        if (segment.Length < 4)
        {
            return 0;
        }

        int maxField = fields.Length - 1;
        Span<int> ends = stackalloc int[maxField - 1];
        int found = IndexesOf(segment[4..], separator, ends);
        int position = 4;
        for (int field = 2; field <= maxField; field++)
        {
            if (field - 2 >= found)
            {
                fields[field] = position..segment.Length;
                return field;
            }

            int end = 4 + ends[field - 2];
            fields[field] = position..end;
            position = end + 1;
        }

        return maxField;
    }

    /// <summary>MSH, FHS and BHS carry the field separator as field 1 and the encoding characters as field 2.</summary>
    public static bool IsHeaderSegment(ReadOnlySpan<byte> segment) =>
        segment.Length >= 3 && (segment[0], segment[1], segment[2]) is
            ((byte)'M', (byte)'S', (byte)'H') or ((byte)'F', (byte)'H', (byte)'S') or ((byte)'B', (byte)'H', (byte)'S');

    /// <summary>A segment ID is three upper-case letters or digits, followed by the field separator or nothing.</summary>
    public static bool HasValidId(ReadOnlySpan<byte> segment, byte fieldSeparator) =>
        segment.Length >= 3 && IsIdByte(segment[0]) && IsIdByte(segment[1]) && IsIdByte(segment[2])
        && (segment.Length == 3 || segment[3] == fieldSeparator);

    /// <summary>Gets the first component of a raw field, trimmed of spaces (for coded header values such as MSH-11 or MSH-15).</summary>
    public static ReadOnlySpan<byte> FirstComponent(ReadOnlySpan<byte> field, byte componentSeparator)
    {
        int end = field.IndexOf(componentSeparator);
        return (end < 0 ? field : field[..end]).Trim((byte)' ');
    }

    /// <summary>
    /// Finds field <paramref name="field"/> (1-based, standard numbering) of a segment whose ID is valid.
    /// <paramref name="literal"/> is set for MSH-1 and MSH-2 (and FHS/BHS), which hold delimiters, not values.
    /// </summary>
    public static bool TryGetField(ReadOnlySpan<byte> segment, byte fieldSeparator, int field, out int start, out int length, out bool literal)
    {
        literal = false;
        start = 0;
        length = 0;
        if (segment.Length < 4 || field < 1)
        {
            return false;
        }

        int piece = field;
        if (IsHeaderSegment(segment))
        {
            if (field == 1)
            {
                start = 3;
                length = 1;
                literal = true;
                return true;
            }

            literal = field == 2;
            piece = field - 1;
        }

        if (!TryGetPiece(segment[4..], fieldSeparator, piece, out start, out length))
        {
            return false;
        }

        start += 4;
        return true;
    }

    private static bool IsIdByte(byte b) => b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9');
}
