namespace Hl7Mllp.Storage;

/// <summary>What a <see cref="FileMessageSource"/> reads and what it does with each file afterwards. Bindable from configuration.</summary>
public sealed class FileMessageSourceOptions
{
    /// <summary>
    /// The Input Wildcard: the directory and file-name pattern polled for messages to send, for example
    /// <c>/data/out/*.hl7</c> (<c>*</c> any characters, <c>?</c> one). Files named <c>.hl7mllp-…</c> (this library's own
    /// temporary and state files) and files ending with the fail extension are never picked up. Required; no default.
    /// </summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>The order the files are sent in, applied before the transmitter's maximum per interval. Default: <see cref="FileSortOrder.ModifiedTime"/>.</summary>
    public FileSortOrder SortBy { get; set; } = FileSortOrder.ModifiedTime;

    /// <summary>
    /// Where accepted files are moved. The original name is kept; when the archive already holds that name, <c>_1</c>,
    /// <c>_2</c>… is added before the extension. <see langword="null"/> or empty (the default): accepted files are deleted.
    /// The directory is created when missing.
    /// </summary>
    public string? ArchiveDirectory { get; set; }

    /// <summary>
    /// How many days archived files are kept, counted from when they were archived; 0 (the default) keeps them forever.
    /// Older files are removed on the first poll and then every <see cref="ArchiveCleanupInterval"/>.
    /// </summary>
    public int ArchiveDays { get; set; }

    /// <summary>How often the archive is cleaned when <see cref="ArchiveDays"/> is set, checked at each poll. Default: 1 hour.</summary>
    public TimeSpan ArchiveCleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How many times a failed file is offered again before it is renamed with <see cref="FailExtension"/>: a file is
    /// tried at most <c>FailRetries + 1</c> times in all. A failure is each final outcome the transmitter reports that is
    /// not an acceptance (after the transmitter's own in-process retries). The counts are kept in a state file, so a
    /// restart continues them. Default: 3. A file that can never be sent (no MSH, several messages without
    /// <see cref="SplitBatches"/>, larger than <see cref="MaxFileBytes"/>) is renamed at once.
    /// </summary>
    public int FailRetries { get; set; } = 3;

    /// <summary>
    /// The extension failed files get. <c>BAD</c> (the default) turns <c>foo.hl7</c> into <c>foo.BAD</c>; with an
    /// asterisk, <c>*.BAD</c>, the original extension is kept: <c>foo.hl7.BAD</c>. A name already taken gets <c>_1</c>,
    /// <c>_2</c>… before the extension.
    /// </summary>
    public string FailExtension { get; set; } = "BAD";

