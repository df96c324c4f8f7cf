using System.Text;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Acks;

/// <summary>A compiled ACK ERR template: literal pieces (in the standard delimiters) and replacements.</summary>
internal sealed class AckErrTemplate
{
    private static readonly (string Name, Part Kind)[] Replacements =
    [
        ("code", Part.Code), ("text", Part.Text), ("sid", Part.SegmentId), ("sev", Part.Severity),
        ("q", Part.Sequence), ("f", Part.Field), ("c", Part.Component), ("s", Part.Subcomponent), ("r", Part.Repetition),
    ];

    private readonly (Part Kind, byte[] Literal)[] _parts;

    private AckErrTemplate((Part Kind, byte[] Literal)[] parts, bool repeatsFirstField)
    {
        _parts = parts;
        RepeatsFirstField = repeatsFirstField;
    }

    private enum Part
    {
        Literal,
        Code,
        Text,
        SegmentId,
        Severity,
        Sequence,
        Field,
        Component,
        Subcomponent,
        Repetition,
    }

    /// <summary>Gets the v2.5+ default template.</summary>
    public static AckErrTemplate V25 { get; } = Compile(AckBuilderOptions.V25ErrTemplate);

    /// <summary>Gets the v2.3 default template.</summary>
    public static AckErrTemplate V23 { get; } = Compile(AckBuilderOptions.V23ErrTemplate);

    /// <summary>Gets whether the template has only ERR-1, so errors become repetitions of ERR-1 in one segment.</summary>
    public bool RepeatsFirstField { get; }

    /// <summary>Checks a template; returns a problem or <see langword="null"/>.</summary>
    public static string? Check(string template) =>
        !template.StartsWith("ERR|", StringComparison.Ordinal) ? "ErrTemplate must start with \"ERR|\" (or be empty for no ERR segment)."
        : template.AsSpan().IndexOfAny('\r', '\n') >= 0 ? "ErrTemplate must be one segment, without CR or LF."
        : !Ascii.IsValid(template) ? "ErrTemplate must be ASCII."
        : null;

    /// <summary>Compiles a template that <see cref="Check"/> accepted.</summary>
    public static AckErrTemplate Compile(string template)
    {
        string body = template[4..];
        var parts = new List<(Part, byte[])>();
        var literal = new StringBuilder();
        int i = 0;
        while (i < body.Length)
        {
            if (body[i] == '%' && TryMatch(body.AsSpan(i + 1), out Part kind, out int length))
            {
                if (literal.Length > 0)
                {
                    parts.Add((Part.Literal, Encoding.ASCII.GetBytes(literal.ToString())));
                    literal.Clear();
                }

                parts.Add((kind, []));
                i += length + 1;
            }
            else
            {
                literal.Append(body[i]);
                i++;
            }
        }

        if (literal.Length > 0)
        {
            parts.Add((Part.Literal, Encoding.ASCII.GetBytes(literal.ToString())));
        }

        return new AckErrTemplate([.. parts], !body.Contains('|', StringComparison.Ordinal));
    }

    /// <summary>Writes the template's fields (everything after <c>ERR|</c>) for one error.</summary>
    public void WriteBody(ref AckWriter writer, Hl7Error error, Hl7Delimiters delimiters, Encoding encoding)
    {
        bool located = error.SegmentId.Length > 0;
        foreach ((Part kind, byte[] literal) in _parts)
        {
            switch (kind)
            {
                case Part.Literal:
                    writer.WriteTranslated(literal, Hl7Delimiters.Default, delimiters);
                    break;
                case Part.Code:
                    writer.WriteNumber((int)error.Code);
                    break;
                case Part.Text:
                    writer.WriteEscaped(error.Text, delimiters, encoding);
                    break;
                case Part.SegmentId:
                    writer.WriteEscaped(error.SegmentId, delimiters, encoding);
                    break;
                case Part.Severity:
                    writer.Write((byte)error.SeverityCode);
                    break;
                case Part.Sequence:
                    writer.WriteIndex(located ? error.Sequence : 0);
                    break;
                case Part.Field:
                    writer.WriteIndex(located ? error.Field : 0);
                    break;
                case Part.Component:
                    writer.WriteIndex(located ? error.Component : 0);
                    break;
                case Part.Subcomponent:
                    writer.WriteIndex(located ? error.Subcomponent : 0);
                    break;
                case Part.Repetition:
                    writer.WriteIndex(located ? error.Repetition : 0);
                    break;
            }
        }
    }

    private static bool TryMatch(ReadOnlySpan<char> rest, out Part kind, out int length)
    {
        foreach ((string name, Part candidate) in Replacements)
        {
            if (rest.StartsWith(name, StringComparison.Ordinal))
            {
                kind = candidate;
                length = name.Length;
                return true;
            }
        }

        kind = Part.Literal;
        length = 0;
        return false;
    }
}
