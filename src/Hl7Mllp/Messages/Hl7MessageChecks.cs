using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hl7Mllp.Messages;

/// <summary>
/// Checks a parsed message beyond what parsing needs: the header fields every receiver relies on and segments
/// that were run together. <c>hl7mllp inspect</c> uses these to call a message valid; the receive pipeline may
/// use them to NAK with the right table 0357 code.
/// </summary>
/// <remarks>
/// In order: MSH-9.1, MSH-10, MSH-11 and MSH-12 present (101); MSH-11.1 is <c>P</c>, <c>D</c> or <c>T</c> (202); an
/// <c>ACK</c> has an MSA segment (100); no segment has a standard segment run into it, i.e. a space followed by a
/// standard segment ID and the field separator, the trace of a terminator replaced by a space (100).
/// </remarks>
public static class Hl7MessageChecks
{
    private static readonly Hl7Key ProcessingId = Hl7Key.Create("MSH", 11);
    private static readonly Hl7Key Version = Hl7Key.Create("MSH", 12);

    /// <summary>Standard segment IDs, three bytes each, whose appearance after a space betrays a lost terminator.</summary>
    private static ReadOnlySpan<byte> StandardSegmentIds =>
        "MSHMSAERREVNPIDPD1PV1PV2NK1NTEORCOBROBXSPMTQ1TQ2AL1DG1PR1GT1IN1IN2IN3ROLMRGACCUB1UB2FT1RXARXRRXERXORXCRXDRXGSCHAISAIGAILAIPRGSTXAQRDQRFQPDRCPQAKDSCSFTPRTCTIBLGFHSBHSBTSFTS"u8;

    /// <summary>Checks a message.</summary>
    /// <param name="message">A parsed message.</param>
    /// <param name="error">The first problem found (code, byte position, a reason without content), or the default value.</param>
    /// <returns><see langword="true"/> when no check failed.</returns>
    public static bool TryCheck(in Hl7Message message, out Hl7ParseError error)
    {
        if (!TryCheckRequired(message, Hl7Message.MessageTypeKey, "MSH-9 message type", out error)
            || !TryCheckRequired(message, Hl7Message.ControlIdKey, "MSH-10 message control ID", out error)
            || !TryCheckRequired(message, ProcessingId, "MSH-11 processing ID", out error)
            || !TryCheckRequired(message, Version, "MSH-12 version ID", out error))
        {
            return false;
        }

        ReadOnlySpan<byte> processingId = message.GetRawValue(Hl7Message.ProcessingIdKey).Span;
        if (processingId.Length != 1 || processingId[0] is not ((byte)'P' or (byte)'D' or (byte)'T'))
        {
            int position = PositionOf(message, message.GetRawValue(Hl7Message.ProcessingIdKey));
            error = new(Hl7ErrorCode.UnsupportedProcessingId, position, $"MSH-11 processing ID at byte {position} is not P, D or T");
            return false;
        }

        if (message.GetRawValue(Hl7Message.MessageTypeKey).Span.SequenceEqual("ACK"u8) && message.CountSegments("MSA") == 0)
        {
            int end = message.Offset + message.Bytes.Length;
            error = new(Hl7ErrorCode.SegmentSequenceError, end, $"MSA segment missing in an ACK at byte {end}");
            return false;
        }

        return TryCheckRunTogether(message, out error);
    }

    private static bool TryCheckRequired(in Hl7Message message, Hl7Key key, string name, out Hl7ParseError error)
    {
        if (message.TryGetRawValue(key, out ReadOnlyMemory<byte> raw) && !raw.IsEmpty)
        {
            error = default;
            return true;
        }

        int position = raw.IsEmpty && !message.TryGetRawValue(key, out _)
            ? message.Offset + message.Header.Bytes.Length
            : PositionOf(message, raw);
        error = new(Hl7ErrorCode.RequiredFieldMissing, position, $"{name} is empty at byte {position}");
        return false;
    }

    private static bool TryCheckRunTogether(in Hl7Message message, out Hl7ParseError error)
    {
        foreach (Hl7Segment segment in message.Segments)
        {
            ReadOnlySpan<byte> bytes = segment.Bytes.Span;
            int from = 0;
            while (true)
            {
                int space = bytes[from..].IndexOf((byte)' ');
                if (space < 0)
                {
                    break;
                }

                int at = from + space + 1;
                if (at + 4 <= bytes.Length && bytes[at + 3] == message.Delimiters.FieldByte)
                {
                    if (IsStandardSegmentId(bytes.Slice(at, 3)))
                    {
                        int position = message.Offset + segment.Position + at;
                        error = new(Hl7ErrorCode.SegmentSequenceError, position, $"A segment is run into the previous one at byte {position} (terminator replaced by a space)");
                        return false;
                    }
                }

                from = at;
            }
        }

        error = default;
        return true;
    }

    private static bool IsStandardSegmentId(ReadOnlySpan<byte> id)
    {
        ReadOnlySpan<byte> ids = StandardSegmentIds;
        for (int i = 0; i < ids.Length; i += 3)
        {
            if (ids.Slice(i, 3).SequenceEqual(id))
            {
                return true;
            }
        }

        return false;
    }

    private static int PositionOf(in Hl7Message message, ReadOnlyMemory<byte> value)
    {
        long offset = Unsafe.ByteOffset(ref MemoryMarshal.GetReference(message.Bytes.Span), ref MemoryMarshal.GetReference(value.Span));
        return message.Offset + (offset >= 0 && offset <= message.Bytes.Length ? (int)offset : 0);
    }
}
