using System.Buffers;
using System.Globalization;
using System.Text;
using Hl7Mllp.Messages;
using Hl7Mllp.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hl7Mllp.Duplicates;

/// <summary>
/// Remembers the keys (MSH-3 + MSH-4 + MSH-10 by default) of the N most recently recorded messages, in memory,
/// optionally persisted to <c>&lt;ConnectionName&gt;_TrackDupes.txt</c>: the seed's "Track Dupe Control IDs".
/// </summary>
/// <remarks>
/// <para>Look-up and record are O(1): a hash index over a ring buffer of N slots holding each key's raw bytes, so
/// memory is bounded by N (times the key length) whatever arrives; recording at capacity forgets the oldest key. Keys
/// are hashed and compared as bytes: checking and recording a message allocate nothing in the steady state. A key recorded longer ago than
/// <see cref="InMemoryDuplicateTrackerOptions.Window"/> no longer counts. A message with a blank MSH-10 has no key:
/// it is never a duplicate and is not recorded (whether a blank control ID is allowed is the pipeline's decision).</para>
/// <para>Persistence: the file is always replaced whole through a temporary file that is flushed to disk and then
/// renamed, so a crash leaves either the old or the new file, never half of one; a leftover temporary file is
/// ignored and deleted. In <see cref="DuplicatePersistence.Journal"/> mode each key is also appended and flushed
/// before <see cref="RecordAsync"/> returns; a torn last line (a crash during the append) is skipped on load.</para>
/// <para>The constructor does no I/O: call <see cref="LoadAsync"/> once before use when keys are persisted.
/// Thread-safe.</para>
/// </remarks>
public sealed class InMemoryDuplicateTracker : IDuplicateTracker, IAsyncDisposable
{
    private const string Header = "# hl7mllp duplicate keys v1: <unix time ms><TAB><key>";

    private readonly InMemoryDuplicateTrackerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly DuplicateKeyTable _table;
    private readonly long _windowMilliseconds;
    private FileStream? _journal;
    private bool _disposed;

    /// <summary>Creates a tracker; does no I/O.</summary>
    /// <param name="options">The settings; <see langword="null"/> for the defaults (10 000 keys, 24 h, MSH-3 + MSH-4 + MSH-10, not persisted).</param>
    /// <param name="timeProvider">The clock for the time window; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Where to log loads, saves and failures; default none.</param>
    /// <exception cref="ArgumentException">The options are invalid (the message lists every problem).</exception>
    public InMemoryDuplicateTracker(InMemoryDuplicateTrackerOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new InMemoryDuplicateTrackerOptions();
        _options.Validate();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<InMemoryDuplicateTracker>();
        _table = new DuplicateKeyTable(_options.Capacity);
        _windowMilliseconds = _options.Window == Timeout.InfiniteTimeSpan ? long.MaxValue : (long)_options.Window.TotalMilliseconds;
        FilePath = _options.GetFilePath();
    }

    /// <summary>Gets how many keys are remembered at most (0 = tracking off).</summary>
    public int Capacity => _table.Capacity;

