namespace Hl7Mllp.Storage;

/// <summary>
/// Finds the messages in a file: each starts at an <c>MSH</c> segment and runs to the next <c>MSH</c> or batch envelope
/// segment (<c>FHS</c>, <c>BHS</c>, <c>BTS</c>, <c>FTS</c>), which are not part of any message. Segments may end with CR,
/// LF or CRLF.
/// </summary>
internal static class FileMessageSplitter
{
    /// <summary>Splits <paramref name="content"/>.</summary>
    /// <param name="content">The file's bytes.</param>
    /// <param name="hasEnvelope">Whether the file holds batch envelope segments.</param>
    /// <returns>The (offset, length) of each message, in file order; empty when the file has no MSH segment.</returns>
    public static List<Range> Split(ReadOnlySpan<byte> content, out bool hasEnvelope)
    {
        List<Range> messages = [];
        hasEnvelope = false;
        var messageStart = -1;
        var position = 0;
        while (position < content.Length)
        {
            var rest = content[position..];
            var lineEnd = rest.IndexOfAny((byte)'\r', (byte)'\n');
            var segmentLength = lineEnd < 0 ? rest.Length : lineEnd;
            var segment = rest[..segmentLength];
            var isMessageHeader = StartsSegment(segment, "MSH"u8);
            var isEnvelope = StartsSegment(segment, "FHS"u8) || StartsSegment(segment, "BHS"u8) || StartsSegment(segment, "BTS"u8) || StartsSegment(segment, "FTS"u8);
            if (isMessageHeader || isEnvelope)
            {
                if (messageStart >= 0)
                {
                    messages.Add(new Range(messageStart, position));
                    messageStart = -1;
                }

                if (isMessageHeader)
                {
                    messageStart = position;
                }

                hasEnvelope |= isEnvelope;
            }

            position += segmentLength;
            while (position < content.Length && content[position] is (byte)'\r' or (byte)'\n')
            {
                position++;
            }
        }

        if (messageStart >= 0)
        {
            messages.Add(new Range(messageStart, content.Length));
        }

        return messages;
    }

    // A segment ID followed by its field separator (any byte: MSH-1 defines it); a UTF-8 BOM before the first is skipped.
    private static bool StartsSegment(ReadOnlySpan<byte> segment, ReadOnlySpan<byte> id)
    {
        if (segment.StartsWith("\uFEFF"u8))
        {
            segment = segment[3..];
        }

        return segment.Length > id.Length && segment.StartsWith(id);
    }
}
