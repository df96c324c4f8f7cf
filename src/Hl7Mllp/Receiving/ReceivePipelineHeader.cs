using Hl7Mllp.Messages;

namespace Hl7Mllp.Receiving;

/// <summary>
/// Splits an MSH segment into its fields in one pass, so the pipeline and the duplicate tracker read MSH-3, -4,
/// -10, -11, -15, -16 and -18 without scanning the message again for each.
/// </summary>
internal static class ReceivePipelineHeader
{
    /// <summary>The highest MSH field the split records (MSH-18, the character set).</summary>
    public const int MaxField = 18;

    /// <summary>Records where each of MSH-2 … MSH-<see cref="MaxField"/> lies in <paramref name="header"/>; absent fields are empty.</summary>
    /// <param name="header">The MSH segment's bytes (starting with <c>MSH</c> and the field separator).</param>
    /// <param name="separator">The field separator.</param>
    /// <param name="fields">At least <see cref="MaxField"/> + 1 ranges, indexed by field number.</param>
    public static void Split(ReadOnlySpan<byte> header, byte separator, Span<Range> fields) =>
        Hl7Scanner.SplitHeader(header, separator, fields[..(MaxField + 1)]);
}
