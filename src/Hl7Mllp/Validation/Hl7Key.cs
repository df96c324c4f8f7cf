namespace Hl7Mllp.Validation;

/// <summary>
/// A parsed HL7 key: <c>SEG[occurrence].field[repetition].component.subcomponent</c>, every part after the
/// segment ID optional (<c>PID</c>, <c>PID.3</c>, <c>OBX[2].5</c>, <c>PID.3[2].4.1</c>).
/// </summary>
/// <remarks>
/// Validation parses keys only when a rule is parsed, never per message. When the Messages part lands,
/// its key parser can replace this one; the grammar is the same.
/// </remarks>
internal readonly record struct Hl7Key(
    string SegmentId,
    int SegmentOccurrence,
    int Field,
    int Repetition,
    int Component,
    int Subcomponent)
{
    /// <summary>The largest index a key may carry; bigger numbers are refused, not wrapped.</summary>
    private const int MaxIndex = 999_999;

    public Hl7Location ToLocation() => new(
        SegmentId,
        SegmentOccurrence == 0 ? 1 : SegmentOccurrence,
        Field,
        Field > 0 && Repetition == 0 ? 1 : Repetition,
        Component,
        Subcomponent);

    /// <summary>Whether <paramref name="c"/> may appear in a segment ID (uppercase letters and digits).</summary>
    public static bool IsSegmentIdChar(char c) => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c);

    public static bool TryParse(ReadOnlySpan<char> text, out Hl7Key key)
    {
        key = default;
        if (text.Length < 3 || !char.IsAsciiLetterUpper(text[0]) || !IsSegmentIdChar(text[1]) || !IsSegmentIdChar(text[2]))
        {
            return false;
        }

        var position = 3;
        if (!TryReadBracket(text, ref position, out var occurrence))
        {
            return false;
        }

        Span<int> parts = stackalloc int[3];
        var repetition = 0;
        var count = 0;
        while (position < text.Length)
        {
            if (text[position] != '.' || count == parts.Length || !TryReadNumber(text, ref position, out parts[count]))
            {
                return false;
            }

            // Only the field may carry a repetition index: PID.3[2].1.
            if (count == 0 && !TryReadBracket(text, ref position, out repetition))
            {
                return false;
            }

            count++;
        }

        key = new Hl7Key(text[..3].ToString(), occurrence, parts[0], repetition, parts[1], parts[2]);
        return true;
    }

    // Reads ".n" (n >= 1) starting at the dot.
    private static bool TryReadNumber(ReadOnlySpan<char> text, ref int position, out int value)
    {
        position++;
        return TryReadDigits(text, ref position, out value);
    }

    // Reads an optional "[n]" (n >= 1); 0 when absent.
    private static bool TryReadBracket(ReadOnlySpan<char> text, ref int position, out int value)
    {
        value = 0;
        if (position >= text.Length || text[position] != '[')
        {
            return true;
        }

        position++;
        if (!TryReadDigits(text, ref position, out value) || position >= text.Length || text[position] != ']')
        {
            return false;
        }

        position++;
        return true;
    }

    private static bool TryReadDigits(ReadOnlySpan<char> text, ref int position, out int value)
    {
        value = 0;
        var start = position;
        while (position < text.Length && char.IsAsciiDigit(text[position]))
        {
            value = (value * 10) + (text[position] - '0');
            position++;
            if (value > MaxIndex)
            {
                return false;
            }
        }

        return position > start && value > 0;
    }
}
