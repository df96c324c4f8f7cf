namespace Hl7Mllp.Acks;

/// <summary>Makes the MSH-10 message control ID of each ACK.</summary>
/// <remarks>Implementations must be thread-safe: one builder serves every connection of a listener.</remarks>
public interface IAckControlIdGenerator
{
    /// <summary>The most characters a control ID may have (MSH-10 is ST of length 20 up to v2.6).</summary>
    const int MaxLength = 20;

    /// <summary>Writes the next control ID as ASCII letters, digits, <c>.</c>, <c>-</c> or <c>_</c>.</summary>
    /// <param name="destination">Where to write; at least <see cref="MaxLength"/> bytes.</param>
    /// <returns>The number of bytes written, 1 to <see cref="MaxLength"/>.</returns>
    int WriteNext(Span<byte> destination);
}