    /// <summary>
    /// Where the state file (failure counts and batch progress, <c>.hl7mllp-source-….state</c>) is kept.
    /// <see langword="null"/> or empty (the default): the input directory.
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>
    /// How old a file's modification time must be for the file to be sent at once. A younger file (perhaps still being
    /// written) is sent only when a later poll sees the same size and modification time. Files that another process holds
    /// open exclusively are never read. Default: 1 second; <see cref="TimeSpan.Zero"/> sends every file that is not locked.
    /// </summary>
    public TimeSpan MinimumFileAge { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether a file holding several messages or a batch (FHS/BHS … BTS/FTS) is split and its messages sent in order;
    /// the file completes only when every message is accepted, and the count accepted so far is kept in the state file,
    /// so after a restart the file resumes with its first message not yet accepted. Default: <see langword="false"/>:
    /// such a file is failed at once with a logged reason (the seed requires one message per file).
    /// </summary>
    public bool SplitBatches { get; set; }

    /// <summary>
    /// How long the archive or delete of an accepted file may stay unflushed: the rename or delete itself is done before
    /// <see cref="FileMessageSource.CompleteAsync"/> returns (so it survives a crash or kill of the process at once), but
    /// the directory flush that makes it survive a power loss (<c>fsync</c> of the input and archive directories) is shared
    /// by every file completed within this interval. A power loss can therefore undo the archive or delete of the files
    /// completed in the last interval (at most <see cref="CompletionFlushMaxFiles"/> files): they are sent again, with the
    /// same MSH-10, so the receiver's duplicate tracker recognises them. <see cref="TimeSpan.Zero"/> flushes each file before
    /// <see cref="FileMessageSource.CompleteAsync"/> returns (two flushes per archived file). The waiting flushes are also done
    /// at the end of each poll and when the source is disposed. Default: 100 milliseconds.
    /// </summary>
    public TimeSpan CompletionFlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The most archives or deletes that may wait for one directory flush (see <see cref="CompletionFlushInterval"/>); the
    /// completion that reaches it flushes before it returns. Default: 1000.
    /// </summary>
    public int CompletionFlushMaxFiles { get; set; } = 1000;

    /// <summary>The largest file read; a larger one is failed at once. Default: 64 MiB (67 108 864). Security limit.</summary>
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// How many files a poll may read ahead of the one being sent: while the transmitter awaits an ACK, the next files are
    /// opened, checked and read on a thread-pool thread, so the sending thread does not wait for the disk. A file read
    /// ahead is sent only if its length and modification time are unchanged when its turn comes; otherwise it is read
    /// again then. Logging, failure counts and renames still happen when the poll reaches the file, and reads a poll never
    /// reaches (a stop, the transmitter's maximum) change nothing. Default: 64 (a burst of reads starts when half of them
    /// are taken, so the pool thread wakes once per 32 files); 0 turns the read-ahead off (each file is read on the
    /// sending thread just before it is sent). At most 1024.
    /// </summary>
    public int ReadAheadFiles { get; set; } = 64;

    /// <summary>
    /// The most bytes (by the files' listed sizes) read ahead and not yet sent (see <see cref="ReadAheadFiles"/>); a file
    /// that would pass it is read when its turn comes. Default: 1 MiB (1 048 576); 0 turns the read-ahead off.
    /// </summary>
    public long ReadAheadBytes { get; set; } = 1024 * 1024;

    /// <summary>Checks every setting and reports all problems at once.</summary>
    /// <exception cref="ArgumentException">One or more settings are unusable; the message lists each of them.</exception>
    public void Validate() => Parse();

    /// <summary>Validates and returns the parsed input wildcard.</summary>
    internal FileWildcard Parse()
    {
        List<string> problems = [];
        var wildcard = FileWildcard.TryParse(Path, nameof(Path), singleStar: false, problems);
        if (!Enum.IsDefined(SortBy))
        {
            problems.Add($"{nameof(SortBy)} has an unknown value ({(int)SortBy}).");
        }

        if (ArchiveDays < 0)
        {
            problems.Add($"{nameof(ArchiveDays)} must not be negative (was {ArchiveDays}).");
        }

        if (ArchiveCleanupInterval <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(ArchiveCleanupInterval)} must be positive (was {ArchiveCleanupInterval}).");
        }

        if (FailRetries < 0)
        {
            problems.Add($"{nameof(FailRetries)} must not be negative (was {FailRetries}).");
        }

        var extension = FailExtension?.StartsWith("*.", StringComparison.Ordinal) == true ? FailExtension[2..] : FailExtension;
        if (string.IsNullOrWhiteSpace(extension) || extension.AsSpan().IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0 || extension.AsSpan().IndexOfAny('*', '?', '.') >= 0)
        {
            problems.Add($"{nameof(FailExtension)} must be an extension such as BAD or *.BAD (was '{FailExtension}').");
        }

        if (MinimumFileAge < TimeSpan.Zero)
        {
            problems.Add($"{nameof(MinimumFileAge)} must not be negative (was {MinimumFileAge}).");
        }

        if (CompletionFlushInterval < TimeSpan.Zero || CompletionFlushInterval > TimeSpan.FromMinutes(1))
        {
            problems.Add($"{nameof(CompletionFlushInterval)} must be between zero and one minute (was {CompletionFlushInterval}).");
        }

        if (CompletionFlushMaxFiles < 1)
        {
            problems.Add($"{nameof(CompletionFlushMaxFiles)} must be at least 1 (was {CompletionFlushMaxFiles}).");
        }

        if (MaxFileBytes < 1)
        {
            problems.Add($"{nameof(MaxFileBytes)} must be at least 1 (was {MaxFileBytes}).");
        }

        if (ReadAheadFiles is < 0 or > 1024)
        {
            problems.Add($"{nameof(ReadAheadFiles)} must be between 0 and 1024 (was {ReadAheadFiles}).");
        }

        if (ReadAheadBytes < 0)
        {
            problems.Add($"{nameof(ReadAheadBytes)} must not be negative (was {ReadAheadBytes}).");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid file message source options: " + string.Join(" ", problems));
        }

        return wildcard!;
    }
}
