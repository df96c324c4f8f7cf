using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Microsoft.Win32.SafeHandles;

namespace Hl7Mllp.Storage;

/// <summary>
/// The file source's record of accepted files whose archive or delete may not have happened yet: one line
/// <c>length modified-ticks xxh3:fingerprint name</c> per accepted file (the fingerprint: the 64-bit XxHash3 of the
/// file's bytes, the hash the file store's temporary names carry), appended with one <c>write</c> before
/// <see cref="FileMessageSource.CompleteAsync"/> returns. The write reaches the page cache, so it survives a kill of
/// the process; the move that follows in the background makes it survive a power loss once its directory is flushed.
/// A restart archives every file still in the input directory whose name, length, modification time and content
/// fingerprint match an entry, without sending it again (a new file that only happens to share the name, size and time
/// stamp is sent); the journal is deleted once every journaled move is done and flushed.
/// </summary>
/// <remarks>Not thread-safe: the source serializes access. Lines that do not parse (a power loss mid-write) are ignored.</remarks>
internal sealed class FileSourceJournal : IDisposable
{
    private const string FingerprintPrefix = "xxh3:";

    private readonly string _path;
    private SafeFileHandle? _handle;
    private long _length;

    public FileSourceJournal(string directory, string pattern)
    {
        // Next to the state file, one per input pattern.
        _path = Path.Join(directory, FileStorageNames.ReservedPrefix + "source-" + pattern.Replace('*', '_').Replace('?', '_') + ".done");
    }

    /// <summary>
    /// The fingerprint of what a file holds: the 64-bit XxHash3 of its bytes. It tells a journaled file from a new one
    /// that shares its name, length and time stamp (an accident, 2^-64); it is no defence against someone who can write
    /// the input directory, and neither was a truncated SHA-256: they can delete or rename files anyway.
    /// </summary>
    public static ulong Fingerprint(ReadOnlySpan<byte> content) => FileStorageNames.ContentHash(content);

    /// <summary>Gets the journal's path.</summary>
    public string FilePath => _path;

    /// <summary>Reads the entries a previous run left; a missing journal has none.</summary>
    /// <exception cref="IOException">The journal exists but cannot be read.</exception>
    public List<(string Name, long Length, long ModifiedTicks, ulong Fingerprint)> Load()
    {
        List<(string, long, long, ulong)> entries = [];
        if (!File.Exists(_path))
        {
            return entries;
        }

        foreach (var line in File.ReadLines(_path, Encoding.UTF8))
        {
            // length ticks xxh3:fingerprint name (the name may hold spaces); any other line is torn or foreign.
            var parts = line.Split(' ', 4);
            if (parts.Length == 4
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && parts[2].StartsWith(FingerprintPrefix, StringComparison.Ordinal)
                && ulong.TryParse(parts[2].AsSpan(FingerprintPrefix.Length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var fingerprint)
                && parts[3].Length > 0)
            {
                entries.Add((parts[3], length, ticks, fingerprint));
            }
        }

        _length = new FileInfo(_path).Length;
        return entries;
    }

    /// <summary>Appends one entry with a single write; returns <see langword="false"/> for a name a line cannot hold.</summary>
    /// <exception cref="IOException">The write failed.</exception>
    /// <exception cref="UnauthorizedAccessException">The journal cannot be opened for writing.</exception>
    public bool TryAppend(string name, long length, DateTime modifiedUtc, ulong fingerprint)
    {
        if (name.Contains('\n', StringComparison.Ordinal) || name.Contains('\r', StringComparison.Ordinal))
        {
            return false;
        }

        _handle ??= File.OpenHandle(_path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);

        // Formatted straight into bytes: one write, no string or array per accepted file.
        int most = 96 + Encoding.UTF8.GetMaxByteCount(name.Length); // two longs, the fingerprint, separators: under 70
        byte[]? rented = null;
        Span<byte> line = most <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(most));
        try
        {
            bool formatted = Utf8.TryWrite(line, CultureInfo.InvariantCulture, $"{length} {modifiedUtc.Ticks} {FingerprintPrefix}{fingerprint:x16} {name}\n", out int written);
            Debug.Assert(formatted, "the buffer is sized for the longest line");
            RandomAccess.Write(_handle, line[..written], _length);
            _length += written;
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Flushes the journal to disk, for entries whose move failed and may wait long.</summary>
    /// <exception cref="IOException">The flush failed.</exception>
    public void FlushToDisk()
    {
        if (_handle is not null)
        {
            RandomAccess.FlushToDisk(_handle);
        }
    }

    /// <summary>
    /// Deletes the journal, so no file of its own lingers beside the input; call only when every journaled move is done
    /// and its directory flushed. A power loss that brings it back is harmless: its files are gone, or it finishes
    /// their moves.
    /// </summary>
    /// <exception cref="IOException">The journal could not be deleted.</exception>
    public void Clear()
    {
        if (_length == 0)
        {
            return;
        }

        _handle?.Dispose();
        _handle = null;
        File.Delete(_path);
        _length = 0;
    }

    public void Dispose()
    {
        _handle?.Dispose();
        _handle = null;
    }
}
