namespace Hl7Mllp.Validation;

/// <summary>
/// Where in a message a finding applies: what the ACK ERR template's <c>%sid %q %f %r %c %s</c> and the
/// v2.5+ ERR-2 (ERL) carry. Every index is 1-based; 0 means "not given" and is written as an empty value.
/// </summary>
/// <param name="SegmentId">The segment ID (<c>PID</c>), or an empty string when the finding has no location.</param>
/// <param name="SegmentOccurrence">Which occurrence of the segment (<c>%q</c>), 1 for the first.</param>
/// <param name="Field">The field position (<c>%f</c>); for MSH, MSH-1 is the field separator.</param>
/// <param name="Repetition">The field repetition (<c>%r</c>).</param>
/// <param name="Component">The component (<c>%c</c>).</param>
/// <param name="Subcomponent">The subcomponent (<c>%s</c>).</param>
public readonly record struct Hl7Location(
    string SegmentId,
    int SegmentOccurrence = 0,
    int Field = 0,
    int Repetition = 0,
    int Component = 0,
    int Subcomponent = 0)
{
    /// <summary>No location: an empty segment ID and every index 0.</summary>
    public static Hl7Location None { get; } = new(string.Empty);

    /// <summary>Whether a segment ID is set.</summary>
    public bool HasSegment => !string.IsNullOrEmpty(SegmentId);

    /// <summary>
    /// Reads an HL7 key such as <c>PID.3</c>, <c>OBX[2].5[1].1</c> or <c>PID.5.1.2</c> into a location.
    /// A segment or field without an explicit <c>[n]</c> is the first occurrence or repetition.
    /// </summary>
    /// <param name="key">The HL7 key.</param>
    /// <param name="location">The location when the key is well formed; otherwise <see cref="None"/>.</param>
    /// <returns><see langword="true"/> when <paramref name="key"/> is a well-formed HL7 key.</returns>
    public static bool TryParseKey(ReadOnlySpan<char> key, out Hl7Location location)
    {
        if (Hl7Key.TryParse(key, out var parsed))
        {
            location = parsed.ToLocation();
            return true;
        }

        location = None;
        return false;
    }

    /// <summary>Writes the location as an HL7 key (<c>OBX[2].5</c>, <c>PID.3[2].1</c>); a first occurrence or repetition has no <c>[1]</c>.</summary>
    /// <returns>The key, or an empty string when there is no segment.</returns>
    public override string ToString()
    {
        if (!HasSegment)
        {
            return string.Empty;
        }

        var text = new System.Text.StringBuilder(SegmentId);
        if (SegmentOccurrence > 1)
        {
            text.Append('[').Append(SegmentOccurrence).Append(']');
        }

        if (Field > 0)
        {
            text.Append('.').Append(Field);
            if (Repetition > 1)
            {
                text.Append('[').Append(Repetition).Append(']');
            }

            if (Component > 0)
            {
                text.Append('.').Append(Component);
                if (Subcomponent > 0)
                {
                    text.Append('.').Append(Subcomponent);
                }
            }
        }

        return text.ToString();
    }
}
