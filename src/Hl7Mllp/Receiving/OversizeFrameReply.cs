using System.Buffers;
using Hl7Mllp.Acks;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Receiving;

/// <summary>
/// The negative ACK a listener sends before it closes a connection whose frame grew past
/// <see cref="Framing.MllpFramingOptions.MaxFrameBytes"/> (RELIABILITY A1, F22), built from the copied prefix of the
/// frame (<see cref="Framing.MllpFrameTooLargeException.Prefix"/>, at most 1 KiB): nothing past the limit is read or kept.
/// </summary>
/// <remarks>
/// <para>
/// An answer is written only when the prefix starts with <c>MSH</c>, a valid field separator, and the whole MSH segment
/// (up to its first CR, or LF) lies inside the prefix; otherwise there is nothing to answer to and the connection just
/// closes. MSA-1 is <c>AR</c> in original mode and <c>CR</c> in enhanced mode (MSH-15 or MSH-16 valued), the way the
/// receive pipeline decides: an enhanced-mode sender whose MSH-15 asks for no accept ACK on failure (<c>NE</c>,
/// <c>SU</c>) gets none. MSA-2 is MSH-10; the header is the received one with sender and receiver swapped (or the
/// configured template), as for any ACK of the <see cref="AckBuilder"/>.
/// </para>
/// <para>
/// One ERR with table 0357 code <c>207</c> (application internal error), severity <c>E</c>, and the text
/// <c>message too large (limit N bytes)</c> (ERR-8; ERR-1.4's text before v2.5). Table 0357 has no "message too large"
/// code. <c>104</c> (value too long, v2.7) is about one field's length against its definition, and a 1xx code is
/// answered with AE, which invites a sender to fix the content and try again; <c>100</c> (segment sequence) and
/// <c>199</c> (other HL7 error) are also AE codes about content the receiver never read. The frame was refused by the
/// receiving application's own limit before any of it was processed, which is what <c>207</c> with AR (reject: do not
/// resend as is) says, and it is the code the pipeline already uses for a receiver that cannot take a message.
/// </para>
/// </remarks>
internal static class OversizeFrameReply
{
    /// <summary>The table 0357 code of the ERR: 207, application internal error (see the remarks for why).</summary>
    public const Hl7ErrorCode ErrorCode = Hl7ErrorCode.ApplicationInternalError;

    /// <summary>Writes the NAK for an oversize frame, when its prefix holds a complete MSH segment and the sender wants one.</summary>
    /// <param name="prefix">The first payload bytes of the frame (message content: never log them).</param>
    /// <param name="maxFrameBytes">The limit the frame exceeded, quoted in the ERR text.</param>
    /// <param name="ackBuilder">Builds the ACK (header, MSA, ERR).</param>
    /// <param name="output">Where the ACK bytes (no MLLP framing) are written.</param>
    /// <param name="headerFound">Whether the prefix starts with a complete MSH segment (when nothing was written: the sender's MSH-15 asked for no answer).</param>
    /// <returns>MSA-1 of the ACK written (<c>AR</c> or <c>CR</c>), or <see langword="null"/> when nothing was written.</returns>
    public static AckCode? TryWrite(ReadOnlySpan<byte> prefix, int maxFrameBytes, AckBuilder ackBuilder, IBufferWriter<byte> output, out bool headerFound)
    {
        headerFound = false;
        if (!prefix.StartsWith("MSH"u8) || prefix.Length < 4 || !Hl7Delimiters.IsDelimiter(prefix[3]))
        {
            return null;
        }

        int end = prefix.IndexOfAny((byte)'\r', (byte)'\n');
        if (end < 0)
        {
            // The MSH segment runs past what was kept: MSH-10, MSH-15 and MSH-16 may be missing or cut.
            return null;
        }

        headerFound = true;
        return ackBuilder.TryBuildNak(
            prefix[..end], new Hl7Error(ErrorCode, $"message too large (limit {maxFrameBytes} bytes)"), output, honourNoAcceptAck: true, out _);
    }
}
