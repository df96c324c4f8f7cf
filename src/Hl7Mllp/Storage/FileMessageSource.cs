using System.Runtime.CompilerServices;
using Hl7Mllp.Acks;
using Hl7Mllp.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hl7Mllp.Storage;

/// <summary>
/// Offers the files matching an input wildcard to a transmitter, one message per file, and archives, deletes or renames
/// each file once the transmitter reports its final outcome.
/// </summary>
/// <remarks>
/// <para>
/// Polling: the files matching <see cref="FileMessageSourceOptions.Path"/> are sorted
/// (<see cref="FileMessageSourceOptions.SortBy"/>) before the transmitter's maximum is applied. A file that may still be
/// being written (modified less than <see cref="FileMessageSourceOptions.MinimumFileAge"/> ago and changed since the
/// previous poll, or held open exclusively by another process) is left for a later poll. A missing or unreadable input
/// directory is logged and yields nothing; polling never throws for a file-system problem.
/// </para>
/// <para>
/// Outcome: an accepted file is moved to the archive directory (or deleted) before <see cref="CompleteAsync"/> returns, so
/// a crash or kill of the process never sends it again. The directory flushes that make the move survive a power loss
/// are shared by the files completed within <see cref="FileMessageSourceOptions.CompletionFlushInterval"/> (at most
/// <see cref="FileMessageSourceOptions.CompletionFlushMaxFiles"/> files), and done at the end of each poll and on
/// <see cref="DisposeAsync"/>; a power loss can send those files again, with the same MSH-10. A failure is counted in a state file; after
/// <see cref="FileMessageSourceOptions.FailRetries"/> retries the file is renamed with the fail extension. If the move
/// itself fails (the archive is unwritable), it is logged and retried at the next poll without sending the file again;
/// after a restart such a file is sent again (at least once).
/// </para>
/// <para>
/// Crash safety: a file leaves the input directory only after its acceptance, so a crash at any point offers it again,
/// with the same bytes and so the same MSH-10, and the receiver's duplicate tracker recognises the second copy.
/// </para>
/// <para>Thread-safety: one transmitter polls at a time; <see cref="CompleteAsync"/> may run while a poll is being enumerated.</para>
/// </remarks>
public sealed partial class FileMessageSource : IMessageSource, IAsyncDisposable
{
    private const int SharingViolation = unchecked((int)0x80070020);

    // Journaled files wait for their move until this many are waiting (or the flush interval ends): one background
    // task then moves them all, beside the transmitter's next sends.
    private const int MoveBatch = 32;

    private readonly FileWildcard _wildcard;
    private readonly FileMessageSourceOptions _options;
    private readonly string? _archiveDirectory;
    private readonly string _failExtension;
    private readonly int _moveBatch;
    private readonly bool _failKeepsExtension;
    private readonly FileSourceState _state;
    private readonly FileSourceJournal _journal;
    private readonly DeferredDirectoryFlush _flush;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, FinishKind> _unfinished = new(StringComparer.Ordinal);
    private readonly List<string> _pendingMoves = [];

    // Accepted and journaled, not yet moved (waiting in _pendingMoves or being moved): never offered again.
    private readonly HashSet<string> _journaled = new(StringComparer.Ordinal);
    private Dictionary<string, (long Length, DateTime Modified)> _seen = new(StringComparer.Ordinal);
    private bool _started;
    private bool _directoryMissing;
    private bool _archiveReady;
    private bool _disposed;
    private int _openPolls;
    private int _moving;
    private Task _mover = Task.CompletedTask;
    private TaskCompletionSource? _movesIdle;
    private ReadAhead? _readAhead;
    private DateTimeOffset _nextCleanup = DateTimeOffset.MinValue;

    /// <summary>Creates a source; does no I/O (the state file is read by the first poll).</summary>
    /// <param name="options">What to read and what to do with files afterwards; validated now and copied.</param>
    /// <param name="loggerFactory">Logging; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock for file ages and archive cleanup; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="FileMessageSourceOptions.Validate"/>).</exception>
    public FileMessageSource(FileMessageSourceOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _wildcard = options.Parse();
        _options = new FileMessageSourceOptions
        {
            Path = options.Path,
            SortBy = options.SortBy,
            ArchiveDays = options.ArchiveDays,
            ArchiveCleanupInterval = options.ArchiveCleanupInterval,
            FailRetries = options.FailRetries,
            FailExtension = options.FailExtension,
            MinimumFileAge = options.MinimumFileAge,
            SplitBatches = options.SplitBatches,
            MaxFileBytes = options.MaxFileBytes,
            CompletionFlushInterval = options.CompletionFlushInterval,
            CompletionFlushMaxFiles = options.CompletionFlushMaxFiles,
            ReadAheadFiles = options.ReadAheadFiles,
            ReadAheadBytes = options.ReadAheadBytes,
        };
        _archiveDirectory = string.IsNullOrWhiteSpace(options.ArchiveDirectory) ? null : Path.GetFullPath(options.ArchiveDirectory);
        _failKeepsExtension = options.FailExtension.StartsWith("*.", StringComparison.Ordinal);
        _failExtension = _failKeepsExtension ? options.FailExtension[2..] : options.FailExtension;
        var stateDirectory = string.IsNullOrWhiteSpace(options.StateDirectory) ? _wildcard.Directory : Path.GetFullPath(options.StateDirectory);
        _state = new FileSourceState(stateDirectory, _wildcard.Pattern);
        _journal = new FileSourceJournal(stateDirectory, _wildcard.Pattern);
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<FileMessageSource>();
        _flush = new DeferredDirectoryFlush(options.CompletionFlushInterval, options.CompletionFlushMaxFiles, _time, _logger, MovePending);
        _moveBatch = Math.Min(MoveBatch, options.CompletionFlushMaxFiles);
    }

