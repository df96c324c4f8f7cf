using System.Text;

namespace Hl7Mllp.Messages;

/// <summary>
/// A zero-copy view over the bytes of one HL7 v2 ER7 message. Parsing checks the MSH header and every segment ID
/// and counts the segments, without allocating; fields are found by scanning when asked for, and text is decoded
/// (and unescaped) only by the methods that return strings.
/// </summary>
/// <remarks>
/// Segments may end with CR (the standard), LF or CRLF, mixed; the last terminator may be missing; blank lines are
/// skipped and not counted; a leading UTF-8 BOM and line breaks before MSH are skipped. The view is valid as long as the bytes are; it is
/// immutable and thread-safe.
/// </remarks>
public readonly struct Hl7Message
{
    internal static readonly Hl7Key ControlIdKey = Hl7Key.Create("MSH", 10);
    internal static readonly Hl7Key MessageTypeKey = Hl7Key.Create("MSH", 9, component: 1);
    private static readonly Hl7Key TriggerEventKey = Hl7Key.Create("MSH", 9, component: 2);
    private static readonly Hl7Key MessageStructureKey = Hl7Key.Create("MSH", 9, component: 3);
    internal static readonly Hl7Key ProcessingIdKey = Hl7Key.Create("MSH", 11, component: 1);
    private static readonly Hl7Key VersionKey = Hl7Key.Create("MSH", 12, component: 1);
    private static readonly Hl7Key ContinuationPointerKey = Hl7Key.Create("MSH", 14);
    private static readonly Hl7Key AcceptAckTypeKey = Hl7Key.Create("MSH", 15);
    private static readonly Hl7Key ApplicationAckTypeKey = Hl7Key.Create("MSH", 16);
    private static readonly Hl7Key CharacterSetKey = Hl7Key.Create("MSH", 18, component: 1);

    private readonly Encoding? _encoding;

    private Hl7Message(ReadOnlyMemory<byte> bytes, int offset, Hl7Delimiters delimiters, Encoding encoding, int segmentCount)
    {
        Bytes = bytes;
        Offset = offset;
        Delimiters = delimiters;
        _encoding = encoding;
        SegmentCount = segmentCount;
    }

    /// <summary>Gets the bytes of the message, starting at MSH (a leading UTF-8 BOM and line breaks are skipped).</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Gets the number of bytes skipped before <see cref="Bytes"/>: 3 for a UTF-8 BOM, plus any CR or LF before MSH.</summary>
    public int Offset { get; }

    /// <summary>Gets the delimiters read from MSH-1 and MSH-2.</summary>
    public Hl7Delimiters Delimiters { get; }

    /// <summary>Gets the text encoding used to decode values: <see cref="Hl7ParseOptions.Encoding"/>, else the one MSH-18 names, else <see cref="Hl7ParseOptions.FallbackEncoding"/>.</summary>
    public Encoding Encoding => _encoding ?? Encoding.UTF8;

    /// <summary>Gets the number of segments (blank lines are not counted).</summary>
    public int SegmentCount { get; }

    /// <summary>Gets the segments in order, without allocating.</summary>
    public Hl7SegmentEnumerator Segments => new(Bytes, Delimiters, Encoding);

    /// <summary>Gets the MSH segment.</summary>
    public Hl7Segment Header
    {
        get
        {
            Hl7SegmentEnumerator segments = Segments;
            return segments.MoveNext() ? segments.Current : default;
        }
    }

    /// <summary>Gets MSH-10, the message control ID (unescaped; empty when absent).</summary>
    public string ControlId => GetValue(ControlIdKey);

    /// <summary>Gets MSH-9.1, the message type (e.g. <c>ADT</c>).</summary>
    public string MessageType => GetValue(MessageTypeKey);

    /// <summary>Gets MSH-9.2, the trigger event (e.g. <c>A01</c>).</summary>
    public string TriggerEvent => GetValue(TriggerEventKey);

    /// <summary>Gets MSH-9.3, the message structure (e.g. <c>ADT_A01</c>).</summary>
    public string MessageStructure => GetValue(MessageStructureKey);

    /// <summary>Gets MSH-11.1, the processing ID (<c>P</c>, <c>D</c> or <c>T</c>).</summary>
    public string ProcessingId => GetValue(ProcessingIdKey);

    /// <summary>Gets MSH-12.1, the version ID (e.g. <c>2.5.1</c>).</summary>
    public string Version => GetValue(VersionKey);

    /// <summary>Gets MSH-14, the continuation pointer.</summary>
    public string ContinuationPointer => GetValue(ContinuationPointerKey);

    /// <summary>Gets MSH-15, the accept acknowledgment type (table 0155: AL, NE, ER, SU).</summary>
    public string AcceptAckType => GetValue(AcceptAckTypeKey);

    /// <summary>Gets MSH-16, the application acknowledgment type (table 0155: AL, NE, ER, SU).</summary>
    public string ApplicationAckType => GetValue(ApplicationAckTypeKey);

    /// <summary>Gets MSH-18.1, the character set (table 0211), as written.</summary>
    public string CharacterSet => GetValue(CharacterSetKey);

    /// <summary>Parses a message.</summary>
    /// <param name="bytes">The message bytes (for example an MLLP frame's payload). They are not copied: keep them unchanged while the message is used.</param>
    /// <param name="options">How text is decoded; <see langword="null"/> for the defaults.</param>
    /// <returns>The message view.</returns>
    /// <exception cref="Hl7ParseException">The bytes are not an ER7 message (no MSH, broken delimiters, a malformed segment ID).</exception>
    public static Hl7Message Parse(ReadOnlyMemory<byte> bytes, Hl7ParseOptions? options = null) =>
        TryParse(bytes, out Hl7Message message, out Hl7ParseError error, options) ? message : throw new Hl7ParseException(error);

    /// <summary>Parses a message given as text, encoded first with <see cref="Hl7ParseOptions.Encoding"/> (UTF-8 when unset).</summary>
    /// <param name="text">The message text.</param>
    /// <param name="options">How text is decoded; <see langword="null"/> for the defaults.</param>
    /// <returns>The message view over a new byte array.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="Hl7ParseException">The text is not an ER7 message.</exception>
    public static Hl7Message Parse(string text, Hl7ParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse((options?.Encoding ?? Encoding.UTF8).GetBytes(text), options);
    }

    /// <summary>Tries to parse a message, without throwing on bad input.</summary>
    /// <param name="bytes">The message bytes. They are not copied: keep them unchanged while the message is used.</param>
    /// <param name="message">The message view, or the default value when parsing failed.</param>
    /// <param name="error">Why parsing failed (code, byte position, a reason without content), or the default value.</param>
    /// <param name="options">How text is decoded; <see langword="null"/> for the defaults.</param>
    /// <returns><see langword="true"/> when the bytes are an ER7 message.</returns>
    public static bool TryParse(ReadOnlyMemory<byte> bytes, out Hl7Message message, out Hl7ParseError error, Hl7ParseOptions? options = null)
    {
        options ??= Hl7ParseOptions.Default;
        message = default;
        int offset = bytes.Span.StartsWith(Hl7Scanner.Utf8Bom) ? Hl7Scanner.Utf8Bom.Length : 0;

        // Some senders put a line break before MSH (inside the frame); skip it like a blank line.
        int firstByte = bytes.Span[offset..].IndexOfAnyExcept(Hl7Scanner.Terminators);
        offset += firstByte < 0 ? bytes.Length - offset : firstByte;
        ReadOnlyMemory<byte> body = bytes[offset..];
        if (!TryReadDelimiters(body.Span, offset, out Hl7Delimiters delimiters, out error)
            || !TryCountSegments(body.Span, offset, delimiters, out int segmentCount, out int headerLength, out error))
        {
            return false;
        }

        Encoding encoding = options.Encoding
            ?? CharacterSetEncoding(body.Span[..headerLength], delimiters)
            ?? options.FallbackEncoding
            ?? Encoding.UTF8;
        message = new Hl7Message(body, offset, delimiters, encoding, segmentCount);
        return true;
    }

    /// <summary>Gets a value by key, decoded and unescaped.</summary>
    /// <param name="key">An HL7 key such as <c>MSH.10</c>, <c>PID.3[2].1</c> or <c>OBX[3].5</c>.</param>
    /// <returns>The text; empty when the key names nothing in this message.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not a valid key.</exception>
    public string GetValue(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return GetValue(Hl7Key.Parse(key.AsSpan()));
    }

    /// <summary>Gets a value by key, decoded and unescaped.</summary>
    /// <param name="key">An HL7 key such as <c>MSH.10</c>, <c>PID.3[2].1</c> or <c>OBX[3].5</c>.</param>
    /// <returns>The text; empty when the key names nothing in this message.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not a valid key.</exception>
    public string GetValue(ReadOnlySpan<char> key) => GetValue(Hl7Key.Parse(key));

    /// <summary>Gets a value by a parsed key, decoded and unescaped (the fastest way to read a value).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The text; empty when the key names nothing in this message.</returns>
    public string GetValue(Hl7Key key) => TryGetValue(key, out Hl7Value value) ? value.ToString() : string.Empty;

    /// <summary>Finds the value a key names.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value (a view, nothing decoded), or an empty value when the key names nothing.</param>
    /// <returns><see langword="true"/> when the message reaches the named value (it may still be empty).</returns>
    public bool TryGetValue(Hl7Key key, out Hl7Value value)
    {
        value = default;
        return TryGetSegment(key, out Hl7Segment segment)
            && segment.TryGetField(key.Field, out Hl7Value field)
            && field.TryResolve(key, out value);
    }

    /// <summary>Gets the bytes a key names as they stand (escaped), without copying.</summary>
    /// <param name="key">The key.</param>
    /// <param name="raw">The bytes, or empty when the key names nothing.</param>
    /// <returns><see langword="true"/> when the message reaches the named value (it may still be empty).</returns>
    public bool TryGetRawValue(Hl7Key key, out ReadOnlyMemory<byte> raw)
    {
        bool found = TryGetValue(key, out Hl7Value value);
        raw = value.Bytes;
        return found;
    }

    /// <summary>Gets the bytes a key names as they stand (escaped), without copying.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The bytes; empty when the key names nothing.</returns>
    public ReadOnlyMemory<byte> GetRawValue(Hl7Key key)
    {
        TryGetRawValue(key, out ReadOnlyMemory<byte> raw);
        return raw;
    }

    /// <summary>Finds the <paramref name="occurrence"/>-th segment with an ID.</summary>
    /// <param name="id">The segment ID, e.g. <c>OBX</c>.</param>
    /// <param name="occurrence">The 1-based occurrence.</param>
    /// <param name="segment">The segment, or the default value when there is no such segment.</param>
    /// <returns><see langword="true"/> when the segment exists.</returns>
    public bool TryGetSegment(ReadOnlySpan<char> id, int occurrence, out Hl7Segment segment)
    {
        int seen = 0;
        foreach (Hl7Segment candidate in Segments)
        {
            if (candidate.IsId(id) && ++seen == occurrence)
            {
                segment = candidate;
                return true;
            }
        }

        segment = default;
        return false;
    }

    /// <summary>Counts the segments with an ID.</summary>
    /// <param name="id">The segment ID, e.g. <c>OBX</c>.</param>
    /// <returns>How many segments have that ID.</returns>
    public int CountSegments(ReadOnlySpan<char> id)
    {
        int count = 0;
        foreach (Hl7Segment segment in Segments)
        {
            if (segment.IsId(id))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Decodes the whole message as it stands (escape sequences are not resolved).</summary>
    /// <returns>The message text. It is content (PHI): never log it or put it in an exception message.</returns>
    public string GetText() => Encoding.GetString(Bytes.Span);

    /// <summary>
    /// Describes the message without its content, e.g. <c>ADT^A01 MSH-10=123, 1523 bytes, 12 segments</c>, so that a
    /// message passed to a logger or interpolated into an exception message cannot leak PHI (use <see cref="GetText"/>
    /// for the text).
    /// </summary>
    /// <returns>The message type, trigger event, control ID and sizes.</returns>
    public override string ToString() => Bytes.IsEmpty
        ? "empty Hl7Message"
        : $"{MessageType}^{TriggerEvent} MSH-10={ControlId}, {Bytes.Length} bytes, {SegmentCount} segments";

    private bool TryGetSegment(in Hl7Key key, out Hl7Segment segment)
    {
        Span<char> id = stackalloc char[3];
        key.CopySegmentIdTo(id);
        return TryGetSegment(id, key.Occurrence, out segment);
    }

    private static bool TryReadDelimiters(ReadOnlySpan<byte> body, int offset, out Hl7Delimiters delimiters, out Hl7ParseError error)
    {
        delimiters = default;
        if (!body.StartsWith("MSH"u8))
        {
            error = new(Hl7ErrorCode.SegmentSequenceError, offset, $"MSH segment missing at byte {offset}");
            return false;
        }

        if (body.Length < 4 || body[3] is (byte)'\r' or (byte)'\n')
        {
            error = new(Hl7ErrorCode.RequiredFieldMissing, offset + 3, $"MSH-1 field separator missing at byte {offset + 3}");
            return false;
        }

        byte field = body[3];
        if (!Hl7Delimiters.IsDelimiter(field))
        {
            error = new(Hl7ErrorCode.DataTypeError, offset + 3, $"MSH-1 field separator is not a valid delimiter at byte {offset + 3}");
            return false;
        }

        ReadOnlySpan<byte> rest = body[4..];
        int end = rest.IndexOfAny(field, (byte)'\r', (byte)'\n');
        ReadOnlySpan<byte> encoding = end < 0 ? rest : rest[..end];
        if (encoding.Length < 4)
        {
            error = new(Hl7ErrorCode.DataTypeError, offset + 4, $"MSH-2 encoding characters are incomplete at byte {offset + 4} ({encoding.Length} of 4)");
            return false;
        }

        if (encoding.Length > 5)
        {
            error = new(Hl7ErrorCode.DataTypeError, offset + 4, $"MSH-2 encoding characters are too long at byte {offset + 4} ({encoding.Length} of at most 5)");
            return false;
        }

        for (int i = 0; i < encoding.Length; i++)
        {
            byte c = encoding[i];
            if (!Hl7Delimiters.IsDelimiter(c) || c == field || encoding[..i].Contains(c))
            {
                error = new(Hl7ErrorCode.DataTypeError, offset + 4 + i, $"MSH-2 encoding character {i + 1} is not a distinct delimiter at byte {offset + 4 + i}");
                return false;
            }
        }

        delimiters = new Hl7Delimiters(field, encoding[0], encoding[1], encoding[2], encoding[3], encoding.Length == 5 ? encoding[4] : (byte)0);
        error = default;
        return true;
    }

    private static bool TryCountSegments(ReadOnlySpan<byte> body, int offset, Hl7Delimiters delimiters, out int count, out int headerLength, out Hl7ParseError error)
    {
        count = 0;
        headerLength = 0;
        int position = 0;
        while (Hl7Scanner.TryReadSegment(body, ref position, out int start, out int length))
        {
            ReadOnlySpan<byte> segment = body.Slice(start, length);
            if (++count == 1)
            {
                headerLength = length;
            }

            if (!Hl7Scanner.HasValidId(segment, delimiters.FieldByte))
            {
                error = new(Hl7ErrorCode.SegmentSequenceError, offset + start, $"Segment {count} has no valid segment ID at byte {offset + start}");
                return false;
            }

            if (count > 1 && Hl7Scanner.IsHeaderSegment(segment))
            {
                error = new(Hl7ErrorCode.SegmentSequenceError, offset + start, $"Segment {count} is a second message or batch header at byte {offset + start}; split batches with Hl7Batch");
                return false;
            }
        }

        error = default;
        return true;
    }

    private static Encoding? CharacterSetEncoding(ReadOnlySpan<byte> header, Hl7Delimiters delimiters)
    {
        if (!Hl7Scanner.TryGetField(header, delimiters.FieldByte, 18, out int start, out int length, out _))
        {
            return null;
        }

        ReadOnlySpan<byte> field = header.Slice(start, length);
        int end = field.IndexOfAny(delimiters.RepetitionByte, delimiters.ComponentByte);
        return Hl7CharacterSets.TryGetEncoding(end < 0 ? field : field[..end], out Encoding? encoding) ? encoding : null;
    }
}
