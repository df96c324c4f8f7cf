using System.Buffers;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Duplicates;

/// <summary>Where MSH-3, MSH-4 and MSH-10, the parts of a duplicate key, lie in an MSH segment.</summary>
/// <param name="Application">MSH-3.</param>
/// <param name="Facility">MSH-4.</param>
/// <param name="ControlId">MSH-10.</param>
internal readonly record struct DuplicateKeyFields(Range Application, Range Facility, Range ControlId)
{
    /// <summary>MSH-10, the last field of the key.</summary>
    public const int ControlIdField = 10;

    /// <summary>Picks the key's fields from a header split by <see cref="Hl7Scanner.SplitHeader"/> into at least <see cref="ControlIdField"/> + 1 ranges.</summary>
    public static DuplicateKeyFields From(ReadOnlySpan<Range> fields) => new(fields[3], fields[4], fields[ControlIdField]);
}

/// <summary>
/// Builds the key a message is recognised by from the raw (escaped) bytes of MSH-3, MSH-4 and MSH-10 (read in one pass over MSH),
/// joined by <c>|</c>: exact whatever the message's character set, and never decoded. Shown as text, each byte is one char (Latin-1).
/// </summary>
internal static class DuplicateKey
{
    /// <summary>Keys up to this many bytes are built on the stack.</summary>
    public const int StackLimit = 256;

    /// <summary>Finds the key's fields in an MSH segment.</summary>
    public static DuplicateKeyFields Find(ReadOnlySpan<byte> header, byte separator)
    {
        // The split stops at MSH-10: the key needs no later field.
        Span<Range> fields = stackalloc Range[DuplicateKeyFields.ControlIdField + 1];
        Hl7Scanner.SplitHeader(header, separator, fields);
        return DuplicateKeyFields.From(fields);
    }

    /// <summary>Gets the key's length in bytes; 0 when MSH-10 is blank (such a message has no key).</summary>
    public static int GetLength(ReadOnlySpan<byte> header, DuplicateKeyFields fields, DuplicateKeyMode mode)
    {
        if (header[fields.ControlId].Trim((byte)' ').IsEmpty)
        {
            return 0;
        }

        return mode == DuplicateKeyMode.ControlIdOnly
            ? header[fields.ControlId].Length
            : header[fields.Application].Length + header[fields.Facility].Length + header[fields.ControlId].Length + 2;
    }

    /// <summary>Writes the key into <paramref name="destination"/>, which is exactly as long as <see cref="GetLength"/> said.</summary>
    public static void Write(Span<byte> destination, DuplicateKeyMode mode, ReadOnlySpan<byte> application, ReadOnlySpan<byte> facility, ReadOnlySpan<byte> controlId)
    {
        if (mode == DuplicateKeyMode.ControlIdOnly)
        {
            controlId.CopyTo(destination);
            return;
        }

        application.CopyTo(destination);
        int written = application.Length;
        destination[written++] = (byte)'|';
        facility.CopyTo(destination[written..]);
        written += facility.Length;
        destination[written++] = (byte)'|';
        controlId.CopyTo(destination[written..]);
    }

    /// <summary>Builds the key from a header whose key fields are found (<see cref="Find"/>) and passes it to <paramref name="action"/> without allocating for keys up to <see cref="StackLimit"/> bytes.</summary>
    public static TResult With<TState, TResult>(ReadOnlySpan<byte> header, DuplicateKeyFields fields, DuplicateKeyMode mode, TState state, Func<TState, ReadOnlySpan<byte>, TResult> action, TResult whenBlank)
    {
        int length = GetLength(header, fields, mode);
        if (length == 0)
        {
            return whenBlank;
        }

        byte[]? rented = null;
        // Exactly the key's length on the stack: the runtime zeroes what is allocated there, so no more than needed.
        Span<byte> key = length <= StackLimit ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            Write(key, mode, header[fields.Application], header[fields.Facility], header[fields.ControlId]);
            return action(state, key);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
