using System.Text;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Acks;

/// <summary>A checked ACK MSH template: its bytes, delimiters and field bounds, found once.</summary>
internal sealed class AckMshTemplate
{
    private readonly byte[] _bytes;
    private readonly Range[] _bounds;

    private AckMshTemplate(byte[] bytes, Hl7Delimiters delimiters)
    {
        _bytes = bytes;
        Delimiters = delimiters;
        _bounds = new Range[AckHeaderFields.BufferLength];
        FieldCount = AckHeaderFields.Split(bytes, delimiters.FieldByte, _bounds).Count;
    }

    /// <summary>Gets the delimiters the template is written with.</summary>
    public Hl7Delimiters Delimiters { get; }

    /// <summary>Gets how many fields the template has (MSH-1 counts).</summary>
    public int FieldCount { get; }

    /// <summary>Gets the template's fields.</summary>
    public AckHeaderFields Fields => AckHeaderFields.Split(_bytes, Delimiters.FieldByte, _bounds.AsSpan());

    /// <summary>Checks and compiles a template; returns <see langword="null"/> and a problem when it is not one ASCII MSH segment.</summary>
    public static AckMshTemplate? TryCompile(string template, out string? problem)
    {
        template = template.TrimEnd('\r', '\n');
        problem = !Ascii.IsValid(template) ? "MshTemplate must be ASCII."
            : template.AsSpan().IndexOfAny('\r', '\n') >= 0 ? "MshTemplate must be one MSH segment, without CR or LF."
            : !Hl7Message.TryParse(Encoding.ASCII.GetBytes(template), out Hl7Message message, out Hl7ParseError error) ? $"MshTemplate is not an MSH segment: {error.Reason}."
            : message.Header.FieldCount > AckHeaderFields.MaxField ? $"MshTemplate has more than {AckHeaderFields.MaxField} fields."
            : null;
        if (problem is not null)
        {
            return null;
        }

        byte[] bytes = Encoding.ASCII.GetBytes(template);
        Hl7Message parsed = Hl7Message.Parse(bytes);
        return new AckMshTemplate(bytes, parsed.Delimiters);
    }
}
