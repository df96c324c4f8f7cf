using System.Buffers;
using System.Text;

namespace Hl7Mllp.Messages;

/// <summary>
/// HL7 escape sequences, with the escape character of the message (usually <c>\</c>).
/// </summary>
/// <remarks>
/// Unescaping resolves <c>\F\ \S\ \T\ \R\ \E\</c> to the delimiters, <c>\P\</c> to the truncation character (v2.7),
/// <c>\Xhh…\</c> to the bytes it names (decoded with the message's encoding), and <c>\.br\</c> and <c>\.sp\</c>
/// to a line feed (<c>\n</c>). Highlighting (<c>\H\ \N\</c>), locally defined (<c>\Z…\</c>), character set
/// (<c>\C…\ \M…\</c>) and other formatting commands (<c>\.fi\ \.nf\ \.in\ \.ti\ \.sk\ \.ce\</c>) are removed. An
/// escape character without a closing one, or an unknown sequence, is kept as written. Sequences do not nest.
/// Escaping writes <c>\F\ \S\ \T\ \R\ \E\</c> (and <c>\P\</c> with five encoding characters) for delimiters
/// and <c>\X0D\</c>/<c>\X0A\</c> for CR and LF, so that unescaping gives the original text back.
/// </remarks>
public static class Hl7Escaping
{
    private const int StackLimit = 256;

    /// <summary>Decodes bytes as they stand in a message and resolves their escape sequences.</summary>
    /// <param name="raw">The escaped bytes of a field, component or subcomponent.</param>
    /// <param name="delimiters">The message's delimiters.</param>
    /// <param name="encoding">The message's text encoding.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="encoding"/> is <see langword="null"/>.</exception>
    public static string Unescape(ReadOnlySpan<byte> raw, Hl7Delimiters delimiters, Encoding encoding)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        if (raw.IsEmpty)
        {
            return string.Empty;
        }

        if (raw.IndexOf(delimiters.EscapeByte) < 0)
        {
            return encoding.GetString(raw);
        }

        byte[]? rented = null;
        Span<byte> buffer = raw.Length <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            int written = Unescape(raw, delimiters, buffer);
            return encoding.GetString(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Resolves the escape sequences of a text (UTF-8 is used for <c>\Xhh…\</c> bytes).</summary>
    /// <param name="text">The escaped text.</param>
    /// <param name="delimiters">The delimiters the text was escaped with.</param>
    /// <returns>The unescaped text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static string Unescape(string text, Hl7Delimiters delimiters)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Contains(delimiters.Escape, StringComparison.Ordinal)
            ? Unescape(Encoding.UTF8.GetBytes(text), delimiters, Encoding.UTF8)
            : text;
    }

    /// <summary>Escapes a text for use as a value (delimiters, CR and LF become escape sequences).</summary>
    /// <param name="text">The text.</param>
    /// <param name="delimiters">The delimiters of the message the value goes into.</param>
    /// <returns>The escaped text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static string Escape(string text, Hl7Delimiters delimiters)
    {
        ArgumentNullException.ThrowIfNull(text);
        var writer = new ArrayBufferWriter<byte>(text.Length + 8);
        Escape(text, delimiters, Encoding.UTF8, writer);
        return Encoding.UTF8.GetString(writer.WrittenSpan);
    }

    /// <summary>Encodes a text and writes it escaped (delimiters, CR and LF become escape sequences).</summary>
    /// <param name="text">The text.</param>
    /// <param name="delimiters">The delimiters of the message the value goes into.</param>
    /// <param name="encoding">The message's text encoding (must be ASCII-compatible, as ER7 requires).</param>
    /// <param name="output">Where the escaped bytes are written.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="encoding"/> or <paramref name="output"/> is <see langword="null"/>.</exception>
    public static int Escape(ReadOnlySpan<char> text, Hl7Delimiters delimiters, Encoding encoding, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        ArgumentNullException.ThrowIfNull(output);
        if (text.IsEmpty)
        {
            return 0;
        }

        int maxBytes = encoding.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        Span<byte> encoded = maxBytes <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            int length = encoding.GetBytes(text, encoded);
            return Escape(encoded[..length], delimiters, output);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Writes encoded bytes escaped.</summary>
    internal static int Escape(ReadOnlySpan<byte> bytes, Hl7Delimiters delimiters, IBufferWriter<byte> output)
    {
        int total = 0;
        while (!bytes.IsEmpty)
        {
            int special = IndexOfSpecial(bytes, delimiters);
            int plain = special < 0 ? bytes.Length : special;
            if (plain > 0)
            {
                output.Write(bytes[..plain]);
                total += plain;
            }

            if (special < 0)
            {
                break;
            }

            total += WriteEscape(bytes[special], delimiters, output);
            bytes = bytes[(special + 1)..];
        }

        return total;
    }

    private static int IndexOfSpecial(ReadOnlySpan<byte> bytes, Hl7Delimiters d)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            if (b is (byte)'\r' or (byte)'\n' || d.IsDelimiterByte(b))
            {
                return i;
            }
        }

