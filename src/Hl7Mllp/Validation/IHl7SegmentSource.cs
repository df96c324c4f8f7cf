namespace Hl7Mllp.Validation;

/// <summary>
/// The seam Named Fields validation walks: the message's delimiters and each segment's raw ER7 text.
/// The validator splits fields, repetitions, components and subcomponents itself, in one pass.
/// </summary>
/// <remarks>
/// Maps onto <c>Hl7Message</c> as: delimiters from MSH-1/MSH-2, segments in message order, each segment's
/// text from its segment ID to the character before its terminator (CR), escape sequences left as they are.
/// </remarks>
internal interface IHl7SegmentSource
{
    /// <summary>The field separator, MSH-1 (usually <c>|</c>).</summary>
    char FieldSeparator { get; }

    /// <summary>The component separator, MSH-2 first character (usually <c>^</c>).</summary>
    char ComponentSeparator { get; }

    /// <summary>The repetition separator, MSH-2 second character (usually <c>~</c>).</summary>
    char RepetitionSeparator { get; }

    /// <summary>The subcomponent separator, MSH-2 fourth character (usually <c>&amp;</c>).</summary>
    char SubcomponentSeparator { get; }

    /// <summary>The number of segments.</summary>
    int SegmentCount { get; }

    /// <summary>The raw text of segment <paramref name="index"/> (0-based), without its terminator.</summary>
    ReadOnlySpan<char> GetSegment(int index);
}
