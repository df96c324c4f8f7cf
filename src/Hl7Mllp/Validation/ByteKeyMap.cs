using System.Diagnostics.CodeAnalysis;

namespace Hl7Mllp.Validation;

/// <summary>
/// A read-only map keyed by short ASCII byte strings (at most <see cref="ByteKey.MaxLength"/> bytes), built once: keys are
/// packed into 128 bits with their length and found by open addressing, so a look-up of raw ER7 bytes neither decodes
/// nor allocates. Used for segment IDs, table values and OBX-2 data type names.
/// </summary>
/// <typeparam name="TValue">The value type.</typeparam>
internal sealed class ByteKeyMap<TValue>
{
    private readonly UInt128[] _keys;
    private readonly TValue[] _values;
    private readonly int _mask;

    /// <summary>Builds the map; keys that are not ASCII or longer than <see cref="ByteKey.MaxLength"/> are left out (see <see cref="AllKeysPacked"/>).</summary>
    public ByteKeyMap(IEnumerable<KeyValuePair<string, TValue>> entries)
    {
        var packed = new List<(UInt128 Key, TValue Value)>();
        AllKeysPacked = true;
        Span<byte> bytes = stackalloc byte[ByteKey.MaxLength];
        foreach (var (name, value) in entries)
        {
            if (name.Length <= ByteKey.MaxLength && System.Text.Ascii.FromUtf16(name, bytes, out var length) == System.Buffers.OperationStatus.Done
                && ByteKey.TryPack(bytes[..length], out var key))
            {
                packed.Add((key, value));
            }
            else
            {
                AllKeysPacked = false;
            }
        }

        // At most half full: an unsuccessful look-up ends at an empty slot after a probe or two.
        var capacity = (int)Math.Max(8, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)packed.Count * 2));
        _keys = new UInt128[capacity];
        _values = new TValue[capacity];
        _mask = capacity - 1;
        foreach (var (key, value) in packed)
        {
            var slot = Slot(key);
            while (_keys[slot] != UInt128.Zero && _keys[slot] != key)
            {
                slot = (slot + 1) & _mask;
            }

            _keys[slot] = key;
            _values[slot] = value;
        }
    }

    /// <summary>Whether every key was packed: when <see langword="false"/>, a key that does not pack may still be one of the entries.</summary>
    public bool AllKeysPacked { get; }

    /// <summary>Finds the value of a packed key.</summary>
    public bool TryGetValue(UInt128 key, [MaybeNullWhen(false)] out TValue value)
    {
        for (var slot = Slot(key); ; slot = (slot + 1) & _mask)
        {
            var candidate = _keys[slot];
            if (candidate == key)
            {
                value = _values[slot];
                return true;
            }

            if (candidate == UInt128.Zero)
            {
                value = default;
                return false;
            }
        }
    }

    /// <summary>Finds the value of a key given as bytes; <see langword="false"/> also when the key does not pack.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> key, [MaybeNullWhen(false)] out TValue value)
    {
        value = default;
        return ByteKey.TryPack(key, out var packed) && TryGetValue(packed, out value);
    }

    private int Slot(UInt128 key)
    {
        var mixed = ((ulong)key ^ ((ulong)(key >> 64) * 0xC2B2AE3D27D4EB4FUL)) * 0x9E3779B97F4A7C15UL;
        return (int)(mixed >> 32) & _mask;
    }
}