    /// <summary>Gets how many keys are remembered now (expired ones included until they are overwritten).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _table.Count;
            }
        }
    }

    /// <summary>Gets the path of the key file, or <see langword="null"/> when keys are not persisted.</summary>
    public string? FilePath { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    public ValueTask<bool> IsDuplicateAsync(ReceivedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new ValueTask<bool>(IsDuplicate(message.Message));
    }

    /// <summary>Tells whether a message with the same key was recorded within the window.</summary>
    /// <param name="message">The message.</param>
    /// <returns><see langword="true"/> when the message is a duplicate; always <see langword="false"/> for a blank MSH-10 or when tracking is off.</returns>
    public bool IsDuplicate(in Hl7Message message)
    {
        ReadOnlySpan<byte> header = message.Header.Bytes.Span;
        return IsDuplicate(header, DuplicateKey.Find(header, message.Delimiters.FieldByte), out _);
    }

    /// <summary>
    /// Checks the key built from <paramref name="fields"/> and hands back its hash, so
    /// <see cref="Record(ReadOnlySpan{byte}, DuplicateKeyFields, int)"/> neither splits nor hashes again. The receive
    /// pipeline, which has split MSH already, calls it directly; <see cref="IsDuplicate(in Hl7Message)"/> goes through it.
    /// </summary>
    internal bool IsDuplicate(ReadOnlySpan<byte> header, DuplicateKeyFields fields, out int hash)
    {
        (bool found, hash) = Capacity == 0 ? default : DuplicateKey.With(header, fields, _options.KeyMode, this, static (tracker, key) =>
        {
            int hash = DuplicateKeyTable.Hash(key);
            return (tracker.Contains(key, hash), hash);
        }, default((bool, int)));
        return found;
    }

    /// <summary>Records the key <see cref="IsDuplicate(ReadOnlySpan{byte}, DuplicateKeyFields, out int)"/> checked, with the hash it gave.</summary>
    /// <exception cref="IOException">In <see cref="DuplicatePersistence.Journal"/> mode, the key could not be appended to the file.</exception>
    internal void Record(ReadOnlySpan<byte> header, DuplicateKeyFields fields, int hash)
    {
        if (Capacity > 0)
        {
            DuplicateKey.With(header, fields, _options.KeyMode, (Tracker: this, Hash: hash), static (state, key) => state.Tracker.Record(key, state.Hash), true);
        }
    }

    private bool Contains(ReadOnlySpan<byte> key, int hash)
    {
        long now = Now();
        lock (_lock)
        {
            return _table.TryFind(key, hash, out int slot) && !IsExpired(_table.RecordedAt(slot), now);
        }
    }

    /// <summary>Tells whether a key (as <see cref="GetKeys"/> shows it) was recorded within the window.</summary>
    /// <param name="key">The key: <c>MSH-3|MSH-4|MSH-10</c> as raw bytes, or MSH-10 alone in <see cref="DuplicateKeyMode.ControlIdOnly"/>.</param>
    /// <returns><see langword="true"/> when the key is remembered and not expired.</returns>
    public bool Contains(ReadOnlySpan<char> key)
    {
        byte[]? rented = null;
        Span<byte> bytes = key.Length <= DuplicateKey.StackLimit ? stackalloc byte[DuplicateKey.StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(key.Length));
        try
        {
            // A char past Latin-1 cannot come from a message's bytes: no such key is ever recorded.
            return TryNarrow(key, bytes) && Contains(bytes[..key.Length], DuplicateKeyTable.Hash(bytes[..key.Length]));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="IOException">In <see cref="DuplicatePersistence.Journal"/> mode, the key could not be appended to the file (it is still remembered in memory).</exception>
    public ValueTask RecordAsync(ReceivedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        Record(message.Message);
        return ValueTask.CompletedTask;
    }

    /// <summary>Remembers a message's key (nothing happens for a blank MSH-10 or when tracking is off).</summary>
    /// <param name="message">The message.</param>
    /// <exception cref="IOException">In <see cref="DuplicatePersistence.Journal"/> mode, the key could not be appended to the file.</exception>
    public void Record(in Hl7Message message)
    {
        if (Capacity > 0)
        {
            ReadOnlySpan<byte> header = message.Header.Bytes.Span;
            DuplicateKey.With(header, DuplicateKey.Find(header, message.Delimiters.FieldByte), _options.KeyMode, this, static (tracker, key) => tracker.Record(key, DuplicateKeyTable.Hash(key)), true);
        }
    }

    /// <summary>Gets the remembered, unexpired keys, oldest first (for diagnostics and tests).</summary>
    /// <returns>A snapshot of the keys.</returns>
    public IReadOnlyList<string> GetKeys()
    {
        long now = Now();
        List<string> keys = [];
        lock (_lock)
        {
            foreach ((ReadOnlyMemory<byte> key, long recordedAt) in _table.OldestFirst())
            {
                if (!IsExpired(recordedAt, now))
                {
                    keys.Add(Encoding.Latin1.GetString(key.Span));
                }
            }
        }

        return keys;
    }

    /// <summary>
    /// Loads the keys persisted in the key file (the most recent <see cref="InMemoryDuplicateTrackerOptions.Capacity"/>
    /// unexpired ones) and, in <see cref="DuplicatePersistence.Journal"/> mode, rewrites the file compacted and opens
    /// it for appending. A missing file is an empty list; malformed lines are skipped; a leftover temporary file from
    /// an interrupted save is deleted. Does nothing when keys are not persisted.
    /// </summary>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>How many keys were loaded.</returns>
    /// <exception cref="IOException">The file exists but cannot be read, or the journal cannot be opened.</exception>
    public async Task<int> LoadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (FilePath is null)
        {
            return 0;
        }

        DeleteTemporaryFile();
        int loaded = 0;
        if (File.Exists(FilePath))
        {
            string text = await File.ReadAllTextAsync(FilePath, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
            loaded = Load(text);
        }

        Log.DuplicateKeysLoaded(_logger, loaded, FilePath);
        if (_options.Persistence == DuplicatePersistence.Journal)
        {
            await SaveAsync(cancellationToken).ConfigureAwait(false);
        }

        return loaded;
    }

    /// <summary>
    /// Writes the unexpired keys to the key file: to a temporary file first, flushed to disk, then renamed over the
    /// old file. Does nothing when keys are not persisted.
    /// </summary>
    /// <param name="cancellationToken">Cancels the save before the rename; the old file is then kept.</param>
    /// <returns>A task that completes when the file is replaced.</returns>
    /// <exception cref="IOException">The file could not be written; the previous file is left as it was.</exception>
    public Task SaveAsync(CancellationToken cancellationToken = default)
    {
        if (FilePath is null)
        {
            return Task.CompletedTask;
        }

        cancellationToken.ThrowIfCancellationRequested();
        int count;
        lock (_lock)
        {
            // Under the lock so no journal append races the rename; the file is small (bounded by Capacity).
            _journal?.Dispose();
            _journal = null;
            count = WriteFile(FilePath, cancellationToken);
            if (_options.Persistence == DuplicatePersistence.Journal && !_disposed)
            {
                _journal = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.None);
            }
        }

        Log.DuplicateKeysSaved(_logger, count, FilePath);
        return Task.CompletedTask;
    }

    /// <summary>Saves the keys when they are persisted (a failure is logged, not thrown) and closes the journal.</summary>
    /// <returns>A task that completes when the tracker is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await SaveAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.DuplicateKeysSaveFailed(_logger, FilePath ?? string.Empty, ex.GetType().Name);
        }
        finally
        {
            lock (_lock)
            {
                _journal?.Dispose();
                _journal = null;
            }
        }
    }

    private bool Record(ReadOnlySpan<byte> key, int hash)
    {
        long now = Now();
        lock (_lock)
        {
            _table.Record(key, hash, now);
            if (_journal is not null)
            {
                AppendToJournal(key, now);
            }
        }

        return true;
    }

    private void AppendToJournal(ReadOnlySpan<byte> key, long recordedAt)
    {
        byte[] line = ArrayPool<byte>.Shared.Rent(MaxLineLength(key.Length));
        try
        {
            int length = WriteLine(line, key, recordedAt);
            _journal!.Write(line, 0, length);
            _journal.Flush(flushToDisk: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(line);
        }
    }

    private int Load(string text)
    {
        if (Capacity == 0)
        {
            return 0;
        }

        long now = Now();
        int loaded = 0;
        lock (_lock)
        {
            // A line without its newline was torn by a crash during an append: skip it.
            int end = text.LastIndexOf('\n');
            foreach (Range range in text.AsSpan(0, end + 1).Split('\n'))
            {
                ReadOnlySpan<char> line = text.AsSpan()[range].TrimEnd('\r');
                int tab = line.IndexOf('\t');
                if (line.IsEmpty || line[0] == '#' || tab <= 0 || tab == line.Length - 1
                    || !long.TryParse(line[..tab], NumberStyles.None, CultureInfo.InvariantCulture, out long recordedAt)
                    || IsExpired(recordedAt, now))
                {
                    continue;
                }

                ReadOnlySpan<char> key = line[(tab + 1)..];
                byte[] bytes = new byte[key.Length];
                if (!TryNarrow(key, bytes))
                {
                    continue;
                }

                bool known = _table.TryFind(bytes, DuplicateKeyTable.Hash(bytes), out _);
                _table.Record(bytes, recordedAt);
                loaded += known ? 0 : 1;
            }

            return Math.Min(loaded, _table.Count);
        }
    }

    private int WriteFile(string path, CancellationToken cancellationToken)
    {
        string temporary = path + ".tmp";
        long now = Now();
        int count = 0;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 65536, FileOptions.None))
        {
            stream.Write(Encoding.UTF8.GetBytes(Header + "\n"));
            byte[] buffer = new byte[256];
            foreach ((ReadOnlyMemory<byte> key, long recordedAt) in _table.OldestFirst())
            {
                if (IsExpired(recordedAt, now))
                {
                    continue;
                }

                int needed = MaxLineLength(key.Length);
                if (buffer.Length < needed)
                {
                    buffer = new byte[needed];
                }

                stream.Write(buffer, 0, WriteLine(buffer, key.Span, recordedAt));
                count++;
            }

            cancellationToken.ThrowIfCancellationRequested();
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        return count;
    }

    /// <summary>The longest line a key of this many bytes makes: a time, a tab, each byte as up to two UTF-8 bytes, a newline.</summary>
    private static int MaxLineLength(int keyLength) => 22 + (2 * keyLength);

    /// <summary>Writes <c>time TAB key LF</c>, the key as the UTF-8 text of its Latin-1 chars (the file format of v1).</summary>
    private static int WriteLine(Span<byte> destination, ReadOnlySpan<byte> key, long recordedAt)
    {
        recordedAt.TryFormat(destination, out int written, default, CultureInfo.InvariantCulture);
        destination[written++] = (byte)'\t';
        foreach (byte b in key)
        {
            if (b < 0x80)
            {
                destination[written++] = b;
            }
            else
            {
                destination[written++] = (byte)(0xC0 | (b >> 6));
                destination[written++] = (byte)(0x80 | (b & 0x3F));
            }
        }

        destination[written++] = (byte)'\n';
        return written;
    }

    /// <summary>Copies chars that are all Latin-1 as bytes; <see langword="false"/> when one is not.</summary>
    private static bool TryNarrow(ReadOnlySpan<char> key, Span<byte> bytes)
    {
        for (int i = 0; i < key.Length; i++)
        {
            if (key[i] > 0xFF)
            {
                return false;
            }

            bytes[i] = (byte)key[i];
        }

        return true;
    }

    private void DeleteTemporaryFile()
    {
        string temporary = FilePath + ".tmp";
        if (File.Exists(temporary))
        {
            File.Delete(temporary);
            Log.DuplicateKeysTemporaryFileDeleted(_logger, temporary);
        }
    }

    private bool IsExpired(long recordedAt, long now) =>
        _windowMilliseconds != long.MaxValue && now - recordedAt > _windowMilliseconds;

    private long Now() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
}
