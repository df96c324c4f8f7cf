namespace Hl7Mllp.Storage;

/// <summary>Group commit: the committer's loop, its queue, and the stores waiting in it.</summary>
public sealed partial class FileMessageStore
{
    /// <summary>How long the committer waits for new files before it flushes the directory for the last renames alone.</summary>
    private static readonly TimeSpan IdleNameFlushDelay = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The commit loop. Each round takes every file written since the last one and flushes once (<c>syncfs</c>): that
    /// makes their data and their temporary names durable, and the renames of every earlier round too. Then it renames
    /// each file to its final name and completes its store. A rename is durable with the next round's flush; when no new
    /// file comes within <see cref="IdleNameFlushDelay"/> (or the store is disposed), a directory <c>fsync</c> makes it so.
    /// The loop ends when the queue is completed and empty and the last renames are flushed.
    /// </summary>
    private void CommitLoop()
    {
        List<PendingStore> batch = [];
        var namesToFlush = false;
        var idleFlushFailed = false;
        while (true)
        {
            // After a failed idle flush the renames wait for the next round's syncfs (or the dispose), not for another
            // IdleNameFlushDelay: a directory that keeps failing is logged once per idle spell, not fifty times a second.
            var open = _written.Take(ref batch, namesToFlush && !idleFlushFailed ? IdleNameFlushDelay : Timeout.InfiniteTimeSpan);
            if (batch.Count > 0)
            {
                idleFlushFailed = false;
                try
                {
                    namesToFlush = Commit(batch, namesToFlush);
                }
                catch (Exception ex)
                {
                    // Unexpected: never leave a store waiting. Completed stores ignore this.
                    FailAll(batch, ex);
                }

                continue;
            }

            if (namesToFlush)
            {
                namesToFlush = idleFlushFailed = !TryFlushNames();
            }

            if (!open)
            {
                return;
            }
        }
    }

    /// <summary>
    /// One round: one <c>syncfs</c>, then rename each file and complete its store. Returns whether renames wait for a
    /// flush: whether the round renamed anything (the <c>syncfs</c> made every earlier rename durable), or, when the
    /// flush failed, <paramref name="namesToFlush"/> unchanged.
    /// </summary>
    private bool Commit(List<PendingStore> batch, bool namesToFlush)
    {
        try
        {
            // syncfs: the new files' data and names, and the earlier renames with them (all of the file system's metadata).
            Count(ref _fileSystemSyncs, "filesystem");
            Volatile.Read(ref _directory)!.FlushFileSystem();
        }
        catch (IOException ex)
        {
            FailAll(batch, ex);
            return namesToFlush;
        }

        var renamed = false;
        foreach (var pending in batch)
        {
            // The data is durable under a name that proves it whole, so the store may complete now; renaming first keeps
            // the final name in place for whoever reads the directory once the ACK has left (it costs no flush).
            string finalPath;
            try
            {
                finalPath = MoveToFreeName(pending.TempPath, pending.FileName, deleteOnFailure: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Fail(pending, ex);
                continue;
            }

            renamed = true;
            Stored(pending.Message, finalPath);
            pending.TrySetResult();
        }

        return renamed;
    }

    /// <summary>Flushes the directory so the last renames survive a power loss; logs a failure (recovery covers it).</summary>
    private bool TryFlushNames()
    {
        try
        {
            SyncDirectory();
            return true;
        }
        catch (IOException ex)
        {
            // The stores are complete: their data is durable under names that prove it whole, and the store's recovery
            // renames such files when it opens. The next flush tries again.
            Log.StoreNamesFlushFailed(_logger, _wildcard.Directory, ex.GetType().Name, ex);
            return false;
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

        /// <summary>
        /// Waits up to <paramref name="timeout"/> for items and swaps them into <paramref name="batch"/> (empty when none
        /// came in time or the queue is completed).
        /// </summary>
        /// <returns><see langword="false"/> once the queue is completed and empty.</returns>
        public bool Take(ref List<PendingStore> batch, TimeSpan timeout)
        {
            batch.Clear();
            lock (_gate)
            {
                if (_items.Count == 0 && !_completed)
                {
                    Monitor.Wait(_gate, timeout);
                }

                if (_items.Count > 0)
                {
                    (_items, batch) = (batch, _items);
                    return true;
                }

                return !_completed;
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
    }
}
