using System.IO.Enumeration;

namespace Hl7Mllp.Storage;

/// <summary>
/// A directory plus a file-name pattern, as the seed's wildcards write them (<c>/data/out/*.hl7</c>,
/// <c>/data/in/ADT_*.hl7</c>). <c>*</c> matches any run of characters and <c>?</c> one character, case-sensitively on
/// Linux; the directory part has no wildcards.
/// </summary>
internal sealed class FileWildcard
{
    private FileWildcard(string directory, string pattern)
    {
        Directory = directory;
        Pattern = pattern;
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        Prefix = star < 0 ? pattern : pattern[..star];
        Suffix = star < 0 ? string.Empty : pattern[(star + 1)..];
    }

    /// <summary>Gets the absolute directory.</summary>
    public string Directory { get; }

    /// <summary>Gets the file-name pattern.</summary>
    public string Pattern { get; }

    /// <summary>Gets the name characters before the first <c>*</c> (the whole pattern when it has none).</summary>
    public string Prefix { get; }

    /// <summary>Gets the name characters after the first <c>*</c>.</summary>
    public string Suffix { get; }

    /// <summary>Parses <paramref name="value"/>; adds a problem to <paramref name="problems"/> and returns <see langword="null"/> when it is unusable.</summary>
    /// <param name="value">The wildcard text.</param>
    /// <param name="optionName">The option's name, for the problem text.</param>
    /// <param name="singleStar">Whether the name must hold exactly one <c>*</c> and no <c>?</c> (the store's form).</param>
    /// <param name="problems">Where problems are added.</param>
    public static FileWildcard? TryParse(string? value, string optionName, bool singleStar, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{optionName} is required (a directory and a file-name wildcard, e.g. /data/in/*.hl7).");
            return null;
        }

        var fullPath = Path.GetFullPath(value);
        var pattern = Path.GetFileName(fullPath);
        var directory = Path.GetDirectoryName(fullPath);
        if (directory is null || pattern.Length == 0)
        {
            problems.Add($"{optionName} must end with a file-name wildcard such as *.hl7 (was '{value}').");
            return null;
        }

        if (directory.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            problems.Add($"{optionName} may hold wildcards only in the file name (was '{value}').");
            return null;
        }

        if (pattern.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars().AsSpan()) >= 0 && !OperatingSystem.IsWindows())
        {
            problems.Add($"{optionName} holds a character not allowed in a file name (was '{value}').");
            return null;
        }

        if (singleStar && (pattern.Count('*') != 1 || pattern.Contains('?', StringComparison.Ordinal)))
        {
            problems.Add($"{optionName} must hold exactly one * in the file name and no ? (was '{value}').");
            return null;
        }

        if (FileStorageNames.IsReserved(pattern))
        {
            problems.Add($"{optionName} must not start with {FileStorageNames.ReservedPrefix}, which Hl7Mllp keeps for its own files (was '{value}').");
            return null;
        }

        return new FileWildcard(directory, pattern);
    }

    /// <summary>Returns whether a file name (without directory) matches the pattern and is not one of Hl7Mllp's own files.</summary>
    public bool Matches(ReadOnlySpan<char> fileName) =>
        !FileStorageNames.IsReserved(fileName) && FileSystemName.MatchesSimpleExpression(Pattern, fileName, ignoreCase: OperatingSystem.IsWindows());
}
