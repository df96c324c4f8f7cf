using System.Diagnostics.CodeAnalysis;

namespace Hl7Mllp.Messages;

/// <summary>
/// A parsed HL7 key that names a value in a message: <c>MSH.10</c>, <c>PID.3.1</c>, <c>PID.3[2].1</c>
/// (repetition), <c>OBX[3].5</c> (segment occurrence), <c>PID.5.1.1</c> (subcomponent). Indexes are 1-based;
/// <c>-</c> may be used instead of the first <c>.</c> (<c>MSH-10</c>). The grammar is in <c>docs/hl7-keys.md</c>.
/// </summary>
/// <remarks>Parse a key once and reuse it on hot paths; the value is immutable and thread-safe.</remarks>
public readonly struct Hl7Key : IEquatable<Hl7Key>
{
    /// <summary>The largest index a key may use for an occurrence, field, repetition, component or subcomponent.</summary>
    public const int MaxIndex = 99999;

    private readonly int _segmentId;

    private Hl7Key(int segmentId, int occurrence, int field, int repetition, int component, int subcomponent)
    {
        _segmentId = segmentId;
        Occurrence = occurrence;
        Field = field;
        Repetition = repetition;
        Component = component;
        Subcomponent = subcomponent;
    }

    /// <summary>Gets the three-character segment ID, e.g. <c>PID</c>.</summary>
    public string SegmentId => string.Create(3, this, static (span, key) => key.CopySegmentIdTo(span));

    /// <summary>Gets the 1-based occurrence of the segment in the message (1 when the key does not say).</summary>
    public int Occurrence { get; }

    /// <summary>Gets the 1-based field number (MSH-1 is the field separator, MSH-2 the encoding characters).</summary>
    public int Field { get; }

    /// <summary>Gets the 1-based repetition, or 0 when the key does not name one (the whole field, or the first repetition when a component is named).</summary>
    public int Repetition { get; }

    /// <summary>Gets the 1-based component, or 0 when the key names the whole field or repetition.</summary>
    public int Component { get; }

    /// <summary>Gets the 1-based subcomponent, or 0 when the key names the whole component.</summary>
    public int Subcomponent { get; }

    internal int PackedSegmentId => _segmentId;

    /// <summary>Parses a key.</summary>
    /// <param name="key">The key text, e.g. <c>PID.3[2].1</c>.</param>
    /// <returns>The parsed key.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> does not follow the key grammar.</exception>
    public static Hl7Key Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Parse(key.AsSpan());
    }

    /// <summary>Parses a key.</summary>
    /// <param name="key">The key text, e.g. <c>PID.3[2].1</c>.</param>
    /// <returns>The parsed key.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> does not follow the key grammar.</exception>
    public static Hl7Key Parse(ReadOnlySpan<char> key) =>
        TryParse(key, out Hl7Key result)
            ? result
            : throw new ArgumentException("Not an HL7 key such as MSH.10, PID.3[2].1 or OBX[3].5.", nameof(key));

    /// <summary>Tries to parse a key.</summary>
    /// <param name="key">The key text, e.g. <c>PID.3[2].1</c>.</param>
    /// <param name="result">The parsed key, or the default value when parsing failed.</param>
    /// <returns><see langword="true"/> when <paramref name="key"/> follows the key grammar.</returns>
    public static bool TryParse([NotNullWhen(true)] string? key, out Hl7Key result) => TryParse(key.AsSpan(), out result);

    /// <summary>Tries to parse a key.</summary>
    /// <param name="key">The key text, e.g. <c>PID.3[2].1</c>.</param>
    /// <param name="result">The parsed key, or the default value when parsing failed.</param>
    /// <returns><see langword="true"/> when <paramref name="key"/> follows the key grammar.</returns>
    public static bool TryParse(ReadOnlySpan<char> key, out Hl7Key result)
    {
        result = default;
        if (key.Length < 5)
        {
            return false;
        }

        int segmentId = 0;
        for (int i = 0; i < 3; i++)
        {
            char c = char.ToUpperInvariant(key[i]);
            if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }

            segmentId = (segmentId << 8) | c;
        }

        int pos = 3;
        int occurrence = 1;
        if (!TryReadIndex(key, ref pos, out int occurrenceIndex))
        {
            return false;
        }

        if (occurrenceIndex > 0)
        {
            occurrence = occurrenceIndex;
        }

        if (pos >= key.Length || (key[pos] != '.' && key[pos] != '-'))
        {
            return false;
        }

        pos++;
        if (!TryReadNumber(key, ref pos, out int field) || !TryReadIndex(key, ref pos, out int repetition))
        {
            return false;
        }

        int component = 0;
        int subcomponent = 0;
        if (pos < key.Length && !TryReadPart(key, ref pos, out component))
        {
            return false;
        }

        if (pos < key.Length && !TryReadPart(key, ref pos, out subcomponent))
        {
            return false;
        }

        if (pos != key.Length)
        {
            return false;
        }

        result = new Hl7Key(segmentId, occurrence, field, repetition, component, subcomponent);
        return true;
    }

    /// <summary>Creates a key from its parts.</summary>
    /// <param name="segmentId">The three-character segment ID (letters are upper-cased).</param>
    /// <param name="field">The 1-based field number.</param>
    /// <param name="repetition">The 1-based repetition, or 0 for none.</param>
    /// <param name="component">The 1-based component, or 0 for none.</param>
    /// <param name="subcomponent">The 1-based subcomponent, or 0 for none.</param>
    /// <param name="occurrence">The 1-based segment occurrence; default 1.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">The segment ID is not three letters or digits, or a subcomponent is named without a component.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside 1…<see cref="MaxIndex"/> (0 allowed where "none" is).</exception>
    public static Hl7Key Create(string segmentId, int field, int repetition = 0, int component = 0, int subcomponent = 0, int occurrence = 1)
    {
        ArgumentNullException.ThrowIfNull(segmentId);
        if (!TryParse($"{segmentId}.1", out Hl7Key segment))
        {
            throw new ArgumentException("A segment ID is three letters or digits.", nameof(segmentId));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(field, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(field, MaxIndex);
        ArgumentOutOfRangeException.ThrowIfLessThan(occurrence, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(occurrence, MaxIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(repetition);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(repetition, MaxIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(component);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(component, MaxIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(subcomponent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(subcomponent, MaxIndex);
        if (subcomponent > 0 && component == 0)
        {
            throw new ArgumentException("A subcomponent needs a component.", nameof(subcomponent));
        }

        return new Hl7Key(segment._segmentId, occurrence, field, repetition, component, subcomponent);
    }

    /// <summary>Writes the three characters of <see cref="SegmentId"/>, so callers can find the segment without allocating.</summary>
    internal void CopySegmentIdTo(Span<char> destination)
    {
        destination[0] = (char)((_segmentId >> 16) & 0xFF);
        destination[1] = (char)((_segmentId >> 8) & 0xFF);
        destination[2] = (char)(_segmentId & 0xFF);
    }

    /// <inheritdoc />
    public bool Equals(Hl7Key other) =>
        _segmentId == other._segmentId && Occurrence == other.Occurrence && Field == other.Field
        && Repetition == other.Repetition && Component == other.Component && Subcomponent == other.Subcomponent;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Hl7Key other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_segmentId, Occurrence, Field, Repetition, Component, Subcomponent);

    /// <summary>Returns the key in its canonical form, e.g. <c>OBX[3].5</c> or <c>PID.3[2].1</c>.</summary>
    /// <returns>The key text; an occurrence of 1 is not written.</returns>
    public override string ToString()
    {
        if (_segmentId == 0)
        {
            return string.Empty;
        }

        string occurrence = Occurrence > 1 ? $"[{Occurrence}]" : string.Empty;
        string repetition = Repetition > 0 ? $"[{Repetition}]" : string.Empty;
        string component = Component > 0 ? $".{Component}" : string.Empty;
        string subcomponent = Subcomponent > 0 ? $".{Subcomponent}" : string.Empty;
        return $"{SegmentId}{occurrence}.{Field}{repetition}{component}{subcomponent}";
    }

    /// <summary>Compares two keys.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns><see langword="true"/> when both name the same value.</returns>
    public static bool operator ==(Hl7Key left, Hl7Key right) => left.Equals(right);

    /// <summary>Compares two keys.</summary>
    /// <param name="left">The first key.</param>
    /// <param name="right">The second key.</param>
    /// <returns><see langword="true"/> when they name different values.</returns>
    public static bool operator !=(Hl7Key left, Hl7Key right) => !left.Equals(right);

    private static bool TryReadPart(ReadOnlySpan<char> key, ref int pos, out int value)
    {
        value = 0;
        if (key[pos] != '.')
        {
            return false;
        }

        pos++;
        return TryReadNumber(key, ref pos, out value);
    }

    /// <summary>Reads an optional <c>[n]</c>; <paramref name="value"/> is 0 when there is none.</summary>
    private static bool TryReadIndex(ReadOnlySpan<char> key, ref int pos, out int value)
    {
        value = 0;
        if (pos >= key.Length || key[pos] != '[')
        {
            return true;
        }

        pos++;
        if (!TryReadNumber(key, ref pos, out value) || pos >= key.Length || key[pos] != ']')
        {
            return false;
        }

        pos++;
        return true;
    }

    private static bool TryReadNumber(ReadOnlySpan<char> key, ref int pos, out int value)
    {
        value = 0;
        int start = pos;
        while (pos < key.Length && char.IsAsciiDigit(key[pos]))
        {
            value = (value * 10) + (key[pos] - '0');
            pos++;
            if (value > MaxIndex)
            {
                return false;
            }
        }

        return pos > start && value >= 1;
    }
}
