namespace Hl7Mllp.Storage;

/// <summary>The read-ahead: the next files of a poll are read on a thread-pool thread while the transmitter awaits an ACK.</summary>
public sealed partial class FileMessageSource
{
    /// <summary>One file as the directory listing saw it.</summary>
    private readonly record struct ListedFile(string Path, string Name, long Length, DateTime Modified);

    /// <summary>
    /// What reading a file found: <see cref="ReadOutcome.Read"/> with its messages, the length and modification time of
    /// the file that was read (from the open handle) and the journal's fingerprint; otherwise the outcome and why.
    /// </summary>
    private readonly record struct FileRead(
        ReadOutcome Outcome,
        string? Problem,
        IReadOnlyList<ReadOnlyMemory<byte>>? Messages = null,
        long Length = 0,
        DateTime Modified = default,
        ulong Fingerprint = 0);

    /// <summary>
    /// Reads the files of one poll ahead of it, in order, on a thread-pool thread, at most
    /// <see cref="FileMessageSourceOptions.ReadAheadFiles"/> files and <see cref="FileMessageSourceOptions.ReadAheadBytes"/>
    /// bytes (by the listed lengths) ahead of the poll, and never past the poll's maximum. A read has no side effect:
    /// logging, failure counts and renames happen when the poll reaches the file, and reads the poll never takes (a stop,
    /// the maximum reached) are dropped. The poll takes each file in order: the one the read-ahead read (waiting if the
    /// read is still running), or, when the read-ahead has not reached it, none (the poll reads it itself).
    /// </summary>
    /// <remarks>
    /// A burst of reads starts when at most half of <see cref="FileMessageSourceOptions.ReadAheadFiles"/> reads are ready,
    /// so the thread-pool hop is paid once per several files, not per file.
    /// </remarks>
    private sealed class ReadAhead
    {
        private readonly FileMessageSource _source;
        private readonly List<ListedFile> _files;
        private readonly int _maxFiles;
        private readonly long _maxBytes;
        private readonly FileRead[] _reads;
        private readonly bool[] _ready;
        private readonly object _gate = new();
        private int _next;
        private int _claimed;
        private int _limit;
        private long _bytes;
        private bool _running;
        private bool _waiting;
        private bool _stopped;
        private Task _worker = Task.CompletedTask;

        public ReadAhead(FileMessageSource source, List<ListedFile> files, int maxFiles, long maxBytes)
        {
            _source = source;
            _files = files;

            // A byte limit of 0 turns the read-ahead off like a file limit of 0 (the byte check alone lets empty files by).
            _maxFiles = maxBytes == 0 ? 0 : maxFiles;
            _maxBytes = maxBytes;
            _reads = new FileRead[Math.Max(1, _maxFiles)];
            _ready = new bool[_reads.Length];
        }

        /// <summary>Gets how many reads are done and not yet taken (for tests).</summary>
        public int Ready
        {
            get
            {
                lock (_gate)
                {
                    return _ready.Count(static ready => ready);
                }
            }
        }

        /// <summary>Gets how many reads ran or are running ahead of the poll in all (for tests).</summary>
        public int ReadsStarted { get; private set; }

        /// <summary>Gets the most reads that were ahead of the poll at one time (for tests).</summary>
        public int MostAhead { get; private set; }

        /// <summary>Gets the most bytes (by the listed lengths) that were ahead of the poll at one time (for tests).</summary>
        public long MostBytesAhead { get; private set; }

        /// <summary>
        /// Takes file <paramref name="position"/> (positions are taken in order, each once) and lets the read-ahead run on
        /// to at most <paramref name="remaining"/> files from it. Returns <see langword="true"/> with the read-ahead's
        /// read, or <see langword="false"/> when the read-ahead has not reached the file: the caller reads it.
        /// </summary>
        public bool TryTake(int position, int remaining, out FileRead read)
        {
            lock (_gate)
            {
                _limit = (int)Math.Min(_files.Count, (long)position + remaining);
                bool early = position < _claimed;
                if (early)
                {
                    var slot = position % _reads.Length;
                    while (!_ready[slot])
                    {
                        // The read of this very file is running: it ends soon, and reading it here could not start sooner.
                        _waiting = true;
                        Monitor.Wait(_gate);
                    }

                    read = _reads[slot];
                    _reads[slot] = default;
                    _ready[slot] = false;
                    _bytes -= _files[position].Length;
                }
                else
                {
                    _claimed = position + 1;
                    read = default;
                }

                _next = position + 1;
                if (!_running && !_stopped && _claimed - _next <= _maxFiles / 2 && CanClaim())
                {
                    _running = true;
                    _worker = Task.Run(Work, CancellationToken.None);
                }

                return early;
            }
        }

        /// <summary>Stops the read-ahead and drops the reads not taken; completes when no read runs any more (its file is closed).</summary>
        public async Task StopAsync()
        {
            Task worker;
            lock (_gate)
            {
                _stopped = true;
                worker = _worker;
            }

            await worker.ConfigureAwait(false);
            lock (_gate)
            {
                // The source keeps this object for its test counters: it must not keep the bytes too.
                Array.Clear(_reads);
            }
        }

        // Under _gate: the next file may be read ahead.
        private bool CanClaim() =>
            _claimed < _limit
            && _claimed - _next < _maxFiles
            && _bytes + _files[_claimed].Length <= _maxBytes;

        private void Work()
        {
            while (true)
            {
                int position;
                lock (_gate)
                {
                    if (_stopped || !CanClaim())
                    {
                        _running = false;
                        return;
                    }

                    position = _claimed++;
                    _bytes += _files[position].Length;
                    ReadsStarted++;
                    MostAhead = Math.Max(MostAhead, _claimed - _next);
                    MostBytesAhead = Math.Max(MostBytesAhead, _bytes);
                }

                FileRead read;
                try
                {
                    read = _source.ReadFile(_files[position].Path);
                }
#pragma warning disable CA1031 // Any other failure is the poll's to see: it reads the file itself and gets the exception there.
                catch (Exception)
#pragma warning restore CA1031
                {
                    read = new FileRead(ReadOutcome.NotRead, null);
                }

                lock (_gate)
                {
                    var slot = position % _reads.Length;
                    _reads[slot] = read;
                    _ready[slot] = true;
                    if (_waiting)
                    {
                        _waiting = false;
                        Monitor.PulseAll(_gate);
                    }
                }
            }
        }
    }
}
