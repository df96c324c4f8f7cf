namespace Hl7Mllp.Storage;

/// <summary>Group commit: the committer's loop, its queue, and the stores waiting in it.</summary>
public sealed partial class FileMessageStore
{
    /// <summary>
    /// The pipelined commit. Each round takes every file written since the last one (<c>written</c>) and flushes once:
    /// that flush makes their data durable and the names renamed in the previous round (<c>renamed</c>) too. Then the
    /// previous round's stores complete, and this round's files are renamed, to be completed by the next flush. A round
    /// with nothing new written flushes only the directory. The loop ends when the queue is completed and every renamed
    /// store has been flushed.
    /// </summary>
    private void CommitLoop()
    {
        List<PendingStore> written = [];
        List<PendingStore> renamed = [];
        while (true)
        {
            if (renamed.Count > 0)
            {
                _written.TakeAvailable(ref written);
            }
            else if (!_written.TakeAll(ref written))
            {
                return;
            }

            try
            {
                Flush(written, renamed);
            }
            catch (Exception ex)
            {
                // Unexpected: never leave a store waiting. Completed stores ignore this.
                FailAll(written, ex);
                FailAll(renamed, ex);
                renamed.Clear();
            }
        }
    }

    /// <summary>One round: one flush, complete <paramref name="renamed"/>, rename <paramref name="written"/> into it.</summary>
    private void Flush(List<PendingStore> written, List<PendingStore> renamed)
    {
        try
        {
            if (written.Count > 0)
            {
                // syncfs: the new files' data, and the previous round's renames with it (all of the file system's metadata).
                Count(ref _fileSystemSyncs, "filesystem");
                Volatile.Read(ref _directory)!.FlushFileSystem();
            }
            else
            {
                SyncDirectory();
            }
        }
        catch (IOException ex)
        {
            FailAll(written, ex);
            FailAll(renamed, ex);
            renamed.Clear();
            return;
        }

        foreach (var pending in renamed)
        {
            Stored(pending.Message, pending.FinalPath!);
            pending.TrySetResult();
        }

        renamed.Clear();
        foreach (var pending in written)
        {
            try
            {
                pending.FinalPath = MoveToFreeName(pending.TempPath, pending.FileName);
                renamed.Add(pending);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Fail(pending, ex);
            }
        }
    }

    private void FailAll(List<PendingStore> stores, Exception ex)
    {
        foreach (var pending in stores)
        {
            Fail(pending, ex);
        }
    }

    /// <summary>
    /// Stores waiting for the committer: writers add one at a time, the committer takes all of them at once, sleeping
    /// while there are none. Once completed, adds are refused and the committer ends when it has taken what is left.
    /// </summary>
    private sealed class CommitQueue
    {
        private readonly object _gate = new();
        private List<PendingStore> _items = [];
        private bool _completed;

        /// <summary>Queues <paramref name="item"/>; <see langword="false"/> once the queue is completed.</summary>
        public bool TryAdd(PendingStore item)
        {
            lock (_gate)
            {
                if (_completed)
                {
                    return false;
                }

                _items.Add(item);
                if (_items.Count == 1)
                {
                    Monitor.Pulse(_gate);
                }
            }

            return true;
        }

        /// <summary>Refuses further adds and wakes the committer.</summary>
        public void Complete()
        {
            lock (_gate)
            {
                _completed = true;
                Monitor.Pulse(_gate);
            }
        }

        /// <summary>Waits for items and swaps them into <paramref name="batch"/>; <see langword="false"/> when completed and empty.</summary>
        public bool TakeAll(ref List<PendingStore> batch)
        {
            batch.Clear();
            lock (_gate)
            {
                while (_items.Count == 0)
                {
                    if (_completed)
                    {
                        return false;
                    }

                    Monitor.Wait(_gate);
                }

                (_items, batch) = (batch, _items);
            }

            return true;
        }

        /// <summary>Swaps whatever is queued (perhaps nothing) into <paramref name="batch"/> without waiting.</summary>
        public void TakeAvailable(ref List<PendingStore> batch)
        {
            batch.Clear();
            lock (_gate)
            {
                if (_items.Count > 0)
                {
                    (_items, batch) = (batch, _items);
                }
            }
        }
    }

    /// <summary>A store waiting for the committer: its message, names, and the task its caller awaits.</summary>
    private sealed class PendingStore(ReceivedMessage message, string fileName, string tempPath)
        : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public ReceivedMessage Message { get; } = message;

        public string FileName { get; } = fileName;

        public string TempPath { get; } = tempPath;

        public string? FinalPath { get; set; }
    }
}
