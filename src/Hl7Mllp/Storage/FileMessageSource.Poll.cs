using Hl7Mllp.Messages;

namespace Hl7Mllp.Storage;

/// <summary>The poll side: listing, readiness, reading and splitting files.</summary>
public sealed partial class FileMessageSource
{
    private enum ReadOutcome
    {
        Read,
        NotReady,
        Vanished,
        Unreadable,
    }

    // Called under _lock: lists, sorts and keeps the settled files; nothing is read yet (files are read one at a
    // time as the poll is enumerated, so a large backlog never sits in memory).
    private List<FileInfo> Prepare()
    {
        var now = _time.GetUtcNow();
        Start();
        RetryUnfinished();
        CleanArchive(now);

        var files = List();
        if (files is null)
        {
            return [];
        }

        var previous = _seen;
        _seen = new Dictionary<string, (long, DateTime)>(files.Count, StringComparer.Ordinal);
        foreach (var file in files)
        {
            _seen[file.Name] = (file.Length, file.LastWriteTimeUtc);
        }

        files.RemoveAll(file => IsDone(file.FullName) || !IsSettled(file, previous, now));
        return files;
    }

    private void Start()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        try
        {
            _state.Load();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SourceStateFailed(_logger, _state.FilePath, ex.GetType().Name, ex);
        }

        ReplayJournal();
    }

    private List<FileInfo>? List()
    {
        List<FileInfo> files = [];
        try
        {
            foreach (var file in new DirectoryInfo(_wildcard.Directory).EnumerateFiles())
            {
                if (_wildcard.Matches(file.Name) && !IsFailedName(file.Name))
                {
                    files.Add(file);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (!_directoryMissing)
            {
                _directoryMissing = true;
                Log.SourceDirectoryUnavailable(_logger, _wildcard.Directory, ex.GetType().Name, ex);
            }

            return null;
        }

        if (_directoryMissing)
        {
            _directoryMissing = false;
            Log.SourceDirectoryAvailable(_logger, _wildcard.Directory);
        }

        if (_options.SortBy == FileSortOrder.Name)
        {
            files.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        }
        else
        {
            files.Sort(static (a, b) =>
            {
                var byTime = a.LastWriteTimeUtc.CompareTo(b.LastWriteTimeUtc);
                return byTime != 0 ? byTime : string.CompareOrdinal(a.Name, b.Name);
            });
        }

        return files;
    }

    private bool IsFailedName(string name) =>
        name.Length > _failExtension.Length + 1
        && name.EndsWith(_failExtension, StringComparison.Ordinal)
        && name[^(_failExtension.Length + 1)] == '.';

    // A file is sent once it is old enough, or unchanged since the previous poll (a writer would have changed it).
    private bool IsSettled(FileInfo file, Dictionary<string, (long Length, DateTime Modified)> previous, DateTimeOffset now)
    {
        if (_options.MinimumFileAge == TimeSpan.Zero || now - new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero) >= _options.MinimumFileAge)
        {
            return true;
        }

        if (previous.TryGetValue(file.Name, out var seen) && seen == (file.Length, file.LastWriteTimeUtc))
        {
            return true;
        }

        Log.SourceFileNotReady(_logger, file.Name, "modified since the previous poll");
        return false;
    }

    private FileWork? Read(FileInfo file)
    {
        var (attempts, accepted) = _state.Get(file.Name);
        var outcome = TryRead(file.FullName, out var content, out var problem);
        switch (outcome)
        {
            case ReadOutcome.NotReady:
                Log.SourceFileNotReady(_logger, file.Name, problem!);
                return null;
            case ReadOutcome.Vanished:
                return null;
            case ReadOutcome.Unreadable:
                var attempt = attempts + 1;
                Log.SourceFileUnreadable(_logger, file.Name, problem!, attempt, _options.FailRetries + 1);
                if (attempt > _options.FailRetries)
                {
                    var failedName = Finish(file.FullName, FinishKind.Fail);
                    Log.SourceFileRejected(_logger, file.Name, "unreadable", failedName ?? "(rename failed)");
                }
                else
                {
                    SaveState(file.Name, attempt, accepted);
                }

                return null;
        }

        List<ReadOnlyMemory<byte>> messages = [];
        var reason = problem ?? Check(content, out messages);
        if (reason is not null)
        {
            var failedName = Finish(file.FullName, FinishKind.Fail);
            Log.SourceFileRejected(_logger, file.Name, reason, failedName ?? "(rename failed)");
            return null;
        }

        var work = new FileWork(this, file.FullName, file.Length, file.LastWriteTimeUtc, attempts, Math.Min(accepted, messages.Count), messages);
        if (work.FirstToSend == messages.Count)
        {
            // Every message was accepted before a crash or a failed move: only the move is left to do.
            Finish(file.FullName, FinishKind.Archive);
            return null;
        }

        return work;
    }

    private ReadOutcome TryRead(string path, out ReadOnlyMemory<byte> content, out string? problem)
    {
        content = default;
        problem = null;
        try
        {
            // FileShare.None: a writer that holds the file open (a lock on Unix, a share mode on Windows) keeps it for later.
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.None);
            var length = RandomAccess.GetLength(handle);
            if (length > _options.MaxFileBytes)
            {
                problem = $"larger than {_options.MaxFileBytes} bytes ({length} bytes)";
                return ReadOutcome.Read;
            }

            // One byte more than the length: a full buffer means the file is still growing, and a short read that ends
            // exactly at the length is the file's end, so one read does it all.
            var buffer = new byte[length + 1];
            var read = 0;
            int count;
            while (read < buffer.Length && (count = RandomAccess.Read(handle, buffer.AsSpan(read), read)) > 0)
            {
                read += count;
                if (read == length)
                {
                    break;
                }
            }

            if (read != length)
            {
                problem = read > length ? "still growing" : "shrank while read";
                return ReadOutcome.NotReady;
            }

            content = buffer.AsMemory(0, read);
            return ReadOutcome.Read;
        }
        catch (IOException ex) when (ex.HResult == SharingViolation)
        {
            problem = "held open by another process";
            return ReadOutcome.NotReady;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException && !EntryExists(path))
        {
            return ReadOutcome.Vanished;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"{ex.GetType().Name} (HRESULT {ex.HResult})";
            return ReadOutcome.Unreadable;
        }
    }

    private static bool EntryExists(string path)
    {
        try
        {
            // Does not follow a symbolic link: a dangling link is an entry that exists but cannot be read.
            return new FileInfo(path).Attributes != (FileAttributes)(-1);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private string? Check(ReadOnlyMemory<byte> content, out List<ReadOnlyMemory<byte>> messages)
    {
        messages = [];
        var batch = Hl7Batch.Split(content);
        if (batch.Messages.Count == 0)
        {
            return content.IsEmpty ? "empty" : "no MSH segment";
        }

        foreach (var message in batch.Messages)
        {
            if (!message.Span.StartsWith("MSH"u8))
            {
                return "content that is not an HL7 message (no MSH segment where one must start)";
            }
        }

        if (!_options.SplitBatches && (batch.Messages.Count > 1 || batch.HasEnvelope))
        {
            return batch.HasEnvelope
                ? $"a batch file with {batch.Messages.Count} message(s) (SplitBatches is off)"
                : $"{batch.Messages.Count} messages in one file (SplitBatches is off)";
        }

        messages.AddRange(batch.Messages);
        return null;
    }
}
