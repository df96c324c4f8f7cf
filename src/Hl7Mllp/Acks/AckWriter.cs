using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Acks;

/// <summary>Writes ACK bytes into a caller's buffer writer and counts them; no strings, no copies beyond the output.</summary>
internal struct AckWriter
{
    private readonly IBufferWriter<byte> _output;

    public AckWriter(IBufferWriter<byte> output)
    {
        _output = output;
        Written = 0;
    }

    public int Written { get; private set; }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (!bytes.IsEmpty)
        {
            _output.Write(bytes);
            Written += bytes.Length;
        }
    }

    public void Write(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
        Written++;
    }

    public void Write(byte value, int count)
    {
        if (count > 0)
        {
            _output.GetSpan(count)[..count].Fill(value);
            _output.Advance(count);
            Written += count;
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
        Span<byte> span = _output.GetSpan(11);
        Utf8Formatter.TryFormat(value, span, out int length);
        _output.Advance(length);
        Written += length;
    }

    /// <summary>Writes the delimiters as MSH-1 and MSH-2 write them, e.g. <c>|^~\&amp;</c>.</summary>
    public void WriteDelimiters(Hl7Delimiters delimiters)
    {
        Span<byte> span = _output.GetSpan(6);
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

        _output.Advance(length);
        Written += length;
    }

    /// <summary>Copies template bytes written with <paramref name="from"/> delimiters, mapping each delimiter to its counterpart in <paramref name="to"/>.</summary>
    public void WriteTranslated(ReadOnlySpan<byte> bytes, Hl7Delimiters from, Hl7Delimiters to)
    {
        if (from == to || bytes.IsEmpty)
        {
            Write(bytes);
            return;
        }

        Span<byte> span = _output.GetSpan(bytes.Length);
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

        _output.Advance(bytes.Length);
        Written += bytes.Length;
    }

    /// <summary>Encodes and escapes a text as a value of a message with these delimiters.</summary>
    public void WriteEscaped(string text, Hl7Delimiters delimiters, Encoding encoding)
    {
        if (text.Length > 0)
        {
            Written += Hl7Escaping.Escape(text, delimiters, encoding, _output);
        }
    }
}
