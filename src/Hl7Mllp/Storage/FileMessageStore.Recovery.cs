using System.Buffers;
using Hl7Mllp.Internal;

namespace Hl7Mllp.Storage;

/// <summary>Recovery when the store opens: the temporary files a crash left behind.</summary>
public sealed partial class FileMessageStore
{
    /// <summary>
    /// Runs once, when the store opens its directory, before anything is written. Every temporary file of this store's
    /// form (<see cref="FileStorageNames.StoreTempName"/>, for a final name this wildcard makes) whose length and
    /// content hash match its name holds a whole message (perhaps acknowledged before a power loss undid its rename): it
    /// is renamed to its final name, or the next free one, never overwriting. Any other such file (torn by a power loss,
    /// or left by an earlier version) was never acknowledged and is deleted. Both are logged with names and sizes only;
    /// then the directory is flushed. Links and foreign names are left alone.
    /// </summary>
    /// <exception cref="IOException">A whole message could not be renamed (it stays for the next open), or the flush failed.</exception>
    private void RecoverTemporaryFiles(DirectorySync directory)
    {
        var changed = false;
        foreach (var info in new DirectoryInfo(_wildcard.Directory).EnumerateFiles(FileStorageNames.TempPrefix + "*"))
        {
            if (info.LinkTarget is not null)
            {
                continue;
            }

            var tempName = info.Name;
            if (FileStorageNames.TryParseStoreTempName(tempName, out var fileName, out var length, out var hash) && IsStoreName(fileName))
            {
                var problem = CheckWhole(info.FullName, length, hash);
                if (problem is null)
                {
                    var finalPath = MoveToFreeName(info.FullName, fileName, deleteOnFailure: false);
                    Log.StoreTempRecovered(_logger, tempName, Path.GetFileName(finalPath));
                    changed = true;
                }
                else
                {
                    changed |= DeleteLeftover(info, problem);
                }
            }
            else if (tempName.EndsWith(".tmp", StringComparison.Ordinal)
                && IsStoreName(tempName.AsSpan(FileStorageNames.TempPrefix.Length, tempName.Length - FileStorageNames.TempPrefix.Length - ".tmp".Length)))
            {
                // The form without length and hash: written by an earlier version, which renamed before acknowledging.
                changed |= DeleteLeftover(info, "it carries no length and hash (an earlier version's, never acknowledged)");
            }
        }

        if (changed)
        {
            Count(ref _directorySyncs, "directory");
            directory.Flush();
        }
    }

    /// <summary>Returns why the file at <paramref name="path"/> is not the whole message its name describes, or <see langword="null"/> when it is.</summary>
    private static string? CheckWhole(string path, long length, ulong hash)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        var actual = RandomAccess.GetLength(handle);
        if (actual != length)
        {
            return $"it holds {actual} bytes where its name says {length}";
        }

        if (length > Array.MaxLength)
        {
            return "it is too large to check";
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            var read = 0;
            while (read < length)
            {
                var n = RandomAccess.Read(handle, buffer.AsSpan(read, (int)length - read), read);
                if (n == 0)
                {
                    return $"it ended after {read} bytes where its name says {length}";
                }

                read += n;
            }

            return FileStorageNames.ContentHash(buffer.AsSpan(0, read)) == hash ? null : "its content does not match the hash in its name";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool DeleteLeftover(FileInfo info, string reason)
    {
        if (!DurableFile.TryDelete(info.FullName))
        {
            return false;
        }

        Log.StoreTempDeleted(_logger, info.Name, info.Length, reason);
        return true;
    }

    /// <summary>Returns whether <paramref name="fileName"/> is a name this store makes: prefix, 17 digits, suffix.</summary>
    private bool IsStoreName(ReadOnlySpan<char> fileName) =>
        fileName.Length == _wildcard.Prefix.Length + StampLength + 2 + _wildcard.Suffix.Length
        && fileName.StartsWith(_wildcard.Prefix, StringComparison.Ordinal)
        && fileName.EndsWith(_wildcard.Suffix, StringComparison.Ordinal)
        && !fileName.Slice(_wildcard.Prefix.Length, StampLength + 2).ContainsAnyExceptInRange('0', '9');
}
