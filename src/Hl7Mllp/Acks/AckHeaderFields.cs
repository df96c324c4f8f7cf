using Hl7Mllp.Messages;

namespace Hl7Mllp.Acks;

/// <summary>The fields of an MSH segment, split once (fields 2 to <see cref="MaxField"/>), as raw bytes.</summary>
internal readonly ref struct AckHeaderFields
{
    /// <summary>The last MSH field the ACK builder reads (MSH-25, receiving network address).</summary>
    public const int MaxField = 25;

    /// <summary>The number of ranges the caller provides for the split.</summary>
    public const int BufferLength = MaxField + 1;

    private readonly ReadOnlySpan<byte> _segment;
    private readonly Span<Range> _fields;

    private AckHeaderFields(ReadOnlySpan<byte> segment, Span<Range> fields)
    {
        _segment = segment;
        _fields = fields;
    }

    /// <summary>Gets the number of fields present (MSH-1 counts), at most <see cref="MaxField"/>.</summary>
    public int Count { get; private init; }

    /// <summary>Gets a field's raw bytes; empty when absent.</summary>
    public ReadOnlySpan<byte> this[int field] =>
        field >= 2 && field <= Count ? _segment[_fields[field]] : default;

    /// <summary>Splits an MSH segment (<c>MSH</c>, the field separator, then fields 2, 3, …); an empty span has no fields.</summary>
    public static AckHeaderFields Split(ReadOnlySpan<byte> segment, byte separator, Span<Range> fields)
    {
        fields = fields[..BufferLength];
        return new AckHeaderFields(segment, fields) { Count = Hl7Scanner.SplitHeader(segment, separator, fields) };
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
