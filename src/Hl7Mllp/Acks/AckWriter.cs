using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Acks;

/// <summary>
/// Writes ACK bytes into a caller's buffer writer and counts them; no strings, no copies beyond the output. Bytes go
/// into one span taken from the output per 256 bytes or so, not one <c>GetSpan</c>/<c>Advance</c> pair per piece:
/// call <see cref="Flush"/> once at the end, or the output never sees the last bytes.
/// </summary>
internal ref struct AckWriter
{
    private const int ChunkSize = 256;

    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _used;

    public AckWriter(IBufferWriter<byte> output)
    {
        _output = output;
        Written = 0;
    }

    /// <summary>Gets how many bytes were written, flushed or not.</summary>
    public int Written { get; private set; }

    /// <summary>Hands the bytes written so far to the output (<see cref="IBufferWriter{T}.Advance"/>).</summary>
    public void Flush()
    {
        if (_used > 0)
        {
            _output.Advance(_used);
        }

        _used = 0;
        _span = default;
    }

    public void Write(scoped ReadOnlySpan<byte> bytes)
    {
        if (!bytes.IsEmpty)
        {
            bytes.CopyTo(Reserve(bytes.Length));
            Commit(bytes.Length);
        }
    }

    public void Write(byte value)
    {
        Reserve(1)[0] = value;
        Commit(1);
    }

    public void Write(byte value, int count)
    {
        if (count > 0)
        {
            Reserve(count)[..count].Fill(value);
            Commit(count);
        }
    }

    /// <summary>Writes a positive number in decimal; nothing for 0 or less ("not given").</summary>
    public void WriteIndex(int value)
    {
        if (value > 0)
        {
            WriteNumber(value);
        }
    }

    /// <summary>Writes a number in decimal.</summary>
    public void WriteNumber(int value)
    {
        Utf8Formatter.TryFormat(value, Reserve(11), out int length);
        Commit(length);
    }

    /// <summary>Writes the delimiters as MSH-1 and MSH-2 write them, e.g. <c>|^~\&amp;</c>.</summary>
    public void WriteDelimiters(Hl7Delimiters delimiters)
    {
        Span<byte> span = Reserve(6);
        span[0] = delimiters.FieldByte;
        span[1] = delimiters.ComponentByte;
        span[2] = delimiters.RepetitionByte;
        span[3] = delimiters.EscapeByte;
        span[4] = delimiters.SubcomponentByte;
        int length = 5;
        if (delimiters.HasTruncation)
        {
            span[5] = delimiters.TruncationByte;
            length = 6;
        }

        Commit(length);
    }

    /// <summary>Copies template bytes written with <paramref name="from"/> delimiters, mapping each delimiter to its counterpart in <paramref name="to"/>.</summary>
    public void WriteTranslated(scoped ReadOnlySpan<byte> bytes, Hl7Delimiters from, Hl7Delimiters to)
    {
        if (from == to || bytes.IsEmpty)
        {
            Write(bytes);
            return;
        }

        Span<byte> span = Reserve(bytes.Length);
        for (int i = 0; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            span[i] = b == from.FieldByte ? to.FieldByte
                : b == from.ComponentByte ? to.ComponentByte
                : b == from.RepetitionByte ? to.RepetitionByte
                : b == from.EscapeByte ? to.EscapeByte
                : b == from.SubcomponentByte ? to.SubcomponentByte
                : b;
        }

        Commit(bytes.Length);
    }

    /// <summary>Encodes and escapes a text as a value of a message with these delimiters.</summary>
    public void WriteEscaped(string text, Hl7Delimiters delimiters, Encoding encoding)
    {
        if (text.Length > 0)
        {
            Flush();
            Written += Hl7Escaping.Escape(text, delimiters, encoding, _output);
        }
    }

    /// <summary>Gets room for at least <paramref name="count"/> bytes after those written, taking a new span from the output when the current one is full.</summary>
    private Span<byte> Reserve(int count)
    {
        if (_span.Length - _used < count)
        {
            Flush();
            _span = _output.GetSpan(Math.Max(count, ChunkSize));
        }

        return _span[_used..];
    }

    private void Commit(int count)
    {
        _used += count;
        Written += count;
    }
}
