using System.Text;

namespace Hl7Mllp.Messages;

/// <summary>
/// Maps MSH-18 character set names (HL7 table 0211) to .NET encodings. Single-byte ISO 8859 sets and the
/// East Asian sets come from <see cref="CodePagesEncodingProvider"/>.
/// </summary>
/// <remarks>
/// Mapped: <c>ASCII</c>, <c>8859/1</c> … <c>8859/9</c>, <c>8859/15</c>, <c>UNICODE UTF-8</c>, <c>UNICODE</c> (read as
/// UTF-8: an ER7 message whose MSH parsed is ASCII-compatible), <c>ISO IR6</c>, <c>ISO IR100</c>, <c>ISO IR101</c>,
/// <c>ISO IR126</c>, <c>ISO IR127</c>, <c>ISO IR138</c>, <c>ISO IR144</c>, <c>ISO IR148</c>, <c>ISO IR87</c>
/// (ISO-2022-JP), <c>KS X 1001</c> (EUC-KR), <c>GB 18030-2000</c>, <c>BIG-5</c>. Not mapped: UTF-16/UTF-32
/// (their bytes cannot carry ER7 delimiters), <c>ISO IR14</c>, <c>ISO IR159</c>, <c>CNS 11643-1992</c>.
/// </remarks>
public static class Hl7CharacterSets
{
    private static readonly (string Name, int CodePage)[] Map =
    [
        ("ASCII", 20127),
        ("8859/1", 28591),
        ("8859/2", 28592),
        ("8859/3", 28593),
        ("8859/4", 28594),
        ("8859/5", 28595),
        ("8859/6", 28596),
        ("8859/7", 28597),
        ("8859/8", 28598),
        ("8859/9", 28599),
        ("8859/15", 28605),
        ("UNICODE UTF-8", 65001),
        ("UNICODE", 65001),
        ("ISO IR6", 20127),
        ("ISO IR100", 28591),
        ("ISO IR101", 28592),
        ("ISO IR126", 28597),
        ("ISO IR127", 28596),
        ("ISO IR138", 28598),
        ("ISO IR144", 28595),
        ("ISO IR148", 28599),
        ("ISO IR87", 50220),
        ("KS X 1001", 51949),
        ("GB 18030-2000", 54936),
        ("BIG-5", 950),
    ];

    /// <summary>Finds the .NET encoding for an MSH-18 value.</summary>
    /// <param name="characterSet">The MSH-18 value (its first repetition and component); surrounding spaces and letter case are ignored.</param>
    /// <param name="encoding">The encoding, or <see langword="null"/> when the name is empty or not mapped.</param>
    /// <returns><see langword="true"/> when the name is mapped.</returns>
    public static bool TryGetEncoding(ReadOnlySpan<char> characterSet, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Encoding? encoding)
    {
        ReadOnlySpan<char> name = characterSet.Trim();
        foreach ((string candidate, int codePage) in Map)
        {
            // Length first: most candidates are rejected without comparing a character.
            if (name.Length == candidate.Length && name.Equals(candidate, StringComparison.OrdinalIgnoreCase))
            {
                encoding = GetEncoding(codePage);
                return encoding is not null;
            }
        }

        encoding = null;
        return false;
    }

    /// <summary>Finds the .NET encoding for an MSH-18 value given as bytes (ASCII by definition), without allocating.</summary>
    internal static bool TryGetEncoding(ReadOnlySpan<byte> characterSet, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Encoding? encoding)
    {
        encoding = null;
        ReadOnlySpan<byte> name = characterSet.Trim((byte)' ');
        if (name.IsEmpty || name.Length > 16)
        {
            return false;
        }

        // The character sets nearly every message names, without the table walk.
        if (Ascii.EqualsIgnoreCase(name, "UNICODE UTF-8"u8))
        {
            encoding = Encoding.UTF8;
            return true;
        }

        if (Ascii.EqualsIgnoreCase(name, "ASCII"u8))
        {
            encoding = Encoding.ASCII;
            return true;
        }

        if (Ascii.EqualsIgnoreCase(name, "8859/1"u8))
        {
            encoding = Encoding.Latin1;
            return true;
        }

        Span<char> chars = stackalloc char[name.Length];
        for (int i = 0; i < name.Length; i++)
        {
            chars[i] = (char)name[i];
        }

        return TryGetEncoding(chars, out encoding);
    }

    private static Encoding? GetEncoding(int codePage) => codePage switch
    {
        20127 => Encoding.ASCII,
        28591 => Encoding.Latin1,
        65001 => Encoding.UTF8,
        _ => CodePagesEncodingProvider.Instance.GetEncoding(codePage),
    };
}
