using Hl7Mllp.Messages;

namespace Hl7Mllp.Sending;

/// <summary>
/// Locates a field of the MSH segment in raw message bytes without parsing or allocating: the one place the send side
/// finds MSH fields, so every reader agrees on the edge cases. A leading UTF-8 byte order mark is skipped, the
/// segment ends at CR or LF, and the field separator is the message's own (MSH-1). Escapes are not decoded.
/// </summary>
internal static class MshHeaderFields
{
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>Finds field <paramref name="field"/> (2 or more) of the first segment.</summary>
    /// <param name="message">The message bytes.</param>
    /// <param name="field">The MSH field number, 2 or more (MSH-1, the field separator, is no field between separators).</param>
    /// <param name="start">The offset of the field's first byte in <paramref name="message"/>.</param>
    /// <param name="length">The field's length in bytes (0 for an empty field).</param>
    /// <returns><see langword="true"/> when the message starts with an MSH segment that has the field.</returns>
    public static bool TryLocate(ReadOnlySpan<byte> message, int field, out int start, out int length)
    {
        start = 0;
        length = 0;
        int offset = message.StartsWith(ByteOrderMark) ? ByteOrderMark.Length : 0;
        var header = message[offset..];
        if (field < 2 || header.Length < 8 || !header.StartsWith("MSH"u8))
        {
            return false;
        }

        int segmentEnd = header.IndexOfAny((byte)'\r', (byte)'\n');
        header = segmentEnd < 0 ? header : header[..segmentEnd];
        if (!Hl7Scanner.TryGetField(header, header[3], field, out start, out length, out _))
        {
            return false;
        }

        start += offset;
        return true;
    }
}
