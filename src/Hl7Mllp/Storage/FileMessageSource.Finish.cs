using Hl7Mllp.Internal;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Storage;

/// <summary>The outcome side: archive, delete, rename with the fail extension, archive cleanup.</summary>
public sealed partial class FileMessageSource
{
    private const int MaxNameSuffix = 10_000;

    // Called under _lock. Returns the new name (archive or failed name; the old name when deleted), or null when the
    // file-system operation failed and was queued for the next poll. An archive or delete is done at once (a kill keeps
    // it); its directory flush, for power loss, is shared with the other completions (CompletionFlushInterval).
    private string? Finish(string path, FinishKind kind)
    {
        var name = Path.GetFileName(path);
        try
        {
            string result;
            if (kind == FinishKind.Fail)
            {
                result = MoveWithoutOverwrite(path, _wildcard.Directory, FailedName(name));
                DirectorySync.FlushOnce(_wildcard.Directory);
            }
            else if (_archiveDirectory is null)
            {
                File.Delete(path);
                _flush.Add(_wildcard.Directory);
                result = name;
                Log.SourceFileCompleted(_logger, name, "deleted");
            }
            else
            {
                if (!_archiveReady)
                {
                    System.IO.Directory.CreateDirectory(_archiveDirectory);
                    _archiveReady = true;
                }

                result = MoveWithoutOverwrite(path, _archiveDirectory, name);

                // Archive Days count from archiving, not from when the file was written.
                File.SetLastWriteTimeUtc(Path.Join(_archiveDirectory, result), _time.GetUtcNow().UtcDateTime);
                _flush.Add(_archiveDirectory, _wildcard.Directory);
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    Log.SourceFileCompleted(_logger, name, "archived as " + result);
                }
            }

            _unfinished.Remove(path);
            SaveState(name, 0, 0);
            return result;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The archive directory may have been removed: create it again on the next try.
            _archiveReady = false;
            _unfinished[path] = kind;
            Log.SourceFinishFailed(_logger, name, kind == FinishKind.Fail ? "rename" : _archiveDirectory is null ? "delete" : "archive", ex.GetType().Name, ex);
            return null;
        }
    }

    private void RetryUnfinished()
    {
        foreach (var (path, kind) in _unfinished.ToArray())
        {
            if (!File.Exists(path))
            {
                _unfinished.Remove(path);
                continue;
            }

            Finish(path, kind);
        }
    }

    // "BAD": foo.hl7 -> foo.BAD; "*.BAD": foo.hl7 -> foo.hl7.BAD.
    private string FailedName(string name) =>
        (_failKeepsExtension ? name : Path.GetFileNameWithoutExtension(name)) + "." + _failExtension;

    // Moves without ever replacing a file: foo.hl7, then foo_1.hl7, foo_2.hl7… Returns the name used.
    private static string MoveWithoutOverwrite(string path, string directory, string name)
    {
        var stem = Path.GetFileNameWithoutExtension(name);
        var extension = Path.GetExtension(name);
        for (var suffix = 0; ; suffix++)
        {
            var candidate = suffix == 0 ? name : $"{stem}_{suffix}{extension}";
            if (FileMoves.TryMoveNoReplace(path, Path.Join(directory, candidate)))
            {
                return candidate;
            }

            if (suffix >= MaxNameSuffix)
            {
                throw new IOException($"No free name for '{name}' in '{directory}' after {MaxNameSuffix} tries.");
            }
        }
    }

    private void CleanArchive(DateTimeOffset now)
    {
        if (_archiveDirectory is null || _options.ArchiveDays == 0 || now < _nextCleanup)
        {
            return;
        }

        _nextCleanup = now + _options.ArchiveCleanupInterval;
        var cutoff = (now - TimeSpan.FromDays(_options.ArchiveDays)).UtcDateTime;
        var removed = 0;
        try
        {
            foreach (var file in new DirectoryInfo(_archiveDirectory).EnumerateFiles())
            {
                if (file.LastWriteTimeUtc < cutoff && DurableFile.TryDelete(file.FullName))
                {
                    removed++;
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing archived yet.
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SourceFinishFailed(_logger, _archiveDirectory, "clean", ex.GetType().Name, ex);
        }

        if (removed > 0)
        {
            Log.SourceArchiveCleaned(_logger, removed, _options.ArchiveDays, _archiveDirectory);
        }
    }
}
