using Hl7Mllp.Validation;

namespace Hl7Mllp.Tests.Validation;

/// <summary>
/// A test-only, minimal ER7 reader implementing the validation seams: segments split on CR/LF, delimiters from
/// MSH, values looked up by HL7 key with no unescaping. Stands in for Hl7Message until that lands.
/// </summary>
internal sealed class TestMessage : IHl7ValueSource, IHl7SegmentSource
{
    private readonly string[] _segments;

    private TestMessage(string[] segments)
    {
        _segments = segments;
        var header = Array.Find(segments, s => s.StartsWith("MSH", StringComparison.Ordinal));
        if (header is { Length: >= 8 })
        {
            FieldSeparator = header[3];
            ComponentSeparator = header[4];
            RepetitionSeparator = header[5];
            SubcomponentSeparator = header[7];
        }
    }

    public char FieldSeparator { get; } = '|';

    public char ComponentSeparator { get; } = '^';

    public char RepetitionSeparator { get; } = '~';

    public char SubcomponentSeparator { get; } = '&';

    public int SegmentCount => _segments.Length;

    public int LookupCount { get; private set; }

    public static TestMessage Parse(string text) =>
        new(text.TrimStart('\uFEFF').Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    public static TestMessage Load(string path) => Parse(File.ReadAllText(path));

    public ReadOnlySpan<char> GetSegment(int index) => _segments[index];

    public string GetValue(string key)
    {
        LookupCount++;
        if (!Hl7Key.TryParse(key, out var parsed))
        {
            return string.Empty;
        }

        var wanted = parsed.SegmentOccurrence == 0 ? 1 : parsed.SegmentOccurrence;
        var segment = _segments.Where(s => s.Length >= 3 && s.AsSpan(0, 3).SequenceEqual(parsed.SegmentId)).Skip(wanted - 1).FirstOrDefault();
        if (segment is null)
        {
            return string.Empty;
        }

        if (parsed.Field == 0)
        {
            return segment;
        }

        var fields = segment.Split(FieldSeparator);
        string field;
        if (parsed.SegmentId == "MSH")
        {
            field = parsed.Field == 1 ? FieldSeparator.ToString() : Item(fields, parsed.Field - 1);
            if (parsed.Field <= 2)
            {
                return field;
            }
        }
        else
        {
            field = Item(fields, parsed.Field);
        }

        var repetition = Item(field.Split(RepetitionSeparator), Math.Max(parsed.Repetition, 1) - 1);
        if (parsed.Component == 0)
        {
            return parsed.Repetition == 0 ? field : repetition;
        }

        var component = Item(repetition.Split(ComponentSeparator), parsed.Component - 1);
        return parsed.Subcomponent == 0 ? component : Item(component.Split(SubcomponentSeparator), parsed.Subcomponent - 1);
    }

    private static string Item(string[] items, int index) => index < items.Length ? items[index] : string.Empty;
}
