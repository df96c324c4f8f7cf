using System.Buffers.Binary;

namespace Hl7Mllp.Validation;

/// <summary>Packs a short ASCII byte string and its length into 128 bits: the keys of <see cref="ByteKeyMap{TValue}"/>.</summary>
internal static class ByteKey
{
    /// <summary>The longest key, in bytes: 15 (the sixteenth byte holds the length).</summary>
    public const int MaxLength = 15;

    /// <summary>Packs up to <see cref="MaxLength"/> ASCII bytes and their length; <see langword="false"/> for longer or non-ASCII keys.</summary>
    public static bool TryPack(ReadOnlySpan<byte> bytes, out UInt128 key)
    {
        // Overlapping reads, each shifted to its bytes' place: where they overlap they hold the same bytes, so OR joins them.
        var length = bytes.Length;
        ulong low, high = 0;
        if (length >= 8)
        {
            if (length > MaxLength)
            {
                key = UInt128.Zero;
                return false;
            }

            low = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            if (length > 8)
            {
                high = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(length - 8)..]) >> (8 * (16 - length));
            }
        }
        else if (length >= 4)
        {
            low = BinaryPrimitives.ReadUInt32LittleEndian(bytes) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(bytes[(length - 4)..]) << (8 * (length - 4)));
        }
        else if (length > 0)
        {
            low = bytes[0] | ((ulong)bytes[length >> 1] << (8 * (length >> 1))) | ((ulong)bytes[length - 1] << (8 * (length - 1)));
        }
        else
        {
            low = 0;
        }

        high |= (ulong)(length + 1) << 56;
        key = new UInt128(high, low);
        return ((low | high) & 0x8080808080808080UL) == 0;
    }
}
