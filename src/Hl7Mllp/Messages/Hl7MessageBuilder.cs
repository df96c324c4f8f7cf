using System.Buffers;
using System.Text;

namespace Hl7Mllp.Messages;

/// <summary>
/// Writes an ER7 message segment by segment into an <see cref="IBufferWriter{T}"/>, escaping values, with CR after
/// every segment. Also copies a message with some values set (<see cref="WriteEdited"/>), for ACKs and continuations.
/// </summary>
/// <example>
/// <code>
/// var output = new ArrayBufferWriter&lt;byte&gt;();
/// new Hl7MessageBuilder(output)
///     .StartSegment("MSH").AddField("APP").AddField("FAC").AddField("").AddField("").AddField("20240101")
///     .AddField("").AddComponents("ADT", "A01").AddField("123").AddField("P").AddField("2.5.1")
///     .StartSegment("PID").AddField("1").AddField("").AddComponents("MRN", "", "", "HOSP")
///     .Complete();
/// </code>
/// </example>
/// <remarks>Not thread-safe: one builder writes one message.</remarks>
public sealed class Hl7MessageBuilder
{
    private readonly IBufferWriter<byte> _output;
    private bool _inSegment;

    /// <summary>Creates a builder.</summary>
    /// <param name="output">Where the message is written.</param>
    /// <param name="delimiters">The delimiters; default <see cref="Hl7Delimiters.Default"/> (<c>|^~\&amp;</c>).</param>
    /// <param name="encoding">The text encoding of values; default UTF-8. It must match MSH-18 if you write one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is <see langword="null"/>.</exception>
    public Hl7MessageBuilder(IBufferWriter<byte> output, Hl7Delimiters? delimiters = null, Encoding? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        Delimiters = delimiters ?? Hl7Delimiters.Default;
        Encoding = encoding ?? Encoding.UTF8;
    }

    /// <summary>Gets the delimiters the message is written with.</summary>
    public Hl7Delimiters Delimiters { get; }

    /// <summary>Gets the text encoding values are written in.</summary>
    public Encoding Encoding { get; }

    /// <summary>Gets the number of bytes written so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>
    /// Ends the current segment (if any) and starts a new one. For MSH, FHS and BHS the field separator and the
    /// encoding characters are written too, so the next field added is field 3.
    /// </summary>
    /// <param name="id">The segment ID: three upper-case letters or digits.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a segment ID.</exception>
    public Hl7MessageBuilder StartSegment(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        Span<byte> bytes = stackalloc byte[3];
        if (id.Length != 3 || Encoding.ASCII.GetBytes(id, bytes) != 3 || !Hl7Scanner.HasValidId(bytes, Delimiters.FieldByte))
        {
            throw new ArgumentException("A segment ID is three upper-case letters or digits.", nameof(id));
        }

        EndSegment();
        Write(bytes);
        if (Hl7Scanner.IsHeaderSegment(bytes))
        {
            Span<byte> delimiters = [Delimiters.FieldByte, Delimiters.ComponentByte, Delimiters.RepetitionByte, Delimiters.EscapeByte, Delimiters.SubcomponentByte, Delimiters.TruncationByte];
            Write(delimiters[..(1 + Delimiters.EncodingCharacterCount)]);
        }

        _inSegment = true;
        return this;
    }

    /// <summary>Adds a field to the current segment, escaping the delimiters, CR and LF in it.</summary>
    /// <param name="value">The text; <see langword="null"/> or empty for an empty field.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">No segment was started.</exception>
    public Hl7MessageBuilder AddField(string? value)
    {
        StartField();
        WriteEscaped(value);
        return this;
    }

    /// <summary>Adds a field made of components, escaping each.</summary>
    /// <param name="components">The components in order; <see langword="null"/> for an empty one.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">No segment was started.</exception>
    public Hl7MessageBuilder AddComponents(params ReadOnlySpan<string?> components)
    {
        StartField();
        for (int i = 0; i < components.Length; i++)
        {
            if (i > 0)
            {
                Write([Delimiters.ComponentByte]);
            }

            WriteEscaped(components[i]);
        }

        return this;
    }

