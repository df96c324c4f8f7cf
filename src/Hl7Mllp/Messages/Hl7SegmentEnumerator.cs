using System.Text;

namespace Hl7Mllp.Messages;

/// <summary>
/// Enumerates the segments of a message in order without allocating, skipping blank lines. Use it in a
/// <c>foreach</c>; it is its own enumerable.
/// </summary>
public struct Hl7SegmentEnumerator
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly Hl7Delimiters _delimiters;
    private readonly Encoding _encoding;
    private int _position;

    internal Hl7SegmentEnumerator(ReadOnlyMemory<byte> bytes, Hl7Delimiters delimiters, Encoding encoding)
    {
        _bytes = bytes;
        _delimiters = delimiters;
        _encoding = encoding;
        _position = 0;
        Current = default;
    }

    /// <summary>Gets the segment at the current position.</summary>
    public Hl7Segment Current { readonly get; private set; }

    /// <summary>Returns this enumerator, so that it can be used in <c>foreach</c>.</summary>
    /// <returns>This enumerator.</returns>
    public readonly Hl7SegmentEnumerator GetEnumerator() => this;

    /// <summary>Moves to the next segment.</summary>
    /// <returns><see langword="false"/> when there are no more segments.</returns>
    public bool MoveNext()
    {
        if (!Hl7Scanner.TryReadSegment(_bytes.Span, ref _position, out int start, out int length))
        {
            return false;
        }

        Current = new Hl7Segment(_bytes.Slice(start, length), start, _delimiters, _encoding);
        return true;
    }
}
