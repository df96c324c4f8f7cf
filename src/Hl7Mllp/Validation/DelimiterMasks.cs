using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Validation;

/// <summary>
/// One bit per byte of a segment for each kind of delimiter (and one for any of repetition, component and
/// subcomponent separator: a value with none is a single leaf), built in one vectorised pass (64 bytes a step), so
/// that finding the next separator of a kind, or asking whether a range holds one, costs a few word operations instead
/// of a search call per field, repetition and component.
/// </summary>
internal readonly ref struct DelimiterMasks
{
    private const int Kinds = 5;

    /// <summary>Marks the delimiters of <paramref name="text"/> in <paramref name="storage"/> (at least <see cref="StorageLength"/> words).</summary>
    public DelimiterMasks(ReadOnlySpan<byte> text, Hl7Delimiters delimiters, Span<ulong> storage)
    {
        var words = WordCount(text.Length);
        var bits = storage[..(Kinds * words)];
        Span<byte> tail = stackalloc byte[64];
        for (var word = 0; word < words; word++)
        {
            var start = word * 64;
            ulong field, repetition, component, subcomponent;
            if (text.Length - start >= 64)
            {
                Mark(text.Slice(start, 64), delimiters, out field, out repetition, out component, out subcomponent);
            }
            else
            {
                // Bits past the end are never read: every query stops at the segment's length.
                tail.Clear();
                text[start..].CopyTo(tail);
                Mark(tail, delimiters, out field, out repetition, out component, out subcomponent);
            }

            bits[word] = field;
            bits[words + word] = repetition;
            bits[(2 * words) + word] = component;
            bits[(3 * words) + word] = subcomponent;
            bits[(4 * words) + word] = repetition | component | subcomponent;
        }

        Field = bits[..words];
        Repetition = bits.Slice(words, words);
        Component = bits.Slice(2 * words, words);
        Subcomponent = bits.Slice(3 * words, words);
        Structure = bits.Slice(4 * words, words);
    }

    public ReadOnlySpan<ulong> Field { get; }

    public ReadOnlySpan<ulong> Repetition { get; }

    public ReadOnlySpan<ulong> Component { get; }

    public ReadOnlySpan<ulong> Subcomponent { get; }

    /// <summary>Repetition, component and subcomponent separators together.</summary>
    public ReadOnlySpan<ulong> Structure { get; }

    /// <summary>The words of storage a segment of <paramref name="length"/> bytes needs.</summary>
    public static int StorageLength(int length) => Kinds * WordCount(length);

    /// <summary>The position of the first marked byte of <paramref name="words"/> in [<paramref name="from"/>, <paramref name="limit"/>), or <paramref name="limit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Next(ReadOnlySpan<ulong> words, int from, int limit)
    {
        if (from >= limit)
        {
            return limit;
        }

        var word = from >> 6;
        var bits = words[word] & (ulong.MaxValue << from);
        while (bits == 0)
        {
            word++;
            if (word << 6 >= limit)
            {
                return limit;
            }

            bits = words[word];
        }

        var at = (word << 6) + BitOperations.TrailingZeroCount(bits);
        return at < limit ? at : limit;
    }

    /// <summary>Whether [<paramref name="from"/>, <paramref name="limit"/>) holds a byte marked in <paramref name="words"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Any(ReadOnlySpan<ulong> words, int from, int limit)
    {
        if (from >= limit)
        {
            return false;
        }

        var first = from >> 6;
        var last = (limit - 1) >> 6;
        var lastBits = ulong.MaxValue >> (63 - ((limit - 1) & 63));
        var bits = words[first] & (ulong.MaxValue << from);
        if (first == last)
        {
            return (bits & lastBits) != 0;
        }

        for (var word = first + 1; bits == 0 && word < last; word++)
        {
            bits = words[word];
        }

        return bits != 0 || (words[last] & lastBits) != 0;
    }

    private static int WordCount(int length) => (length + 63) >> 6;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mark(ReadOnlySpan<byte> block, Hl7Delimiters delimiters, out ulong field, out ulong repetition, out ulong component, out ulong subcomponent)
    {
        ref var start = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(block);
        if (Vector512.IsHardwareAccelerated)
        {
            var bytes = Vector512.LoadUnsafe(ref start);
            field = Vector512.Equals(bytes, Vector512.Create(delimiters.FieldByte)).ExtractMostSignificantBits();
            repetition = Vector512.Equals(bytes, Vector512.Create(delimiters.RepetitionByte)).ExtractMostSignificantBits();
            component = Vector512.Equals(bytes, Vector512.Create(delimiters.ComponentByte)).ExtractMostSignificantBits();
            subcomponent = Vector512.Equals(bytes, Vector512.Create(delimiters.SubcomponentByte)).ExtractMostSignificantBits();
            return;
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var low = Vector256.LoadUnsafe(ref start);
            var high = Vector256.LoadUnsafe(ref start, 32);
            field = Pair(low, high, delimiters.FieldByte);
            repetition = Pair(low, high, delimiters.RepetitionByte);
            component = Pair(low, high, delimiters.ComponentByte);
            subcomponent = Pair(low, high, delimiters.SubcomponentByte);
            return;
        }

        field = repetition = component = subcomponent = 0;
        for (var offset = 0; offset < 64; offset += 16)
        {
            var bytes = Vector128.LoadUnsafe(ref start, (nuint)offset);
            field |= (ulong)Vector128.Equals(bytes, Vector128.Create(delimiters.FieldByte)).ExtractMostSignificantBits() << offset;
            repetition |= (ulong)Vector128.Equals(bytes, Vector128.Create(delimiters.RepetitionByte)).ExtractMostSignificantBits() << offset;
            component |= (ulong)Vector128.Equals(bytes, Vector128.Create(delimiters.ComponentByte)).ExtractMostSignificantBits() << offset;
            subcomponent |= (ulong)Vector128.Equals(bytes, Vector128.Create(delimiters.SubcomponentByte)).ExtractMostSignificantBits() << offset;
        }
    }

    // The bits of 64 bytes given as two halves that equal value.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Pair(Vector256<byte> low, Vector256<byte> high, byte value) =>
        Vector256.Equals(low, Vector256.Create(value)).ExtractMostSignificantBits()
        | ((ulong)Vector256.Equals(high, Vector256.Create(value)).ExtractMostSignificantBits() << 32);
}
