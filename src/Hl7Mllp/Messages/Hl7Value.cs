using System.Text;

namespace Hl7Mllp.Messages;

/// <summary>
/// A view over one field, repetition, component or subcomponent of a message: the bytes as they stand
/// (escaped), split further on demand, decoded and unescaped only by <see cref="ToString"/>.
/// </summary>
/// <remarks>Valid as long as the message bytes are; copying the struct copies no bytes.</remarks>
public readonly struct Hl7Value
{
    private readonly Encoding? _encoding;
    private readonly Hl7Level _level;
    private readonly bool _literal;

    internal Hl7Value(ReadOnlyMemory<byte> bytes, Hl7Delimiters delimiters, Encoding encoding, Hl7Level level, bool literal)
    {
        Bytes = bytes;
        Delimiters = delimiters;
        _encoding = encoding;
        _level = level;
        _literal = literal;
    }

    /// <summary>Gets the bytes of the value as they stand in the message, escape sequences and separators included.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Gets the delimiters of the message the value belongs to.</summary>
    public Hl7Delimiters Delimiters { get; }

    /// <summary>Gets whether the value has no bytes (an empty or absent field).</summary>
    public bool IsEmpty => Bytes.IsEmpty;

    /// <summary>Gets the repetitions of a field; a repetition, component or subcomponent yields itself. An empty value yields nothing.</summary>
    public Hl7ValueEnumerator Repetitions => _level == Hl7Level.Field
        ? Split(Delimiters.RepetitionByte, Hl7Level.Repetition)
        : Split(-1, _level);

    /// <summary>Gets the components of a repetition (of the first repetition, for a field). An empty value yields nothing.</summary>
    public Hl7ValueEnumerator Components => _level < Hl7Level.Component
        ? FirstRepetition().Split(Delimiters.ComponentByte, Hl7Level.Component)
        : Split(-1, _level);

    /// <summary>Gets the subcomponents of a component (of the first component, for a field or repetition). An empty value yields nothing.</summary>
    public Hl7ValueEnumerator Subcomponents => _level < Hl7Level.Subcomponent
        ? GetComponent(1).Split(Delimiters.SubcomponentByte, Hl7Level.Subcomponent)
        : Split(-1, _level);

    private Encoding TextEncoding => _encoding ?? Encoding.UTF8;

    /// <summary>Gets a repetition of a field.</summary>
    /// <param name="repetition">The 1-based repetition.</param>
    /// <returns>The repetition, or an empty value when there is no such repetition.</returns>
    public Hl7Value GetRepetition(int repetition)
    {
        TryGetRepetition(repetition, out Hl7Value value);
        return value;
    }

    /// <summary>Gets a component (of the first repetition, for a field).</summary>
    /// <param name="component">The 1-based component.</param>
    /// <returns>The component, or an empty value when there is no such component.</returns>
    public Hl7Value GetComponent(int component)
    {
        TryGetComponent(component, out Hl7Value value);
        return value;
    }

    /// <summary>Gets a subcomponent (of the first component, for a field or repetition).</summary>
    /// <param name="subcomponent">The 1-based subcomponent.</param>
    /// <returns>The subcomponent, or an empty value when there is no such subcomponent.</returns>
    public Hl7Value GetSubcomponent(int subcomponent)
    {
        TryGetSubcomponent(subcomponent, out Hl7Value value);
        return value;
    }

    /// <summary>Decodes the value with the message's text encoding and resolves its escape sequences.</summary>
    /// <returns>The text; empty for an empty value. MSH-1 and MSH-2 are returned as written.</returns>
    public override string ToString() => _literal
        ? TextEncoding.GetString(Bytes.Span)
        : Hl7Escaping.Unescape(Bytes.Span, Delimiters, TextEncoding);

    internal bool TryGetRepetition(int repetition, out Hl7Value value) => _level == Hl7Level.Field
        ? TryGetPiece(Delimiters.RepetitionByte, repetition, Hl7Level.Repetition, out value)
        : TrySelf(repetition, out value);

    internal bool TryGetComponent(int component, out Hl7Value value)
    {
        if (_level >= Hl7Level.Component)
        {
            return TrySelf(component, out value);
        }

        return FirstRepetition().TryGetPiece(Delimiters.ComponentByte, component, Hl7Level.Component, out value);
    }

    internal bool TryGetSubcomponent(int subcomponent, out Hl7Value value)
    {
        if (_level == Hl7Level.Subcomponent)
        {
            return TrySelf(subcomponent, out value);
        }

        if (!TryGetComponent(1, out Hl7Value component))
        {
            value = default;
            return false;
        }

        return component.TryGetPiece(Delimiters.SubcomponentByte, subcomponent, Hl7Level.Subcomponent, out value);
    }

    /// <summary>Resolves the repetition, component and subcomponent a key names below its field.</summary>
    internal bool TryResolve(in Hl7Key key, out Hl7Value value)
    {
        value = this;
        if (key.Repetition == 0 && key.Component == 0)
        {
            return true;
        }

        if (!TryGetRepetition(key.Repetition == 0 ? 1 : key.Repetition, out value))
        {
            return false;
        }

        if (key.Component == 0)
        {
            return true;
        }

        if (!value.TryGetComponent(key.Component, out value))
        {
            return false;
        }

        if (key.Subcomponent == 0)
        {
            return true;
        }

        return value.TryGetSubcomponent(key.Subcomponent, out value);
    }

    private Hl7Value FirstRepetition() => _level == Hl7Level.Field && !_literal
        ? GetRepetition(1)
        : this;

    private bool TrySelf(int index, out Hl7Value value)
    {
        value = index == 1 ? this : default;
        return index == 1;
    }

    private bool TryGetPiece(byte separator, int index, Hl7Level level, out Hl7Value value)
    {
        if (_literal)
        {
            return TrySelf(index, out value);
        }

        if (!Hl7Scanner.TryGetPiece(Bytes.Span, separator, index, out int start, out int length))
        {
            value = default;
            return false;
        }

        value = new Hl7Value(Bytes.Slice(start, length), Delimiters, TextEncoding, level, false);
        return true;
    }

    private Hl7ValueEnumerator Split(int separator, Hl7Level level) =>
        new(Bytes, _literal ? -1 : separator, Delimiters, TextEncoding, level, _literal);
}