    private enum FinishKind
    {
        Archive,
        Fail,
    }

    /// <summary>Gets the absolute input directory.</summary>
    public string Directory => _wildcard.Directory;

    /// <summary>Gets how many archives or deletes wait for their directory flush (for tests).</summary>
    internal int UnflushedCompletions => _flush.Waiting;

    /// <summary>Gets how many accepted files wait for their archive or delete (for tests).</summary>
    internal int PendingMoves
    {
        get
        {
            lock (_lock)
            {
                return _pendingMoves.Count;
            }
        }
    }

    /// <summary>Gets how many reads of the open (or the last) poll are done and wait for the poll (for tests).</summary>
    internal int ReadsAheadReady => _readAhead?.Ready ?? 0;

    /// <summary>Gets how many files the open (or the last) poll read ahead in all (for tests).</summary>
    internal int ReadsAheadStarted => _readAhead?.ReadsStarted ?? 0;

    /// <summary>Gets the most files the open (or the last) poll had read ahead at one time (for tests).</summary>
    internal int MostReadsAhead => _readAhead?.MostAhead ?? 0;

    /// <summary>Gets the most bytes the open (or the last) poll had read ahead at one time (for tests).</summary>
    internal long MostBytesReadAhead => _readAhead?.MostBytesAhead ?? 0;

    /// <summary>Waits for the background mover, then does the moves still waiting (for tests).</summary>
    internal async Task SettleMovesAsync()
    {
        await _mover.ConfigureAwait(false);
        MovePending();
    }

    /// <summary>Gets the path of the journal of accepted files not yet moved (see <see cref="CompleteAsync"/>).</summary>
    public string JournalFilePath => _journal.FilePath;

    /// <summary>Gets the path of the state file that keeps failure counts and batch progress across restarts.</summary>
    public string StateFilePath => _state.FilePath;

