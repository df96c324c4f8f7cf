namespace Hl7Mllp.Acks;

/// <summary>Text and classification of <see cref="AckCode"/> values.</summary>
public static class AckCodeExtensions
{
    /// <summary>Gets the two-letter code as MSA-1 writes it.</summary>
    /// <param name="code">The acknowledgment code.</param>
    /// <returns><c>AA</c>, <c>AE</c>, <c>AR</c>, <c>CA</c>, <c>CE</c> or <c>CR</c> (a cached string).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> is not a defined value.</exception>
    public static string ToText(this AckCode code) => code switch
    {
        AckCode.AA => "AA",
        AckCode.AE => "AE",
        AckCode.AR => "AR",
        AckCode.CA => "CA",
        AckCode.CE => "CE",
        AckCode.CR => "CR",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Not an HL7 table 0008 acknowledgment code."),
    };

    /// <summary>Gets whether the code is an enhanced-mode accept (commit) code: <c>CA</c>, <c>CE</c> or <c>CR</c>.</summary>
    /// <param name="code">The acknowledgment code.</param>
    /// <returns><see langword="true"/> for <c>CA</c>, <c>CE</c> and <c>CR</c>.</returns>
    public static bool IsCommit(this AckCode code) => code is AckCode.CA or AckCode.CE or AckCode.CR;

    /// <summary>Gets whether the code accepts the message: <c>AA</c> or <c>CA</c>.</summary>
    /// <param name="code">The acknowledgment code.</param>
    /// <returns><see langword="true"/> for <c>AA</c> and <c>CA</c>.</returns>
    public static bool IsAccept(this AckCode code) => code is AckCode.AA or AckCode.CA;

    /// <summary>Parses a two-letter code (upper case, as MSA-1 writes it; surrounding spaces are ignored).</summary>
    /// <param name="text">The text, e.g. <c>AE</c>.</param>
    /// <param name="code">The code, or <see cref="AckCode.AA"/> when the text is not a table 0008 code.</param>
    /// <returns><see langword="true"/> when <paramref name="text"/> is one of the six codes.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out AckCode code)
    {
        text = text.Trim();
        code = AckCode.AA;
        if (text.Length != 2 || (text[0] != 'A' && text[0] != 'C'))
        {
            return false;
        }

        int offset = text[0] == 'C' ? 3 : 0;
        switch (text[1])
        {
            case 'A':
                code = (AckCode)offset;
                return true;
            case 'E':
                code = (AckCode)(offset + 1);
                return true;
            case 'R':
                code = (AckCode)(offset + 2);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Writes the two ASCII bytes of the code.</summary>
    internal static void Write(this AckCode code, Span<byte> destination)
    {
        destination[0] = code.IsCommit() ? (byte)'C' : (byte)'A';
        destination[1] = code switch
        {
            AckCode.AA or AckCode.CA => (byte)'A',
            AckCode.AE or AckCode.CE => (byte)'E',
            AckCode.AR or AckCode.CR => (byte)'R',
            _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Not an HL7 table 0008 acknowledgment code."),
        };
    }
}
