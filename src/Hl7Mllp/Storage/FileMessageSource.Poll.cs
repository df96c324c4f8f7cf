using System.IO.Enumeration;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Storage;

/// <summary>The poll side: listing, readiness, reading and splitting files.</summary>
public sealed partial class FileMessageSource
{
    private static readonly EnumerationOptions ListingOptions = new() { AttributesToSkip = 0, IgnoreInaccessible = false };

    private enum ReadOutcome
    {
        /// <summary>Not read yet (the read-ahead left it to the poll).</summary>
        NotRead,
        Read,
        NotReady,
        Vanished,
        Unreadable,

        /// <summary>Read, but it can never be sent as it is (too large, no MSH, several messages): failed at once.</summary>
        Rejected,
    }

    // Called under _lock: lists, sorts and keeps the settled files; nothing is read yet (files are read as the poll is
    // enumerated, at most a bounded few ahead, so a large backlog never sits in memory).
    private List<ListedFile> Prepare()
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
            _seen[file.Name] = (file.Length, file.Modified);
        }

        files.RemoveAll(file => IsDone(file.Path) || !IsSettled(file, previous, now));
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

    // One enumeration of the directory: name, length and modification time of each matching file straight from the
    // directory entry (no FileInfo per file).
    private List<ListedFile>? List()
    {
        List<ListedFile> files;
        try
        {
            var entries = new FileSystemEnumerable<ListedFile>(
                _wildcard.Directory,
                static (ref FileSystemEntry entry) => new ListedFile(entry.ToFullPath(), entry.FileName.ToString(), entry.Length, entry.LastWriteTimeUtc.UtcDateTime),
                ListingOptions)
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory && _wildcard.Matches(entry.FileName) && !IsFailedName(entry.FileName),
            };
            files = [.. entries];
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
                var byTime = a.Modified.CompareTo(b.Modified);
                return byTime != 0 ? byTime : string.CompareOrdinal(a.Name, b.Name);
            });
        }

        return files;
    }

    private bool IsFailedName(ReadOnlySpan<char> name) =>
        name.Length > _failExtension.Length + 1
        && name.EndsWith(_failExtension, StringComparison.Ordinal)
        && name[^(_failExtension.Length + 1)] == '.';

    // A file is sent once it is old enough, or unchanged since the previous poll (a writer would have changed it).
    private bool IsSettled(ListedFile file, Dictionary<string, (long Length, DateTime Modified)> previous, DateTimeOffset now)
    {
        if (_options.MinimumFileAge == TimeSpan.Zero || now - new DateTimeOffset(file.Modified, TimeSpan.Zero) >= _options.MinimumFileAge)
        {
            return true;
        }

        if (previous.TryGetValue(file.Name, out var seen) && seen == (file.Length, file.Modified))
        {
            return true;
        }

        Log.SourceFileNotReady(_logger, file.Name, "modified since the previous poll");
        return false;
    }

    // Any thread, no side effects (the read-ahead calls it beside the transmitter's sends): opens the file exclusively,
    // reads it, checks that it holds one message (or a batch to split) and fingerprints its bytes.
    private FileRead ReadFile(string path)
    {
        var outcome = TryRead(path, out var content, out var modified, out var problem);
        if (outcome != ReadOutcome.Read)
        {
            return new FileRead(outcome, problem);
        }

        IReadOnlyList<ReadOnlyMemory<byte>> messages = [];
        var reason = problem ?? Check(content, out messages);
        return reason is not null
            ? new FileRead(ReadOutcome.Rejected, reason)
            : new FileRead(ReadOutcome.Read, null, messages, content.Length, modified, FileSourceJournal.Fingerprint(content.Span));
    }

    // A file the read-ahead read earlier is sent only if it is still the file that was read (same length and
    // modification time, one stat); anything else is read again now, as if there were no read-ahead.
    private static bool IsUnchanged(string path, in FileRead read)
    {
        var info = new FileInfo(path);
        return read.Outcome == ReadOutcome.Read && info.Exists && info.Length == read.Length && info.LastWriteTimeUtc == read.Modified;
    }

    // Called under _lock: the side effects of a read (logging, counting an unreadable file, failing a file that can never
    // be sent) happen here, when the poll reaches the file, never in the read-ahead.
    private FileWork? Accept(ListedFile file, in FileRead read)
    {
        var (attempts, accepted) = _state.Get(file.Name);
        switch (read.Outcome)
        {
            case ReadOutcome.NotReady:
                Log.SourceFileNotReady(_logger, file.Name, read.Problem!);
                return null;
            case ReadOutcome.Vanished:
                return null;
            case ReadOutcome.Unreadable:
                var attempt = attempts + 1;
                Log.SourceFileUnreadable(_logger, file.Name, read.Problem!, attempt, _options.FailRetries + 1);
                if (attempt > _options.FailRetries)
                {
                    var failedName = Finish(file.Path, FinishKind.Fail);
                    Log.SourceFileRejected(_logger, file.Name, "unreadable", failedName ?? "(rename failed)");
                }
                else
                {
                    SaveState(file.Name, attempt, accepted);
                }

                return null;
            case ReadOutcome.Rejected:
                var rejectedName = Finish(file.Path, FinishKind.Fail);
                Log.SourceFileRejected(_logger, file.Name, read.Problem!, rejectedName ?? "(rename failed)");
                return null;
        }

        var messages = read.Messages!;
        var work = new FileWork(this, file.Path, file.Name, read.Length, read.Modified, attempts, Math.Min(accepted, messages.Count), messages, read.Fingerprint);
        if (work.FirstToSend == messages.Count)
        {
            // Every message was accepted before a crash or a failed move: only the move is left to do.
            Finish(file.Path, FinishKind.Archive);
            return null;
        }

        return work;
    }

    private ReadOutcome TryRead(string path, out ReadOnlyMemory<byte> content, out DateTime modified, out string? problem)
    {
        content = default;
        modified = default;
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
            modified = File.GetLastWriteTimeUtc(handle);
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

    private string? Check(ReadOnlyMemory<byte> content, out IReadOnlyList<ReadOnlyMemory<byte>> messages)
    {
        messages = [];
        var batch = Hl7Batch.Split(content);
        if (batch.Messages.Count == 0)
        {
            return content.IsEmpty ? "empty" : "no MSH segment";
        }

        for (var i = 0; i < batch.Messages.Count; i++)
        {
            // Indexed: a foreach over the IReadOnlyList would box its enumerator, once per file.
            if (!batch.Messages[i].Span.StartsWith("MSH"u8))
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

        // The split's own list, not a copy: nothing changes it.
        messages = batch.Messages;
        return null;
    }
}
