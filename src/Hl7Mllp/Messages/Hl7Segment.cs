using System.Text;

namespace Hl7Mllp.Messages;

/// <summary>
/// A view over one segment of a message (its bytes without the terminator). Fields are found on demand by
/// scanning; nothing is copied or allocated except by <see cref="Id"/>, <see cref="GetText"/> and <see cref="ToString"/>.
/// </summary>
public readonly struct Hl7Segment
{
    private readonly Encoding? _encoding;

    internal Hl7Segment(ReadOnlyMemory<byte> bytes, int position, Hl7Delimiters delimiters, Encoding encoding)
    {
        Bytes = bytes;
        Position = position;
        Delimiters = delimiters;
        _encoding = encoding;
    }

    /// <summary>Gets the bytes of the segment as they stand, without its terminator.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Gets the byte offset of the segment in <see cref="Hl7Message.Bytes"/>.</summary>
    public int Position { get; }

    /// <summary>Gets the delimiters of the message.</summary>
    public Hl7Delimiters Delimiters { get; }

    /// <summary>Gets the three bytes of the segment ID, without allocating.</summary>
    public ReadOnlySpan<byte> IdBytes => Bytes.Span[..Math.Min(3, Bytes.Length)];

    /// <summary>Gets the segment ID, e.g. <c>PID</c> (allocates a string; compare with <see cref="IsId"/> on hot paths).</summary>
    public string Id => Encoding.ASCII.GetString(IdBytes);

    /// <summary>Gets the number of fields, counted the standard way (for MSH, MSH-1 is the field separator).</summary>
    public int FieldCount
    {
        get
        {
            ReadOnlySpan<byte> span = Bytes.Span;
            if (span.Length < 4)
            {
                return 0;
            }

            int separators = span[3..].Count(Delimiters.FieldByte);
            return Hl7Scanner.IsHeaderSegment(span) ? separators + 1 : separators;
        }
    }

    /// <summary>Gets the fields 1, 2, … in order, without allocating.</summary>
    public Hl7FieldEnumerator Fields => new(this, TextEncoding);

    private Encoding TextEncoding => _encoding ?? Encoding.UTF8;

    /// <summary>Tells whether the segment has the given ID.</summary>
    /// <param name="id">A segment ID such as <c>PID</c>.</param>
    /// <returns><see langword="true"/> when the segment's ID is <paramref name="id"/> (ordinal comparison).</returns>
    public bool IsId(ReadOnlySpan<char> id)
    {
        ReadOnlySpan<byte> own = IdBytes;
        if (id.Length != 3 || own.Length != 3)
        {
            return false;
        }

        return own[0] == id[0] && own[1] == id[1] && own[2] == id[2];
    }

    /// <summary>Gets a field by its standard number.</summary>
    /// <param name="field">The 1-based field number (for MSH, 1 is the field separator and 2 the encoding characters).</param>
    /// <returns>The field, or an empty value when the segment has no such field.</returns>
    public Hl7Value GetField(int field)
    {
        TryGetField(field, out Hl7Value value);
        return value;
    }

    /// <summary>Gets a field by its standard number, telling whether it is present.</summary>
    /// <param name="field">The 1-based field number (for MSH, 1 is the field separator and 2 the encoding characters).</param>
    /// <param name="value">The field, or an empty value when it is absent.</param>
    /// <returns><see langword="true"/> when the segment reaches that field (it may still be empty).</returns>
    public bool TryGetField(int field, out Hl7Value value)
    {
        if (!Hl7Scanner.TryGetField(Bytes.Span, Delimiters.FieldByte, field, out int start, out int length, out bool literal))
        {
            value = default;
            return false;
        }

        value = new Hl7Value(Bytes.Slice(start, length), Delimiters, TextEncoding, Hl7Level.Field, literal);
        return true;
    }

    /// <summary>Decodes the whole segment as it stands (escape sequences are not resolved).</summary>
    /// <returns>The segment text. It is content (PHI): never log it or put it in an exception message.</returns>
    public string GetText() => TextEncoding.GetString(Bytes.Span);

    /// <summary>
    /// Describes the segment without its content, e.g. <c>PID at byte 120, 45 bytes, 13 fields</c>, so that a segment
    /// passed to a logger or interpolated into an exception message cannot leak PHI (use <see cref="GetText"/> for the text).
    /// </summary>
    /// <returns>The segment ID, position and sizes.</returns>
    public override string ToString() => Bytes.IsEmpty
        ? "empty Hl7Segment"
        : $"{Id} at byte {Position}, {Bytes.Length} bytes, {FieldCount} fields";
}
