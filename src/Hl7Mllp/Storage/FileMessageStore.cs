using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hl7Mllp.Diagnostics;
using Hl7Mllp.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hl7Mllp.Storage;

/// <summary>
/// Keeps each received message in its own file, named from the File Storage Wildcard so that the files sort in
/// arrival order, and returns only once the message is on disk.
/// </summary>
/// <remarks>
/// <para>
/// Durability: the message is written to a temporary name in the same directory,
/// <c>.hl7mllp-tmp-FINALNAME.LENGTH.HASH.tmp</c> (which no file source ever picks up), whose LENGTH and HASH (64-bit
/// XxHash3 of the content) prove the file whole. It is flushed to disk, renamed to its final name without overwriting
/// anything, and the rename is flushed. Guarantees: no store returns (so no ACK leaves) before its data is durable; a
/// final name never points at data that is not on disk; after any crash (a kill or a power loss), every message whose
/// store returned is in the directory under a final name once the store has opened again (see recovery below); a full
/// disk or an I/O error deletes the temporary file and throws, leaving nothing partial, and the receive pipeline
/// answers with a negative ACK (HL7 error 207); names are unique and in arrival order.
/// </para>
/// <para>
/// Group commit (<see cref="FileMessageStoreOptions.GroupCommit"/>, Linux 5.8 and later): each store writes its
/// temporary file without flushing it and queues it. One background committer loops: it takes every file queued
/// meanwhile, and one <c>syncfs</c> of the directory's file system makes their data and their temporary names durable
/// (and every earlier rename with them); then it renames each file to its final name and completes its store. So each
/// message waits for one flush (plus the one already running when it arrived), and stores running at the same time
/// share it. The rename itself is made durable by the next round's <c>syncfs</c>, or, when no new file comes within
/// 20 ms or the store is disposed (after every queued store is committed), by a directory <c>fsync</c>; until then a power loss can only undo the rename,
/// which recovery redoes. A failed rename fails that store only; a failed <c>syncfs</c> fails every store of its round
/// (their temporary files are deleted). Elsewhere, and on Linux before 5.8 (whose <c>syncfs</c> does not report
/// write-back errors), each file is flushed, renamed, and the directory flushed before its store returns.
/// </para>
/// <para>
/// Recovery, when the store opens its directory (the first <see cref="StoreAsync"/>): every temporary file of this
/// store's form whose length and hash match its name is a whole message, perhaps acknowledged before a power loss
/// undid its rename; it is renamed to its final name (the next free name if that is taken; nothing is overwritten).
/// Every other one (torn by a power loss, or left by an earlier version) was never acknowledged and is deleted. Both
/// are logged (events 5003, 5004) with names and sizes only, then the directory is flushed. A whole file whose store
/// never returned (the crash came between the flush and the ACK) is kept too: the sender, which got no ACK, sends that
/// message again, so the message in flight at a crash may be stored twice, with the same MSH-10. Only one store may
/// use a directory at a time: recovery treats every temporary file of its form as left by a crash.
/// </para>
/// <para>
/// Names: the <c>*</c> becomes <c>yyMMddHHmmssfff</c> (from the injected <see cref="TimeProvider"/>) plus a two-digit
/// sequence number, 00 to 99, within the same millisecond. The 101st message of one millisecond takes the next
/// millisecond's stamp (the store's clock runs ahead of the real one until the real one catches up), and the stamp never
/// goes backwards, so names stay unique and in arrival order. A file already present under a name (left by an earlier
/// run) is never overwritten: the next name is taken.
/// </para>
/// <para>Thread-safe: call <see cref="StoreAsync"/> from any number of connections at once.</para>
/// </remarks>
public sealed partial class FileMessageStore : IMessageStore, IAsyncDisposable
{
    private const int StampLength = 15;   // yyMMddHHmmssfff
    private const int MaxSequence = 99;   // two digits
    private const int MaxNameAttempts = 1000;

    private static readonly Counter<long> Syncs = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.store.fsyncs", "{fsync}", "Disk flushes made by the file message store, by kind (file, directory or filesystem).");

    private static readonly Counter<long> Messages = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.store.messages", "{message}", "Messages the file message store was asked to keep, by outcome (stored or failed).");

    private readonly FileWildcard _wildcard;
    private readonly bool _createDirectory;
    private readonly bool _useUtc;
    private readonly bool _batched;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _nameLock = new();
    private readonly Lock _startLock = new();
    private readonly CommitQueue _written = new();

    private long _lastStampMilliseconds = long.MinValue;
    private int _sequence;
    private DirectorySync? _directory;
    private Task? _committer;
    private long _fileSyncs;
    private long _directorySyncs;
    private long _fileSystemSyncs;
    private volatile bool _disposed;

