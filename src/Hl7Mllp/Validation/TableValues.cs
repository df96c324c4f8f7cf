using System.Buffers;
using System.Text;

namespace Hl7Mllp.Validation;

/// <summary>The allowed values of one table, looked up by raw ER7 bytes: packed keys for short ASCII values, decoded text otherwise.</summary>
internal sealed class TableValues
{
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _text;
    private readonly ByteKeyMap<string> _packed;

    public TableValues(HashSet<string> values)
    {
        _text = values.GetAlternateLookup<ReadOnlySpan<char>>();
        _packed = new ByteKeyMap<string>(values.Select(v => KeyValuePair.Create(v, v)));
    }

    /// <summary>Whether the table holds <paramref name="value"/>, read as UTF-8 when <paramref name="utf8"/>, else one character per byte.</summary>
    public bool Contains(ReadOnlySpan<byte> value, bool utf8)
    {
        // Short ASCII bytes read the same in UTF-8 and Latin-1, and every table value that could equal them was packed.
        if (ByteKey.TryPack(value, out var key))
        {
            return _packed.TryGetValue(key, out _);
        }

        char[]? rented = null;
        // Table values are codes of a few characters: a small stack buffer (cheap to clear) holds nearly all.
        var chars = value.Length <= 32 ? stackalloc char[32] : (rented = ArrayPool<char>.Shared.Rent(value.Length));
        try
        {
            var length = utf8 ? Encoding.UTF8.GetChars(value, chars) : Encoding.Latin1.GetChars(value, chars);
            return _text.Contains(chars[..length]);
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
