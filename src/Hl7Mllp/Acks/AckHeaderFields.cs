using Hl7Mllp.Messages;

namespace Hl7Mllp.Acks;

/// <summary>The fields of an MSH segment, split once (fields 2 to <see cref="MaxField"/>), as raw bytes.</summary>
internal readonly ref struct AckHeaderFields
{
    /// <summary>The last MSH field the ACK builder reads (MSH-25, receiving network address).</summary>
    public const int MaxField = 25;

    /// <summary>The number of ints the caller provides for the split.</summary>
    public const int BufferLength = (MaxField + 1) * 2;

    private readonly ReadOnlySpan<byte> _segment;
    private readonly Span<int> _bounds;

    private AckHeaderFields(ReadOnlySpan<byte> segment, Span<int> bounds)
    {
        _segment = segment;
        _bounds = bounds;
    }

    /// <summary>Gets the number of fields present (MSH-1 counts), at most <see cref="MaxField"/>.</summary>
    public int Count { get; private init; }

    /// <summary>Gets a field's raw bytes; empty when absent.</summary>
    public ReadOnlySpan<byte> this[int field] =>
        field >= 2 && field <= Count ? _segment.Slice(_bounds[field * 2], _bounds[(field * 2) + 1]) : default;

    /// <summary>Splits an MSH segment (<c>MSH</c>, the field separator, then fields 2, 3, …); an empty span has no fields.</summary>
    public static AckHeaderFields Split(ReadOnlySpan<byte> segment, byte separator, Span<int> bounds)
    {
        int count = 0;
        if (segment.Length >= 4)
        {
            count = 1;
            Span<int> ends = stackalloc int[MaxField - 1];
            int found = Hl7Scanner.IndexesOf(segment[4..], separator, ends);
            int position = 4;
            while (count < MaxField)
            {
                int index = count - 1;
                int length = index < found ? 4 + ends[index] - position : segment.Length - position;
                count++;
                bounds[count * 2] = position;
                bounds[(count * 2) + 1] = length;
                if (index >= found)
                {
                    break;
                }

                position += length + 1;
            }
        }

        return new AckHeaderFields(segment, bounds) { Count = count };
    }

    /// <summary>Gets the first component of the first repetition of a field.</summary>
    public static ReadOnlySpan<byte> Component(ReadOnlySpan<byte> field, Hl7Delimiters delimiters, int component)
    {
        int repetitionEnd = field.IndexOf(delimiters.RepetitionByte);
        ReadOnlySpan<byte> first = repetitionEnd < 0 ? field : field[..repetitionEnd];
        return Hl7Scanner.TryGetPiece(first, delimiters.ComponentByte, component, out int start, out int length)
            ? first.Slice(start, length)
            : default;
    }

    /// <summary>Reads whether a version ID (MSH-12.1) is v2.5 or later; an empty or unreadable one counts as later.</summary>
    public static bool IsV25OrLater(ReadOnlySpan<byte> version)
    {
        version = version.Trim((byte)' ');
        if (version.Length < 3 || version[0] is < (byte)'0' or > (byte)'9' || version[1] != (byte)'.')
        {
            return true;
        }

        int major = version[0] - '0';
        int minor = 0;
        int i = 2;
        while (i < version.Length && version[i] is >= (byte)'0' and <= (byte)'9' && minor < 1000)
        {
            minor = (minor * 10) + (version[i] - '0');
            i++;
        }

        return i == 2 || major > 2 || (major == 2 && minor >= 5);
    }
}
