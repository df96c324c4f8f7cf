namespace Hl7Mllp.Storage;

/// <summary>
/// Where and how a <see cref="FileMessageStore"/> writes received messages, one file per message. Bindable from
/// configuration.
/// </summary>
public sealed class FileMessageStoreOptions
{
    /// <summary>
    /// The File Storage Wildcard: a directory, optional name characters, one <c>*</c>, and an extension, for example
    /// <c>/data/in/ADT_*.hl7</c>. The <c>*</c> becomes the arrival time as <c>yyMMddHHmmssfff</c> plus a two-digit
    /// number that keeps names unique within one millisecond (<c>ADT_26112501570312300.hl7</c>), so the files sort in
    /// arrival order. Relative paths are resolved against the current directory. Required; no default.
    /// </summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>Whether the directory is created (with its parents) when it does not exist. Default: <see langword="true"/>.</summary>
    public bool CreateDirectory { get; set; } = true;

    /// <summary>
    /// Whether the timestamp in file names is UTC instead of local time. Default: <see langword="false"/> (local time,
    /// as the seed service names its files). With local time, names stay in arrival order across a daylight-saving
    /// change because the store never lets its timestamp go backwards (it keeps counting from the last one instead).
    /// </summary>
    public bool UseUtcTimestamp { get; set; }

    /// <summary>
    /// Whether stores that run at the same time share their disk flushes (group commit). Default: <see langword="true"/>.
    /// Every store still returns only once its message is on disk. With group commit on (Linux 5.8 and later), one
    /// background committer makes all the files written while its previous flush was running durable with one
    /// <c>syncfs</c>, then renames them to their final names and completes their stores: one flush per message, shared,
    /// so throughput grows with the number of connections. The renames ride on the next flush (or a directory flush when
    /// the store is idle); after a power loss the store's recovery renames the files whose temporary names prove them
    /// whole. <see langword="false"/> (and every other platform, and Linux before 5.8, whose <c>syncfs</c> does not
    /// report write-back errors) flushes each file, renames it and flushes the directory before its store returns: two
    /// flushes per message.
    /// </summary>
    public bool GroupCommit { get; set; } = true;

    /// <summary>Checks every setting and reports all problems at once.</summary>
    /// <exception cref="ArgumentException">One or more settings are unusable; the message lists each of them.</exception>
    public void Validate() => Parse();

    /// <summary>Validates and returns the parsed wildcard.</summary>
    internal FileWildcard Parse()
    {
        List<string> problems = [];
        var wildcard = FileWildcard.TryParse(Path, nameof(Path), singleStar: true, problems);
        if (wildcard is null)
        {
            throw new ArgumentException("Invalid file message store options: " + string.Join(" ", problems));
        }

        return wildcard;
    }
}
