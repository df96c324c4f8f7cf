using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Validation;

/// <summary>
/// The accept path of <see cref="NamedFieldsValidator"/>: tells whether a segment conforms, that is whether the reporting
/// walk would find nothing in it with every check on. It follows the walk's rules exactly, on positions in the text
/// and <see cref="DelimiterMasks"/> instead of span searches, and builds no findings; a segment it does not pass is walked
/// again the reporting way, so findings, their order and their texts come from one place. The masks are built once for
/// the whole text (a message), and each segment is checked on its range of it.
/// </summary>
internal readonly ref struct ConformanceCheck
{
    /// <summary>The words of mask storage worth taking from the stack: messages up to 3 KB.</summary>
    public const int StackWords = 240;

    private readonly ReadOnlySpan<byte> _text;
    private readonly DelimiterMasks _masks;
    private readonly Hl7Delimiters _delimiters;
    private readonly bool _utf8;

    /// <summary>Marks the delimiters of <paramref name="text"/> (UTF-8 when <paramref name="utf8"/>, else one character per byte) in <paramref name="storage"/>, at least <see cref="DelimiterMasks.StorageLength"/> words.</summary>
    public ConformanceCheck(ReadOnlySpan<byte> text, bool utf8, Hl7Delimiters delimiters, Span<ulong> storage)
    {
        _text = text;
        _masks = new DelimiterMasks(text, delimiters, storage);
        _delimiters = delimiters;
        _utf8 = utf8;
    }

    /// <summary>Whether the segment <paramref name="text"/> (UTF-8 when <paramref name="utf8"/>, else one character per byte) conforms to <paramref name="segment"/>.</summary>
    public static bool Conforms(ReadOnlySpan<byte> text, bool utf8, CompiledSegment segment, Hl7Delimiters delimiters, NamedFieldsDefinition definition)
    {
        var words = DelimiterMasks.StorageLength(text.Length);
        ulong[]? rented = null;
        var storage = words <= StackWords ? stackalloc ulong[words] : (rented = ArrayPool<ulong>.Shared.Rent(words));
        try
        {
            return new ConformanceCheck(text, utf8, delimiters, storage).Conforms(0, text.Length, segment, definition);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<ulong>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Whether the segment at [<paramref name="segmentStart"/>, <paramref name="segmentEnd"/>) of the text conforms to <paramref name="segment"/>.</summary>
    public bool Conforms(int segmentStart, int segmentEnd, CompiledSegment segment, NamedFieldsDefinition definition)
    {
        var fields = segment.Fields;
        var number = 1;
        if (segment.IsHeader)
        {
            if (fields.Length > 0 && !Field(segmentStart + 3, Math.Min(segmentStart + 4, segmentEnd), fields[0], fields[0], split: false))
            {
                return false;
            }

            number = 2;
        }

        if (segmentEnd - segmentStart <= 3)
        {
            return number > segment.LastRequiredField;
        }

        // The field separators, popped lowest first: the end of each field in turn (past the segment: its end).
        var separators = _masks.Field;
        var start = segmentStart + 4;
        var word = start >> 6;
        var bits = separators[word] & (ulong.MaxValue << start);
        var isObservation = segment.IsObservation;
        var splitSecond = !segment.IsHeader;
        int valueTypeStart = 0, valueTypeEnd = 0;
        for (; number <= fields.Length; number++)
        {
            while (bits == 0 && (++word << 6) < segmentEnd)
            {
                bits = separators[word];
            }

            var end = bits == 0 ? segmentEnd : Math.Min((word << 6) + BitOperations.TrailingZeroCount(bits), segmentEnd);
            bits &= bits - 1;

            var element = fields[number - 1];
            if (start == end)
            {
                // An empty field: only a required one is a finding.
                if (element.Required)
                {
                    return false;
                }
            }
            else
            {
                var valueElement = element;
                if (isObservation && number == 2)
                {
                    (valueTypeStart, valueTypeEnd) = (start, end);
                }
                else if (isObservation && number == 5 && element.Check == ValueCheck.None
                    && definition.TryGetObservationValueType(_text[valueTypeStart..valueTypeEnd], out var resolved))
                {
                    valueElement = resolved;
                }

                if (!Field(start, end, element, valueElement, split: number != 2 || splitSecond))
                {
                    return false;
                }
            }

            if (end == segmentEnd)
            {
                // The rest of the defined fields are absent: only a required one among them is a finding.
                return number >= segment.LastRequiredField;
            }

            start = end + 1;
        }

        return true;
    }

    private bool Field(int start, int end, CompiledElement element, CompiledElement valueElement, bool split)
    {
        if (start == end)
        {
            return !element.Required;
        }

        if (!split)
        {
            return LengthConforms(start, end, element);
        }

        if (!DelimiterMasks.Any(_masks.Structure, start, end))
        {
            // One repetition holding one value: the common case, checked as its leaf.
            return LengthConforms(start, end, element) && Primitive(start, end, valueElement.Leaf);
        }

        for (var repetition = 1; ; repetition++)
        {
            var repetitionEnd = DelimiterMasks.Next(_masks.Repetition, start, end);
            if (repetition == element.MaxRepetitions + 1 && element.MaxRepetitions > 0)
            {
                return false;
            }

            if (!LengthConforms(start, repetitionEnd, element) || !Value(start, repetitionEnd, valueElement, depth: 0))
            {
                return false;
            }

            if (repetitionEnd == end)
            {
                return true;
            }

            start = repetitionEnd + 1;
        }
    }

    private bool LengthConforms(int start, int end, CompiledElement element)
    {
        // A UTF-8 character takes at least one byte: only a value longer in bytes can be longer in characters.
        var max = element.MaxLength;
        return max == 0 || end - start <= max || (_utf8 && Encoding.UTF8.GetCharCount(_text[start..end]) <= max);
    }

    // depth 0 = a field repetition, 1 = a component, 2 = a subcomponent.
    private bool Value(int start, int end, CompiledElement element, int depth)
    {
        if (element.Check == ValueCheck.Composite)
        {
            return IsEmptyOrNull(start, end) || Composite(start, end, element, depth);
        }

        // A primitive value holds no separators of a lower level: ER7 would have split it there.
        return element.Check == ValueCheck.None
            || IsEmptyOrNull(start, end)
            || (!(depth == 0 && DelimiterMasks.Any(_masks.Component, start, end))
                && !(depth <= 1 && DelimiterMasks.Any(_masks.Subcomponent, start, end))
                && Primitive(start, end, element));
    }

    // A value without lower separators, checked as the primitive (or unchecked) element.
    private bool Primitive(int start, int end, CompiledElement element)
    {
        var check = element.Check;
        if (check == ValueCheck.None || IsEmptyOrNull(start, end))
        {
            return true;
        }

        var value = _text[start..end];
        return (check == ValueCheck.Text || DataTypeChecks.IsValid(check, value)) && (element.Table is not { } table || table.Contains(value, _utf8));
    }

    // The HL7 null "" passes every value check.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsEmptyOrNull(int start, int end) => start == end || (end - start == 2 && _text[start] == '"' && _text[start + 1] == '"');

    private bool Composite(int start, int end, CompiledElement element, int depth)
    {
        var components = element.Components!;
        var separators = depth == 0 ? _masks.Component : _masks.Subcomponent;

        // Without lower separators each part is a single leaf: a component is then checked as its first subcomponent,
        // and a subcomponent (depth 2) never holds separators.
        var leaves = depth != 0 || !DelimiterMasks.Any(_masks.Subcomponent, start, end);
        var word = start >> 6;
        var bits = separators[word] & (ulong.MaxValue << start);
        for (var index = 1; ; index++)
        {
            while (bits == 0 && (++word << 6) < end)
            {
                bits = separators[word];
            }

            var partEnd = bits == 0 ? end : Math.Min((word << 6) + BitOperations.TrailingZeroCount(bits), end);
            bits &= bits - 1;
            if (index > components.Length)
            {
                // Trailing empty components (PID-5 "DOE^JOHN^^^^^^") carry nothing and are tolerated.
                return !_text[start..end].ContainsAnyExcept(depth == 0 ? _delimiters.ComponentByte : _delimiters.SubcomponentByte);
            }

            var component = components[index - 1];
            if (!(leaves ? Primitive(start, partEnd, component.Leaf) : Value(start, partEnd, component, depth + 1)))
            {
                return false;
            }

            if (partEnd == end)
            {
                return true;
            }

            start = partEnd + 1;
        }
    }
}
