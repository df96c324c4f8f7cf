using System.Globalization;
using System.IO.Hashing;

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

    /// <summary>
    /// Returns the temporary name the file store writes a message under before renaming it to <paramref name="fileName"/>:
    /// <c>.hl7mllp-tmp-NAME.LENGTH.HASH.tmp</c>, where LENGTH is the content's length in bytes (decimal) and HASH its
    /// 64-bit XxHash3 (16 lowercase hex digits). The name alone proves whether the file is complete, so the store can
    /// acknowledge a message once its data is durable and rename it afterwards: after a crash, a temporary file whose
    /// length and hash match its name is a whole message (see <see cref="TryParseStoreTempName"/>).
    /// </summary>
    /// <param name="fileName">The final name.</param>
    /// <param name="content">The bytes the file will hold.</param>
    public static string StoreTempName(string fileName, ReadOnlySpan<byte> content) =>
        string.Create(CultureInfo.InvariantCulture, $"{TempPrefix}{fileName}.{content.Length}.{ContentHash(content):x16}.tmp");

    /// <summary>Returns the hash a store temporary name carries for <paramref name="content"/> (XxHash3, 64 bits).</summary>
    public static ulong ContentHash(ReadOnlySpan<byte> content) => XxHash3.HashToUInt64(content);

    /// <summary>
    /// Splits a name made by <see cref="StoreTempName"/> into the final name, the length and the hash.
    /// </summary>
    /// <returns><see langword="false"/> when <paramref name="tempName"/> does not have that form.</returns>
    public static bool TryParseStoreTempName(string tempName, out string fileName, out long length, out ulong hash)
    {
        fileName = string.Empty;
        length = 0;
        hash = 0;
        const string Extension = ".tmp";
        if (!tempName.StartsWith(TempPrefix, StringComparison.Ordinal) || !tempName.EndsWith(Extension, StringComparison.Ordinal))
        {
            return false;
        }

        var inner = tempName.AsSpan(TempPrefix.Length, tempName.Length - TempPrefix.Length - Extension.Length);
        var hashDot = inner.LastIndexOf('.');
        if (hashDot < 0 || inner.Length - hashDot - 1 != 16
            || !ulong.TryParse(inner[(hashDot + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out hash))
        {
            return false;
        }

        var lengthDot = inner[..hashDot].LastIndexOf('.');
        if (lengthDot <= 0 || !long.TryParse(inner[(lengthDot + 1)..hashDot], NumberStyles.None, CultureInfo.InvariantCulture, out length))
        {
            return false;
        }

        fileName = inner[..lengthDot].ToString();
        return true;
    }

    /// <summary>Returns whether <paramref name="fileName"/> (a name without directory) is reserved.</summary>
    public static bool IsReserved(ReadOnlySpan<char> fileName) => fileName.StartsWith(ReservedPrefix, StringComparison.Ordinal);
}