    /// <summary>Adds a field as it stands: its bytes are written unchanged (they may contain separators and escapes).</summary>
    /// <param name="raw">The encoded field.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">No segment was started.</exception>
    /// <exception cref="ArgumentException"><paramref name="raw"/> contains the field separator, CR or LF.</exception>
    public Hl7MessageBuilder AddRawField(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOfAny(Delimiters.FieldByte, (byte)'\r', (byte)'\n') >= 0)
        {
            throw new ArgumentException("A raw field cannot contain the field separator or a segment terminator.", nameof(raw));
        }

        StartField();
        Write(raw);
        return this;
    }

    /// <summary>Adds a field as it stands, encoded with <see cref="Encoding"/> but not escaped (e.g. <c>ADT^A01^ADT_A01</c>).</summary>
    /// <param name="raw">The field in the message's delimiters.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">No segment was started.</exception>
    /// <exception cref="ArgumentException"><paramref name="raw"/> contains the field separator, CR or LF.</exception>
    public Hl7MessageBuilder AddRawField(string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        return AddRawField(Encoding.GetBytes(raw));
    }

    /// <summary>Copies a segment of another message as it stands (its delimiters must be the builder's).</summary>
    /// <param name="segment">The segment.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The segment uses other delimiters.</exception>
    public Hl7MessageBuilder AddSegment(Hl7Segment segment)
    {
        if (segment.Delimiters != Delimiters)
        {
            throw new ArgumentException("The segment uses other delimiters than the builder.", nameof(segment));
        }

        EndSegment();
        Write(segment.Bytes.Span);
        _inSegment = true;
        return this;
    }

    /// <summary>Ends the last segment with CR. Call once, when the message is complete.</summary>
    public void Complete() => EndSegment();

    /// <summary>
    /// Writes a copy of a message with values set: segments are copied as they stand (terminated by CR, blank lines
    /// dropped), the fields, repetitions, components and subcomponents the edits name are replaced or created. An edit
    /// naming the next occurrence of a segment (e.g. <c>DSC.1</c> when there is no DSC) appends that segment.
    /// </summary>
    /// <param name="source">The message to copy.</param>
    /// <param name="edits">The values to set, applied in order.</param>
    /// <param name="output">Where the copy is written.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An edit names MSH-1 or MSH-2, or a segment occurrence beyond the next one.</exception>
    public static long WriteEdited(in Hl7Message source, ReadOnlySpan<Hl7Edit> edits, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var builder = new Hl7MessageBuilder(output, source.Delimiters, source.Encoding);
        Span<bool> applied = edits.Length <= 64 ? stackalloc bool[edits.Length] : new bool[edits.Length];
        var occurrences = new Dictionary<int, int>();
        foreach (Hl7Segment segment in source.Segments)
        {
            ReadOnlySpan<byte> id = segment.IdBytes;
            int packed = (id[0] << 16) | (id[1] << 8) | id[2];
            int occurrence = occurrences[packed] = occurrences.GetValueOrDefault(packed) + 1;
            byte[]? edited = null;
            for (int i = 0; i < edits.Length; i++)
            {
                if (edits[i].Key.PackedSegmentId == packed && edits[i].Key.Occurrence == occurrence)
                {
                    edited = builder.Apply(edited ?? segment.Bytes.ToArray(), edits[i]);
                    applied[i] = true;
                }
            }

            builder.EndSegment();
            builder.Write(edited ?? segment.Bytes.Span);
            builder._inSegment = true;
        }

        builder.AppendNewSegments(edits, applied, occurrences);
        builder.Complete();
        return builder.BytesWritten;
    }

    private void AppendNewSegments(ReadOnlySpan<Hl7Edit> edits, Span<bool> applied, Dictionary<int, int> occurrences)
    {
        for (int i = 0; i < edits.Length; i++)
        {
            if (applied[i])
            {
                continue;
            }

            Hl7Key key = edits[i].Key;
            if (key.Occurrence != occurrences.GetValueOrDefault(key.PackedSegmentId) + 1)
            {
                throw new ArgumentException($"The message has no segment {key.SegmentId}[{key.Occurrence}] and it is not the next one.", nameof(edits));
            }

            occurrences[key.PackedSegmentId] = key.Occurrence;
            byte[] segment = Encoding.ASCII.GetBytes(key.SegmentId);
            for (int j = i; j < edits.Length; j++)
            {
                if (!applied[j] && edits[j].Key.PackedSegmentId == key.PackedSegmentId && edits[j].Key.Occurrence == key.Occurrence)
                {
                    segment = Apply(segment, edits[j]);
                    applied[j] = true;
                }
            }

            EndSegment();
            Write(segment);
            _inSegment = true;
        }
    }

    /// <summary>Returns a segment with the value an edit names replaced (created, with separators, when absent).</summary>
    private byte[] Apply(byte[] segment, in Hl7Edit edit)
    {
        Hl7Key key = edit.Key;
        bool header = Hl7Scanner.IsHeaderSegment(segment);
        if (header && key.Field <= 2)
        {
            throw new ArgumentException("MSH-1 and MSH-2 hold the delimiters and cannot be edited.", nameof(edit));
        }

        byte[] value = ValueBytes(edit);
        ReadOnlySpan<byte> content = segment.Length > 4 ? segment.AsSpan(4) : [];
        byte[] newContent = SetPiece(content, Delimiters.FieldByte, header ? key.Field - 1 : key.Field, NewField(GetPiece(content, Delimiters.FieldByte, header ? key.Field - 1 : key.Field), key, value));
        return [.. segment.AsSpan(0, 3), Delimiters.FieldByte, .. newContent];
    }

    private byte[] NewField(ReadOnlySpan<byte> field, in Hl7Key key, byte[] value)
    {
        if (key.Repetition == 0 && key.Component == 0)
        {
            return value;
        }

        int repetitionIndex = key.Repetition == 0 ? 1 : key.Repetition;
        ReadOnlySpan<byte> repetition = GetPiece(field, Delimiters.RepetitionByte, repetitionIndex);
        byte[] newRepetition = value;
        if (key.Component > 0)
        {
            ReadOnlySpan<byte> component = GetPiece(repetition, Delimiters.ComponentByte, key.Component);
            byte[] newComponent = key.Subcomponent > 0 ? SetPiece(component, Delimiters.SubcomponentByte, key.Subcomponent, value) : value;
            newRepetition = SetPiece(repetition, Delimiters.ComponentByte, key.Component, newComponent);
        }

        return SetPiece(field, Delimiters.RepetitionByte, repetitionIndex, newRepetition);
    }

    private static ReadOnlySpan<byte> GetPiece(ReadOnlySpan<byte> text, byte separator, int index) =>
        Hl7Scanner.TryGetPiece(text, separator, index, out int start, out int length) ? text.Slice(start, length) : [];

    /// <summary>Replaces piece <paramref name="index"/> (1-based) of <paramref name="text"/>, adding separators when it has fewer pieces.</summary>
    private static byte[] SetPiece(ReadOnlySpan<byte> text, byte separator, int index, ReadOnlySpan<byte> replacement)
    {
        if (Hl7Scanner.TryGetPiece(text, separator, index, out int start, out int length))
        {
            return [.. text[..start], .. replacement, .. text[(start + length)..]];
        }

        int missing = index - (text.Count(separator) + 1);
        byte[] separators = new byte[missing];
        separators.AsSpan().Fill(separator);
        return [.. text, .. separators, .. replacement];
    }

    private byte[] ValueBytes(in Hl7Edit edit)
    {
        if (edit.IsRaw)
        {
            byte[] raw = Encoding.GetBytes(edit.Value ?? string.Empty);
            return raw.AsSpan().IndexOfAny(Delimiters.FieldByte, (byte)'\r', (byte)'\n') >= 0
                ? throw new ArgumentException("A raw value cannot contain the field separator or a segment terminator.", nameof(edit))
                : raw;
        }

        var escaped = new ArrayBufferWriter<byte>();
        Hl7Escaping.Escape(edit.Value, Delimiters, Encoding, escaped);
        return escaped.WrittenSpan.ToArray();
    }

    private void StartField()
    {
        if (!_inSegment)
        {
            throw new InvalidOperationException("Start a segment before adding fields.");
        }

        Write([Delimiters.FieldByte]);
    }

    private void WriteEscaped(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            BytesWritten += Hl7Escaping.Escape(value, Delimiters, Encoding, _output);
        }
    }

    private void EndSegment()
    {
        if (_inSegment)
        {
            Write("\r"u8);
            _inSegment = false;
        }
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        BytesWritten += bytes.Length;
    }
}