    /// <summary>
    /// Yields the next messages: one per ready file, oldest first (or by name), at most <paramref name="max"/>. A file
    /// polled but not completed is offered again by the next poll, with the same bytes.
    /// </summary>
    /// <param name="max">The most messages to yield; at least 1.</param>
    /// <param name="cancellationToken">Stops the poll.</param>
    /// <returns>The messages; <see cref="OutboundMessage.Id"/> is the file's path (with <c>#n</c>, the message's number, for a split batch file).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> is less than 1.</exception>
    public async IAsyncEnumerable<OutboundMessage> PollAsync(int max, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        cancellationToken.ThrowIfCancellationRequested();
        List<ListedFile> files;
        lock (_lock)
        {
            files = Prepare();
            _openPolls++;
        }

        var readAhead = new ReadAhead(this, files, _options.ReadAheadFiles, _options.ReadAheadBytes);
        _readAhead = readAhead;
        try
        {
            await Task.Yield();
            var yielded = 0;
            for (var position = 0; position < files.Count && yielded < max; position++)
            {
                var file = files[position];
                if (!readAhead.TryTake(position, max - yielded, out var read) || !IsUnchanged(file.Path, read))
                {
                    read = ReadFile(file.Path);
                }

                FileWork? work;
                lock (_lock)
                {
                    work = IsDone(file.Path) ? null : Accept(file, read);
                }

                for (var index = work?.FirstToSend ?? 0; work is not null && index < work.Messages.Count && yielded < max; index++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    lock (_lock)
                    {
                        // The messages of a split file go strictly in order: stop at the first one not accepted.
                        if (work.Failed || work.Accepted < index)
                        {
                            break;
                        }
                    }

                    yielded++;
                    yield return new OutboundMessage(
                        work.Messages.Count == 1 && work.FirstToSend == 0 ? work.Path : $"{work.Path}#{index + 1}",
                        work.Messages[index],
                        work.Attempts,
                        new DateTimeOffset(work.Modified, TimeSpan.Zero),
                        new FileMessageRef(work, index));
                }
            }
        }
        finally
        {
            // The end of a poll (also a stop): the read-ahead's reads are dropped (they changed nothing; the next poll
            // reads those files again); the moves of this poll's completions are finished and made to survive a power
            // loss now; then the journal has nothing left to remember.
            await readAhead.StopAsync().ConfigureAwait(false);
            await EndMovesAsync(endingPoll: true).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Records a final outcome. Accepted: the file (or, for a split file, its last message) is recorded as done in the
    /// journal (<see cref="JournalFilePath"/>, one write) before this returns, so a kill never sends it again; while a
    /// poll is open it is archived or deleted in the background (while the next message's ACK is awaited) and at the
    /// latest when the poll ends, otherwise at once. The directory flush for power loss follows within
    /// <see cref="FileMessageSourceOptions.CompletionFlushInterval"/>. Not accepted: the failure is counted; after the
    /// retries the file is renamed with the fail extension.
    /// </summary>
    /// <param name="message">A message this source yielded.</param>
    /// <param name="result">The outcome.</param>
    /// <param name="cancellationToken">Not used once the outcome is being recorded: the file operations are short and must not stop halfway.</param>
    /// <returns>A completed task; file-system problems are logged and retried, never thrown.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> or <paramref name="result"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="message"/> was not yielded by this source.</exception>
    public ValueTask CompleteAsync(OutboundMessage message, MllpSendResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(result);
        if (message.State is not FileMessageRef reference || reference.Work.Source != this)
        {
            throw new ArgumentException("The message was not polled from this file source.", nameof(message));
        }

        var work = reference.Work;
        lock (_lock)
        {
            if (result.IsAccepted)
            {
                Accepted(work, reference.Index);
            }
            else
            {
                FailedAttempt(work, result.ToString());
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Finishes the moves of accepted files and flushes their directories; later completions move and flush at once.</summary>
    /// <returns>A task that completes when the moves are done and flushed.</returns>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        await EndMovesAsync(endingPoll: false).ConfigureAwait(false);
        _flush.Dispose();
        lock (_lock)
        {
            _journal.Dispose();
        }
    }

    /// <summary>Gets how many files matched the wildcard at the last poll (not yet completed then), for the queue-depth metric.</summary>
    /// <returns>The number of matching files seen by the last poll; 0 before the first poll.</returns>
    public int GetPendingCount()
    {
        lock (_lock)
        {
            return _seen.Count;
        }
    }

    private void Accepted(FileWork work, int index)
    {
        work.Accepted = Math.Max(work.Accepted, index + 1);
        if (work.Accepted < work.Messages.Count)
        {
            SaveState(work.Name, work.Attempts, work.Accepted);
            return;
        }

        if (_openPolls > 0 && !_disposed && _options.CompletionFlushInterval > TimeSpan.Zero && Journal(work))
        {
            _pendingMoves.Add(work.Path);
            _journaled.Add(work.Path);
            if (_pendingMoves.Count < _moveBatch)
            {
                _flush.Arm();
            }
            else if (_mover.IsCompleted)
            {
                _mover = Task.Run(MovePending, CancellationToken.None);
            }

            return;
        }

        Finish(work.Path, FinishKind.Archive);
    }

    private void FailedAttempt(FileWork work, string outcome)
    {
        work.Failed = true;
        var attempt = work.Attempts + 1;
        if (attempt <= _options.FailRetries)
        {
            Log.SourceFileFailed(_logger, work.Name, outcome, attempt, _options.FailRetries + 1);
            SaveState(work.Name, attempt, work.Accepted);
            return;
        }

        var failedName = Finish(work.Path, FinishKind.Fail);
        Log.SourceFileGivenUp(_logger, work.Name, outcome, attempt, failedName ?? "(rename failed)");
    }

    private void SaveState(string name, int attempts, int accepted)
    {
        try
        {
            _state.Set(name, attempts, accepted);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.SourceStateFailed(_logger, _state.FilePath, ex.GetType().Name, ex);
        }
    }

    private sealed class FileWork(FileMessageSource source, string path, string name, long length, DateTime modified, int attempts, int accepted, IReadOnlyList<ReadOnlyMemory<byte>> messages, ulong fingerprint)
    {
        public FileMessageSource Source { get; } = source;

        public string Path { get; } = path;

        public string Name { get; } = name;

        public long Length { get; } = length;

        public DateTime Modified { get; } = modified;

        public int Attempts { get; } = attempts;

        public int FirstToSend { get; } = accepted;

        public IReadOnlyList<ReadOnlyMemory<byte>> Messages { get; } = messages;

        /// <summary>The journal's fingerprint of the file's bytes, computed when the file was read.</summary>
        public ulong Fingerprint { get; } = fingerprint;

        public int Accepted { get; set; } = accepted;

        public bool Failed { get; set; }
    }

    private sealed record FileMessageRef(FileWork Work, int Index);
}
