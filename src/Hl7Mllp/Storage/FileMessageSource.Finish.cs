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
            var result = Move(path, name, kind);
            _unfinished.Remove(path);
            SaveState(name, 0, 0);
            return result;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            FinishFailed(path, name, kind, ex);
            return null;
        }
    }

    // The file-system part of Finish; needs no lock (the accepted files' moves run beside the transmitter's next send).
    private string Move(string path, string name, FinishKind kind)
    {
        if (kind == FinishKind.Fail)
        {
            var failedName = MoveWithoutOverwrite(path, _wildcard.Directory, FailedName(name));
            DirectorySync.FlushOnce(_wildcard.Directory);
            return failedName;
        }

        if (_archiveDirectory is null)
        {
            File.Delete(path);
            _flush.Add(_wildcard.Directory);
            Log.SourceFileCompleted(_logger, name, "deleted");
            return name;
        }

        if (!_archiveReady)
        {
            System.IO.Directory.CreateDirectory(_archiveDirectory);
            _archiveReady = true;
        }

        var result = MoveWithoutOverwrite(path, _archiveDirectory, name);

        // Archive Days count from archiving, not from when the file was written.
        File.SetLastWriteTimeUtc(Path.Join(_archiveDirectory, result), _time.GetUtcNow().UtcDateTime);
        _flush.Add(_archiveDirectory, _wildcard.Directory);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.SourceFileCompleted(_logger, name, "archived as " + result);
        }

        return result;
    }

    // Called under _lock: a file whose outcome is recorded but not yet carried out (journaled and waiting for its move,
    // or a move that failed and waits for the next poll) is never read or offered again.
    private bool IsDone(string path) => _journaled.Contains(path) || _unfinished.ContainsKey(path);

    // Called under _lock.
    private void FinishFailed(string path, string name, FinishKind kind, Exception ex)
    {
        // The archive directory may have been removed: create it again on the next try.
        _archiveReady = false;
        _unfinished[path] = kind;
        Log.SourceFinishFailed(_logger, name, kind == FinishKind.Fail ? "rename" : _archiveDirectory is null ? "delete" : "archive", ex.GetType().Name, ex);
    }

    // Called under _lock: records an accepted file as done (one write). False when it could not be journaled: the
    // caller then moves it at once, as before the journal.
    private bool Journal(FileWork work)
    {
        try
        {
            return _journal.TryAppend(work.Name, work.Length, work.Modified, work.Fingerprint);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SourceStateFailed(_logger, _journal.FilePath, ex.GetType().Name, ex);
            return false;
        }
    }

    // Off the lock: archives or deletes the journaled files. A failed move waits in _unfinished for the next poll, and
    // the journal goes to disk so that even a power loss does not send that file again.
    private void MovePending()
    {
        string[] paths;
        lock (_lock)
        {
            if (_pendingMoves.Count == 0)
            {
                return;
            }

            paths = [.. _pendingMoves];
            _pendingMoves.Clear();
            _moving += paths.Length;
        }

        // The moves run beside the transmitter's sends: the lock is taken once for the whole batch afterwards, not per
        // file, so the sending thread never waits for it.
        var errors = new Exception?[paths.Length];
        for (var i = 0; i < paths.Length; i++)
        {
            try
            {
                Move(paths[i], Path.GetFileName(paths[i]), FinishKind.Archive);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors[i] = ex;
            }
        }

        lock (_lock)
        {
            var failed = false;
            for (var i = 0; i < paths.Length; i++)
            {
                if (errors[i] is { } error)
                {
                    FinishFailed(paths[i], Path.GetFileName(paths[i]), FinishKind.Archive, error);
                    failed = true;
                }
                else
                {
                    SaveState(Path.GetFileName(paths[i]), 0, 0);
                }

                _journaled.Remove(paths[i]);
            }

            if (failed)
            {
                // One flush covers every failed move's line.
                FlushJournal();
            }

            _moving -= paths.Length;
            if (_moving == 0 && _movesIdle is { } idle)
            {
                _movesIdle = null;
                idle.TrySetResult();
            }
        }
    }

    // Completes when no batch of moves runs: the flush timer's thread may be moving one while the mover task is done.
    private Task MovesIdleAsync()
    {
        lock (_lock)
        {
            return _moving == 0 ? Task.CompletedTask : (_movesIdle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    // The end of a poll or the source: every journaled move is done and flushed, so the journal can be emptied. No move
    // runs any more once this returns (the last batch may have been taken by the flush timer, not by the mover task).
    private async Task EndMovesAsync(bool endingPoll)
    {
        await _mover.ConfigureAwait(false);
        await MovesIdleAsync().ConfigureAwait(false);
        _flush.Flush();
        lock (_lock)
        {
            if (endingPoll)
            {
                _openPolls--;
            }

            if (_openPolls == 0 && _pendingMoves.Count == 0 && _moving == 0 && _flush.Waiting == 0 && !_unfinished.ContainsValue(FinishKind.Archive))
            {
                try
                {
                    _journal.Clear();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Log.SourceStateFailed(_logger, _journal.FilePath, ex.GetType().Name, ex);
                }
            }
        }
    }

    // Called under _lock at the first poll: a file journaled as accepted by an earlier run (killed before its move) is
    // archived now, without sending it again, if it is still the same file (name, length, modification time, and the
    // fingerprint of its bytes). Anything else is a new file and is sent.
    private void ReplayJournal()
    {
        List<(string Name, long Length, long ModifiedTicks, ulong Fingerprint)> entries;
        try
        {
            entries = _journal.Load();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SourceStateFailed(_logger, _journal.FilePath, ex.GetType().Name, ex);
            return;
        }

        foreach (var (name, length, ticks, fingerprint) in entries)
        {
            var file = new FileInfo(Path.Join(_wildcard.Directory, name));
            if (file.Exists && file.Length == length && file.LastWriteTimeUtc.Ticks == ticks && HasFingerprint(file, fingerprint))
            {
                Finish(file.FullName, FinishKind.Archive);
            }
        }
    }

    private bool HasFingerprint(FileInfo file, ulong fingerprint) =>
        ReadFile(file.FullName) is { Outcome: ReadOutcome.Read } read && read.Fingerprint == fingerprint;

    private void FlushJournal()
    {
        try
        {
            _journal.FlushToDisk();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SourceStateFailed(_logger, _journal.FilePath, ex.GetType().Name, ex);
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
