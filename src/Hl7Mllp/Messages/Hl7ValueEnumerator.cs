using System.Text;

namespace Hl7Mllp.Messages;

/// <summary>
/// Enumerates the repetitions, components or subcomponents of a value without allocating. Use it in a
/// <c>foreach</c>; it is its own enumerable.
/// </summary>
public struct Hl7ValueEnumerator
{
    private readonly ReadOnlyMemory<byte> _source;
    private readonly int _separator;
    private readonly Hl7Delimiters _delimiters;
    private readonly Encoding _encoding;
    private readonly Hl7Level _level;
    private readonly bool _literal;
    private int _next;

    internal Hl7ValueEnumerator(ReadOnlyMemory<byte> source, int separator, Hl7Delimiters delimiters, Encoding encoding, Hl7Level level, bool literal)
    {
        _source = source;
        _separator = separator;
        _delimiters = delimiters;
        _encoding = encoding;
        _level = level;
        _literal = literal;
        _next = source.IsEmpty ? 1 : 0;
        Current = default;
    }

    /// <summary>Gets the value at the current position.</summary>
    public Hl7Value Current { readonly get; private set; }

    /// <summary>Returns this enumerator, so that it can be used in <c>foreach</c>.</summary>
    /// <returns>This enumerator.</returns>
    public readonly Hl7ValueEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next value.</summary>
    /// <returns><see langword="false"/> when there are no more values.</returns>
    public bool MoveNext()
    {
        if (_next > _source.Length)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = _source.Span[_next..];
        int end = _separator < 0 ? -1 : rest.IndexOf((byte)_separator);
        int length = end < 0 ? rest.Length : end;
        Current = new Hl7Value(_source.Slice(_next, length), _delimiters, _encoding, _level, _literal);
        _next += length + 1;
        return true;
    }
}
