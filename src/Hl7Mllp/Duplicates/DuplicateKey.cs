using System.Buffers;
using System.Text;
using Hl7Mllp.Messages;
using Hl7Mllp.Receiving;

namespace Hl7Mllp.Duplicates;

/// <summary>
/// Builds the key a message is recognised by from the raw (escaped) bytes of MSH-3, MSH-4 and MSH-10 (read in one pass over MSH), each byte
/// widened to one char (Latin-1), so the key is exact whatever the message's character set and needs no decoding.
/// </summary>
internal static class DuplicateKey
{
    /// <summary>Keys up to this many chars are built on the stack.</summary>
    public const int StackLimit = 256;

    /// <summary>Gets the key's length in chars; 0 when MSH-10 is blank (such a message has no key).</summary>
    public static int GetLength(ReadOnlySpan<byte> header, byte separator, DuplicateKeyMode mode, out Range application, out Range facility, out Range controlId)
    {
        Span<Range> fields = stackalloc Range[ReceivePipelineHeader.MaxField + 1];
        ReceivePipelineHeader.Split(header, separator, fields);
        application = fields[3];
        facility = fields[4];
        controlId = fields[10];
        if (header[controlId].Trim((byte)' ').IsEmpty)
        {
            return 0;
        }

        return mode == DuplicateKeyMode.ControlIdOnly
            ? header[controlId].Length
            : header[application].Length + header[facility].Length + header[controlId].Length + 2;
    }

    /// <summary>Writes the key into <paramref name="destination"/>, which is exactly as long as <see cref="GetLength"/> said.</summary>
    public static void Write(Span<char> destination, DuplicateKeyMode mode, ReadOnlySpan<byte> application, ReadOnlySpan<byte> facility, ReadOnlySpan<byte> controlId)
    {
        if (mode == DuplicateKeyMode.ControlIdOnly)
        {
            Encoding.Latin1.GetChars(controlId, destination);
            return;
        }

        int written = Encoding.Latin1.GetChars(application, destination);
        destination[written++] = '|';
        written += Encoding.Latin1.GetChars(facility, destination[written..]);
        destination[written++] = '|';
        Encoding.Latin1.GetChars(controlId, destination[written..]);
    }

    /// <summary>Builds the key of a message and passes it to <paramref name="action"/> without allocating for keys up to <see cref="StackLimit"/> chars.</summary>
    public static TResult With<TState, TResult>(in Hl7Message message, DuplicateKeyMode mode, TState state, Func<TState, ReadOnlySpan<char>, TResult> action, TResult whenBlank)
    {
        ReadOnlySpan<byte> header = message.Header.Bytes.Span;
        int length = GetLength(header, message.Delimiters.FieldByte, mode, out Range application, out Range facility, out Range controlId);
        if (length == 0)
        {
            return whenBlank;
        }

        char[]? rented = null;
        Span<char> key = length <= StackLimit ? stackalloc char[StackLimit] : (rented = ArrayPool<char>.Shared.Rent(length));
        key = key[..length];
        try
        {
            Write(key, mode, header[application], header[facility], header[controlId]);
            return action(state, key);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}
