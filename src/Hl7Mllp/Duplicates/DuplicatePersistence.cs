namespace Hl7Mllp.Duplicates;

/// <summary>Whether and when an <see cref="InMemoryDuplicateTracker"/> writes its keys to its file.</summary>
public enum DuplicatePersistence
{
    /// <summary>Keys live in memory only and are lost when the process ends. The default.</summary>
    None = 0,

    /// <summary>
    /// Keys are written to the file by <see cref="InMemoryDuplicateTracker.SaveAsync"/> and at dispose (the seed's
    /// "Persist Control IDs": saved at shutdown), and loaded by <see cref="InMemoryDuplicateTracker.LoadAsync"/>.
    /// A process that is killed loses the keys recorded since the last save.
    /// </summary>
    OnShutdown = 1,

    /// <summary>
    /// As <see cref="OnShutdown"/>, and every recorded key is also appended to the file and flushed to disk
    /// (<c>fsync</c>) before <see cref="InMemoryDuplicateTracker.RecordAsync"/> returns, so the keys survive a crash.
    /// Costs one small synchronous disk flush per message.
    /// </summary>
    Journal = 2,
}
