namespace Hl7Mllp.Internal;

/// <summary>Crash-safe file writes: a temporary file flushed to disk, then renamed, then the directory flushed.</summary>
internal static class DurableFile
{
    /// <summary>
    /// Creates <paramref name="tempPath"/> (it must not exist), writes <paramref name="bytes"/> and, when
    /// <paramref name="flushToDisk"/> is set, flushes them to disk (<c>fsync</c>). On any failure the temporary file is
    /// deleted and the exception rethrown, so nothing partial is left.
    /// </summary>
    /// <param name="tempPath">The file to create.</param>
    /// <param name="bytes">The content.</param>
    /// <param name="flushToDisk"><see langword="false"/> when the caller makes the data durable later (<c>syncfs</c>).</param>
    /// <exception cref="IOException">The file exists already, the disk is full, or an I/O error occurred.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory is not writable.</exception>
    public static void WriteNew(string tempPath, ReadOnlySpan<byte> bytes, bool flushToDisk = true)
    {
        // CreateNew: O_EXCL, so a stale or foreign file is never truncated (nor deleted below: the open itself fails).
        // No buffer: the bytes go straight to the kernel.
        var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            stream.Write(bytes);
            if (flushToDisk)
            {
                stream.Flush(flushToDisk: true);
            }

            stream.Dispose();
        }
        catch
        {
            stream.Dispose();
            TryDelete(tempPath);
            throw;
        }
    }

    /// <summary>
    /// Replaces <paramref name="path"/> atomically with <paramref name="bytes"/>: after a crash the file holds either the
    /// old or the new content, never a mix. Returns when the new content and the rename are durable.
    /// </summary>
    /// <param name="path">The file to replace or create.</param>
    /// <param name="tempPath">A temporary name in the same directory (replaced if left by a crash).</param>
    /// <param name="bytes">The new content.</param>
    /// <exception cref="IOException">The disk is full or an I/O error occurred; <paramref name="path"/> is unchanged.</exception>
    public static void Replace(string path, string tempPath, ReadOnlySpan<byte> bytes)
    {
        TryDelete(tempPath);
        WriteNew(tempPath, bytes);
        try
        {
            File.Move(tempPath, path, overwrite: true);
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }

        DirectorySync.FlushOnce(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Deletes a file, ignoring every failure (cleanup on an error path must not hide the first error).</summary>
    /// <returns><see langword="true"/> when the file is gone.</returns>
    public static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