    /// <summary>Creates a store; does no I/O (the directory is created and opened by the first store).</summary>
    /// <param name="options">Where to write; validated now.</param>
    /// <param name="loggerFactory">Logging; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock that names the files; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="FileMessageStoreOptions.Validate"/>).</exception>
    public FileMessageStore(FileMessageStoreOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _wildcard = options.Parse();
        _createDirectory = options.CreateDirectory;
        _useUtc = options.UseUtcTimestamp;
        _batched = options.GroupCommit && DirectorySync.SyncFileSystemReportsErrors;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<FileMessageStore>();
    }

    /// <summary>Gets the absolute directory the messages are written to.</summary>
    public string Directory => _wildcard.Directory;

    /// <summary>Gets how many file flushes (<c>fsync</c> of a message file) this store has made.</summary>
    internal long FileSyncs => Interlocked.Read(ref _fileSyncs);

    /// <summary>Gets how many directory flushes this store has made (under group commit only when idle, after recovery, and at dispose).</summary>
    internal long DirectorySyncs => Interlocked.Read(ref _directorySyncs);

    /// <summary>Gets how many file system flushes (<c>syncfs</c>, one per group commit batch) this store has made.</summary>
    internal long FileSystemSyncs => Interlocked.Read(ref _fileSystemSyncs);

