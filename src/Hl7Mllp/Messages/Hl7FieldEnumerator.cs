using System.Text;

namespace Hl7Mllp.Messages;

/// <summary>
/// Enumerates the fields of a segment (field 1, 2, …) without allocating. Use it in a <c>foreach</c>; it is its
/// own enumerable.
/// </summary>
public struct Hl7FieldEnumerator
{
    private readonly Hl7Segment _segment;
    private readonly Encoding _encoding;
    private readonly bool _header;
    private int _next;
    private int _field;

    internal Hl7FieldEnumerator(Hl7Segment segment, Encoding encoding)
    {
        _segment = segment;
        _encoding = encoding;
        _header = Hl7Scanner.IsHeaderSegment(segment.Bytes.Span);
        _next = 4;
        _field = 0;
        Current = default;
    }

    /// <summary>Gets the field at the current position.</summary>
    public Hl7Value Current { readonly get; private set; }

    /// <summary>Gets the standard number of the current field (for MSH, 1 is the field separator).</summary>
    public readonly int FieldNumber => _field;

    /// <summary>Returns this enumerator, so that it can be used in <c>foreach</c>.</summary>
    /// <returns>This enumerator.</returns>
    public readonly Hl7FieldEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next field.</summary>
    /// <returns><see langword="false"/> when there are no more fields.</returns>
    public bool MoveNext()
    {
        ReadOnlyMemory<byte> bytes = _segment.Bytes;
        if (_next > bytes.Length)
        {
            return false;
        }

        _field++;
        if (_header && _field == 1)
        {
            Current = new Hl7Value(bytes.Slice(3, 1), _segment.Delimiters, _encoding, Hl7Level.Field, true);
            return true;
        }

        ReadOnlySpan<byte> rest = bytes.Span[_next..];
        int end = rest.IndexOf(_segment.Delimiters.FieldByte);
        int length = end < 0 ? rest.Length : end;
        Current = new Hl7Value(bytes.Slice(_next, length), _segment.Delimiters, _encoding, Hl7Level.Field, _header && _field == 2);
        _next += length + 1;
        return true;
    }
}