        return -1;
    }

    private static int WriteEscape(byte b, Hl7Delimiters d, IBufferWriter<byte> output)
    {
        Span<byte> sequence = output.GetSpan(5);
        sequence[0] = d.EscapeByte;
        int length;
        if (b is (byte)'\r' or (byte)'\n')
        {
            sequence[1] = (byte)'X';
            sequence[2] = (byte)'0';
            sequence[3] = b == (byte)'\r' ? (byte)'D' : (byte)'A';
            length = 5;
        }
        else
        {
            sequence[1] = b == d.FieldByte ? (byte)'F'
                : b == d.ComponentByte ? (byte)'S'
                : b == d.SubcomponentByte ? (byte)'T'
                : b == d.RepetitionByte ? (byte)'R'
                : b == d.EscapeByte ? (byte)'E'
                : (byte)'P';
            length = 3;
        }

        sequence[length - 1] = d.EscapeByte;
        output.Advance(length);
        return length;
    }

    /// <summary>Resolves escape sequences from <paramref name="raw"/> into <paramref name="output"/> (never longer than the input).</summary>
    private static int Unescape(ReadOnlySpan<byte> raw, Hl7Delimiters d, Span<byte> output)
    {
        int written = 0;
        int i = 0;
        while (i < raw.Length)
        {
            int escape = raw[i..].IndexOf(d.EscapeByte);
            if (escape < 0)
            {
                raw[i..].CopyTo(output[written..]);
                written += raw.Length - i;
                break;
            }

            raw.Slice(i, escape).CopyTo(output[written..]);
            written += escape;
            i += escape;
            int close = raw[(i + 1)..].IndexOf(d.EscapeByte);
            if (close < 0)
            {
                // An escape character that is never closed is plain text.
                raw[i..].CopyTo(output[written..]);
                written += raw.Length - i;
                break;
            }

            ReadOnlySpan<byte> sequence = raw.Slice(i + 1, close);
            int resolved = Resolve(sequence, d, output[written..]);
            if (resolved < 0)
            {
                // Unknown sequence: keep it as written, escape characters included.
                raw.Slice(i, close + 2).CopyTo(output[written..]);
                resolved = close + 2;
            }

            written += resolved;
            i += close + 2;
        }

        return written;
    }

    /// <summary>Writes what one escape sequence (without its escape characters) stands for; -1 when unknown.</summary>
    private static int Resolve(ReadOnlySpan<byte> sequence, Hl7Delimiters d, Span<byte> output)
    {
        if (sequence.IsEmpty)
        {
            return -1;
        }

        if (sequence.Length == 1)
        {
            byte single = sequence[0] switch
            {
                (byte)'F' => d.FieldByte,
                (byte)'S' => d.ComponentByte,
                (byte)'T' => d.SubcomponentByte,
                (byte)'R' => d.RepetitionByte,
                (byte)'E' => d.EscapeByte,
                (byte)'P' => d.TruncationByte,
                _ => 0,
            };
            if (single != 0)
            {
                output[0] = single;
                return 1;
            }
        }

        return sequence[0] switch
        {
            (byte)'H' or (byte)'N' when sequence.Length == 1 => 0,
            (byte)'X' => ResolveHex(sequence[1..], output),
            (byte)'Z' or (byte)'C' or (byte)'M' => 0,
            (byte)'.' => ResolveFormatting(sequence[1..], output),
            _ => -1,
        };
    }

    private static int ResolveHex(ReadOnlySpan<byte> hex, Span<byte> output)
    {
        if (hex.IsEmpty || hex.Length % 2 != 0)
        {
            return -1;
        }

        for (int i = 0; i < hex.Length; i += 2)
        {
            int high = HexValue(hex[i]);
            int low = HexValue(hex[i + 1]);
            if (high < 0 || low < 0)
            {
                return -1;
            }

            output[i / 2] = (byte)((high << 4) | low);
        }

        return hex.Length / 2;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        _ => -1,
    };

    private static int ResolveFormatting(ReadOnlySpan<byte> command, Span<byte> output)
    {
        if (command.StartsWith("br"u8) || command.StartsWith("sp"u8))
        {
            output[0] = (byte)'\n';
            return 1;
        }

        return command.StartsWith("fi"u8) || command.StartsWith("nf"u8) || command.StartsWith("in"u8)
            || command.StartsWith("ti"u8) || command.StartsWith("sk"u8) || command.StartsWith("ce"u8)
            ? 0
            : -1;
    }
}