    /// <summary>
    /// Writes the message to a new file and returns once its data is on disk and the file has its final name (whose own
    /// flush may follow under group commit; recovery stands in for it after a power loss, see the remarks).
    /// </summary>
    /// <param name="message">The message; its bytes are written exactly as received.</param>
    /// <param name="cancellationToken">Checked before anything is written; once writing has begun the store finishes, so a durable message is never reported as not stored.</param>
    /// <returns>A task that completes when the message is durable and under its final name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled before writing began.</exception>
    /// <exception cref="IOException">The disk is full or an I/O error occurred; no file is left behind. Also when the store opens its directory and a message left by a crash cannot be renamed to its final name.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory is not writable.</exception>
    public ValueTask StoreAsync(ReceivedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();

        string? finalPath = null;
        PendingStore? pending = null;
        try
        {
            EnsureStarted();
            if (_batched)
            {
                pending = WriteUnflushed(message);
            }
            else
            {
                finalPath = WriteAndRename(message.Bytes.Span);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Failed(message, ex);
            throw;
        }

        if (pending is null)
        {
            return SyncDirectoryNow(message, finalPath!);
        }

        if (!_written.TryAdd(pending))
        {
            // Disposed while writing: the committer is gone and nothing was made durable.
            DurableFile.TryDelete(pending.TempPath);
            var disposed = new ObjectDisposedException(nameof(FileMessageStore));
            Failed(message, disposed);
            return ValueTask.FromException(disposed);
        }

        return new ValueTask(pending.Task);
    }

    /// <summary>Stops the committer after it has flushed every pending rename, and closes the directory.</summary>
    /// <returns>A task that completes when the store is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _written.Complete();
        Task? committer;
        lock (_startLock)
        {
            committer = _committer;
        }

        if (committer is not null)
        {
            await committer.ConfigureAwait(false);
        }

        _directory?.Dispose();
    }

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _directory) is not null)
        {
            return;
        }

        lock (_startLock)
        {
            if (_directory is not null)
            {
                return;
            }

            if (_createDirectory && !System.IO.Directory.Exists(_wildcard.Directory))
            {
                System.IO.Directory.CreateDirectory(_wildcard.Directory);
                var parent = Path.GetDirectoryName(_wildcard.Directory);
                if (parent is not null)
                {
                    DirectorySync.FlushOnce(parent);
                }
            }

            var directory = DirectorySync.Open(_wildcard.Directory);
            try
            {
                RecoverTemporaryFiles(directory);
            }
            catch
            {
                directory.Dispose();
                throw;
            }

            if (_batched)
            {
                // A thread of its own: its flushes block, and must not hold up the thread pool's sockets.
                _committer = Task.Factory.StartNew(CommitLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }

            Volatile.Write(ref _directory, directory);
        }
    }

    /// <summary>Group commit: writes the temporary file without flushing it; the committer flushes and renames it.</summary>
    private PendingStore WriteUnflushed(ReceivedMessage message)
    {
        var fileName = NextFileName();
        var bytes = message.Bytes.Span;
        var pending = new PendingStore(message, fileName, Path.Join(_wildcard.Directory, FileStorageNames.StoreTempName(fileName, bytes)));
        DurableFile.WriteNew(pending.TempPath, bytes, flushToDisk: false);
        return pending;
    }

    private string WriteAndRename(ReadOnlySpan<byte> bytes)
    {
        var fileName = NextFileName();
        var tempPath = Path.Join(_wildcard.Directory, FileStorageNames.StoreTempName(fileName, bytes));
        DurableFile.WriteNew(tempPath, bytes);
        Count(ref _fileSyncs, "file");
        return MoveToFreeName(tempPath, fileName, deleteOnFailure: true);
    }

    /// <summary>
    /// Renames the temporary file to <paramref name="fileName"/>, or to the next free name; on failure deletes it when
    /// <paramref name="deleteOnFailure"/> (a store about to fail; recovery keeps a whole message for the next try).
    /// </summary>
    private string MoveToFreeName(string tempPath, string fileName, bool deleteOnFailure)
    {
        for (var attempt = 0; ; attempt++)
        {
            var finalPath = Path.Join(_wildcard.Directory, fileName);
            bool moved;
            try
            {
                moved = FileMoves.TryMoveNoReplace(tempPath, finalPath);
                if (!moved && attempt >= MaxNameAttempts)
                {
                    throw new IOException($"No free name in '{_wildcard.Directory}' after {MaxNameAttempts} tries.");
                }
            }
            catch when (deleteOnFailure)
            {
                DurableFile.TryDelete(tempPath);
                throw;
            }

            if (moved)
            {
                return finalPath;
            }

            // A file from an earlier run (or another process) has this name: never overwrite, take the next name.
            Log.StoreNameTaken(_logger, fileName);
            fileName = NextFileName();
        }
    }

    private string NextFileName()
    {
        var now = _useUtc ? _time.GetUtcNow().UtcDateTime : _time.GetLocalNow().DateTime;
        var nowMilliseconds = now.Ticks / TimeSpan.TicksPerMillisecond;
        long stamp;
        int sequence;
        lock (_nameLock)
        {
            if (nowMilliseconds > _lastStampMilliseconds)
            {
                _lastStampMilliseconds = nowMilliseconds;
                _sequence = 0;
            }
            else if (_sequence < MaxSequence)
            {
                _sequence++;
            }
            else
            {
                // 100 names in one millisecond: borrow the next millisecond rather than reuse or widen a name.
                _lastStampMilliseconds++;
                _sequence = 0;
            }

            stamp = _lastStampMilliseconds;
            sequence = _sequence;
        }

        Span<char> name = stackalloc char[StampLength + 2];
        new DateTime(stamp * TimeSpan.TicksPerMillisecond).TryFormat(name, out _, "yyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        name[StampLength] = (char)('0' + (sequence / 10));
        name[StampLength + 1] = (char)('0' + (sequence % 10));
        return string.Concat(_wildcard.Prefix, name, _wildcard.Suffix);
    }

    private ValueTask SyncDirectoryNow(ReceivedMessage message, string finalPath)
    {
        try
        {
            SyncDirectory();
        }
        catch (IOException ex)
        {
            Undo(message, finalPath, ex);
            return ValueTask.FromException(ex);
        }

        Stored(message, finalPath);
        return ValueTask.CompletedTask;
    }

    /// <summary>Fails a queued store: deletes its temporary file and throws in its caller. A completed store is left alone.</summary>
    private void Fail(PendingStore pending, Exception ex)
    {
        if (pending.Task.IsCompleted)
        {
            return;
        }

        DurableFile.TryDelete(pending.TempPath);
        Failed(pending.Message, ex);
        pending.TrySetException(ex);
    }

    private void SyncDirectory()
    {
        Count(ref _directorySyncs, "directory");
        Volatile.Read(ref _directory)!.Flush();
    }

    private static void Count(ref long counter, string kind)
    {
        Interlocked.Increment(ref counter);
        Syncs.Add(1, new KeyValuePair<string, object?>("kind", kind));
    }

    private void Undo(ReceivedMessage message, string finalPath, IOException ex)
    {
        // The rename may not be durable and the pipeline will NAK: remove the file so an unacknowledged copy never stays.
        DurableFile.TryDelete(finalPath);
        Failed(message, ex);
    }

    private void Stored(ReceivedMessage message, string finalPath)
    {
        Messages.Add(1, new KeyValuePair<string, object?>("outcome", "stored"));
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.MessageStored(_logger, message.Message.ControlId, message.Bytes.Length, Path.GetFileName(finalPath));
        }
    }

    private void Failed(ReceivedMessage message, Exception ex)
    {
        Messages.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
        Log.StoreFailed(_logger, message.Message.ControlId, message.Bytes.Length, _wildcard.Directory, ex.GetType().Name, ex.HResult, ex);
    }
}
