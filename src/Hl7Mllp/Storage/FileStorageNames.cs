namespace Hl7Mllp.Storage;

/// <summary>
/// The names the file store and the file source keep for themselves. Every such name starts with
/// <see cref="ReservedPrefix"/>, and the file source never picks one up, whatever its wildcard.
/// </summary>
internal static class FileStorageNames
{
    /// <summary>The prefix of every name Hl7Mllp keeps for itself: <c>.hl7mllp-</c> (hidden on Unix).</summary>
    public const string ReservedPrefix = ".hl7mllp-";

    /// <summary>The prefix of temporary files: <c>.hl7mllp-tmp-</c>.</summary>
    public const string TempPrefix = ReservedPrefix + "tmp-";

    /// <summary>
    /// Returns the temporary name a file is written under before it is renamed to <paramref name="fileName"/>:
    /// <c>.hl7mllp-tmp-NAME.tmp</c>, hidden on Unix and with another extension, so that a consumer globbing the final
    /// names (<c>*.hl7</c>) never sees a file still being written.
    /// </summary>
    public static string TempName(string fileName) => TempPrefix + fileName + ".tmp";

    /// <summary>Returns whether <paramref name="fileName"/> (a name without directory) is reserved.</summary>
    public static bool IsReserved(ReadOnlySpan<char> fileName) => fileName.StartsWith(ReservedPrefix, StringComparison.Ordinal);
}
