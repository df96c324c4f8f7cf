namespace Hl7Mllp.Messages;

/// <summary>
/// The delimiters of one message, read from MSH-1 (field separator) and MSH-2 (component, repetition,
/// escape and subcomponent characters, and the optional v2.7 truncation character).
/// </summary>
/// <remarks>Every delimiter is a single printable ASCII character that is not a letter or a digit.</remarks>
public readonly struct Hl7Delimiters : IEquatable<Hl7Delimiters>
{
    /// <summary>The standard delimiters <c>|^~\&amp;</c>.</summary>
    public static readonly Hl7Delimiters Default = new((byte)'|', (byte)'^', (byte)'~', (byte)'\\', (byte)'&', 0);

    internal Hl7Delimiters(byte field, byte component, byte repetition, byte escape, byte subcomponent, byte truncation)
    {
        FieldByte = field;
        ComponentByte = component;
        RepetitionByte = repetition;
        EscapeByte = escape;
        SubcomponentByte = subcomponent;
        TruncationByte = truncation;
    }

    /// <summary>Creates a set of delimiters, for building messages with non-standard ones.</summary>
    /// <param name="field">The field separator (MSH-1).</param>
    /// <param name="component">The component separator (MSH-2, first character).</param>
    /// <param name="repetition">The repetition separator (MSH-2, second character).</param>
    /// <param name="escape">The escape character (MSH-2, third character).</param>
    /// <param name="subcomponent">The subcomponent separator (MSH-2, fourth character).</param>
    /// <param name="truncation">The v2.7 truncation character (MSH-2, fifth character), or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">A character is not printable ASCII punctuation, or two are the same.</exception>
    public Hl7Delimiters(char field, char component, char repetition, char escape, char subcomponent, char? truncation = null)
    {
        ReadOnlySpan<char> all = [field, component, repetition, escape, subcomponent, truncation ?? field];
        int count = truncation is null ? 5 : 6;
        for (int i = 0; i < count; i++)
        {
            if (!IsDelimiter(all[i]) || all[..i].Contains(all[i]))
            {
                throw new ArgumentException("Delimiters must be distinct printable ASCII characters that are not letters or digits.");
            }
        }

        FieldByte = (byte)field;
        ComponentByte = (byte)component;
        RepetitionByte = (byte)repetition;
        EscapeByte = (byte)escape;
        SubcomponentByte = (byte)subcomponent;
        TruncationByte = (byte)(truncation ?? '\0');
    }

    /// <summary>Gets the field separator (MSH-1), usually <c>|</c>.</summary>
    public char Field => (char)FieldByte;

    /// <summary>Gets the component separator, usually <c>^</c>.</summary>
    public char Component => (char)ComponentByte;

    /// <summary>Gets the repetition separator, usually <c>~</c>.</summary>
    public char Repetition => (char)RepetitionByte;

    /// <summary>Gets the escape character, usually <c>\</c>.</summary>
    public char Escape => (char)EscapeByte;

    /// <summary>Gets the subcomponent separator, usually <c>&amp;</c>.</summary>
    public char Subcomponent => (char)SubcomponentByte;

    /// <summary>Gets the v2.7 truncation character (usually <c>#</c>), or <c>'\0'</c> when MSH-2 has only four characters.</summary>
    public char Truncation => (char)TruncationByte;

    /// <summary>Gets whether MSH-2 names a truncation character (five encoding characters).</summary>
    public bool HasTruncation => TruncationByte != 0;

    /// <summary>Gets the encoding characters as MSH-2 writes them, e.g. <c>^~\&amp;</c> or <c>^~\&amp;#</c>.</summary>
    public string EncodingCharacters => HasTruncation
        ? string.Create(null, stackalloc char[5], $"{Component}{Repetition}{Escape}{Subcomponent}{Truncation}")
        : string.Create(null, stackalloc char[4], $"{Component}{Repetition}{Escape}{Subcomponent}");

    internal byte FieldByte { get; }

    internal byte ComponentByte { get; }

    internal byte RepetitionByte { get; }

    internal byte EscapeByte { get; }

    internal byte SubcomponentByte { get; }

    internal byte TruncationByte { get; }

    internal int EncodingCharacterCount => HasTruncation ? 5 : 4;

    /// <inheritdoc />
    public bool Equals(Hl7Delimiters other) =>
        FieldByte == other.FieldByte && ComponentByte == other.ComponentByte && RepetitionByte == other.RepetitionByte
        && EscapeByte == other.EscapeByte && SubcomponentByte == other.SubcomponentByte && TruncationByte == other.TruncationByte;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Hl7Delimiters other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(FieldByte, ComponentByte, RepetitionByte, EscapeByte, SubcomponentByte, TruncationByte);

    /// <summary>Returns MSH-1 followed by MSH-2, e.g. <c>|^~\&amp;</c>.</summary>
    /// <returns>The delimiters as they open an MSH segment.</returns>
    public override string ToString() => Field + EncodingCharacters;

    /// <summary>Compares two sets of delimiters.</summary>
    /// <param name="left">The first set.</param>
    /// <param name="right">The second set.</param>
    /// <returns><see langword="true"/> when all delimiters are the same.</returns>
    public static bool operator ==(Hl7Delimiters left, Hl7Delimiters right) => left.Equals(right);

    /// <summary>Compares two sets of delimiters.</summary>
    /// <param name="left">The first set.</param>
    /// <param name="right">The second set.</param>
    /// <returns><see langword="true"/> when any delimiter differs.</returns>
    public static bool operator !=(Hl7Delimiters left, Hl7Delimiters right) => !left.Equals(right);

    /// <summary>A delimiter is printable ASCII punctuation: not a letter, digit, space or control character.</summary>
    internal static bool IsDelimiter(int c) => c is > 0x20 and < 0x7F && !char.IsAsciiLetterOrDigit((char)c);

    /// <summary>Whether a byte is one of the delimiters inside a field (component, repetition, escape, subcomponent, truncation).</summary>
    internal bool IsDelimiterByte(byte b) =>
        b == FieldByte || b == ComponentByte || b == RepetitionByte || b == EscapeByte || b == SubcomponentByte
        || (HasTruncation && b == TruncationByte);
}
