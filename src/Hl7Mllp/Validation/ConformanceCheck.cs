using System.Buffers;
using System.Numerics;
using System.Text;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Validation;

/// <summary>
/// The accept path of <see cref="NamedFieldsValidator"/>: tells whether a segment conforms, that is whether the reporting
/// walk would find nothing in it with every check on. It follows the walk's rules exactly, on positions in the segment
/// and <see cref="DelimiterMasks"/> instead of span searches, and builds no findings; a segment it does not pass is walked
/// again the reporting way, so findings, their order and their texts come from one place.
/// </summary>
internal readonly ref struct ConformanceCheck
{
    private const int StackWords = 160;

    private readonly ReadOnlySpan<byte> _text;
    private readonly DelimiterMasks _masks;
    private readonly Hl7Delimiters _delimiters;
    private readonly bool _utf8;

    private ConformanceCheck(ReadOnlySpan<byte> text, Hl7Delimiters delimiters, Span<ulong> storage, bool utf8)
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
            return new ConformanceCheck(text, delimiters, storage, utf8).Segment(segment, definition);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<ulong>.Shared.Return(rented);
            }
        }
    }

    private bool Segment(CompiledSegment segment, NamedFieldsDefinition definition)
    {
        var fields = segment.Fields;
        var length = _text.Length;
        var number = 1;
        if (segment.IsHeader)
        {
            if (fields.Length > 0 && !Field(3, length > 3 ? 4 : 3, fields[0], fields[0], split: false))
            {
                return false;
            }

            number = 2;
        }

        if (length <= 3)
        {
            return number > segment.LastRequiredField;
        }

        // The field separators, popped lowest first: the end of each field in turn.
        var separators = _masks.Field;
        var word = 0;
        var bits = separators[0] & (ulong.MaxValue << 4);
        var start = 4;
        int valueTypeStart = 0, valueTypeEnd = 0;
        for (; number <= fields.Length; number++)
        {
            while (bits == 0 && ++word < separators.Length)
            {
                bits = separators[word];
            }

            var end = bits == 0 ? length : (word << 6) + BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;

            var element = fields[number - 1];
            var valueElement = element;
            if (segment.IsObservation && number == 2)
            {
                (valueTypeStart, valueTypeEnd) = (start, end);
            }
            else if (segment.IsObservation && number == 5 && element.Check == ValueCheck.None
                && definition.TryGetObservationValueType(_text[valueTypeStart..valueTypeEnd], out var resolved))
            {
                valueElement = resolved;
            }

            if (!Field(start, end, element, valueElement, split: number != 2 || !segment.IsHeader))
            {
                return false;
            }

            if (end == length)
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
        if (element.Check == ValueCheck.None || IsEmptyOrNull(start, end))
        {
            return true;
        }

        var value = _text[start..end];
        return DataTypeChecks.IsValid(element.Check, value) && (element.Table is not { } table || table.Contains(value, _utf8));
    }

    // The HL7 null "" passes every value check.
    private bool IsEmptyOrNull(int start, int end) => start == end || (end - start == 2 && _text[start] == '"' && _text[start + 1] == '"');

    private bool Composite(int start, int end, CompiledElement element, int depth)
    {
        var components = element.Components!;
        var separators = depth == 0 ? _masks.Component : _masks.Subcomponent;
        var separator = depth == 0 ? _delimiters.ComponentByte : _delimiters.SubcomponentByte;
        for (var index = 1; ; index++)
        {
            var partEnd = DelimiterMasks.Next(separators, start, end);
            if (index > components.Length)
            {
                // Trailing empty components (PID-5 "DOE^JOHN^^^^^^") carry nothing and are tolerated.
                return !_text[start..end].ContainsAnyExcept(separator);
            }

            if (!Value(start, partEnd, components[index - 1], depth + 1))
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
