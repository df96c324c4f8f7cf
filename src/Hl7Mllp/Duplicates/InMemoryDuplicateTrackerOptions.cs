namespace Hl7Mllp.Duplicates;

/// <summary>Settings of an <see cref="InMemoryDuplicateTracker"/> (the seed's "Track Dupe Control IDs" and "Persist Control IDs").</summary>
public sealed class InMemoryDuplicateTrackerOptions
{
    /// <summary>The default <see cref="Capacity"/>: 10 000 keys.</summary>
    public const int DefaultCapacity = 10_000;

    /// <summary>
    /// Gets or sets how many of the most recently recorded keys are remembered; the oldest is forgotten when a new
    /// one is recorded at capacity. 0 turns tracking off (nothing is a duplicate). Memory is bounded by this number.
    /// Default: <see cref="DefaultCapacity"/> (10 000).
    /// </summary>
    public int Capacity { get; set; } = DefaultCapacity;

    /// <summary>Gets or sets which MSH fields form the key. Default: <see cref="DuplicateKeyMode.SenderAndControlId"/> (MSH-3 + MSH-4 + MSH-10).</summary>
    public DuplicateKeyMode KeyMode { get; set; } = DuplicateKeyMode.SenderAndControlId;

    /// <summary>
    /// Gets or sets how long a recorded key counts: a message whose key was recorded longer ago than this is not a
    /// duplicate (it is re-delivered). <see cref="Timeout.InfiniteTimeSpan"/> = only <see cref="Capacity"/> bounds
    /// the window. Measured with the tracker's <see cref="TimeProvider"/>. Default: 24 hours.
    /// </summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Gets or sets whether and when keys are written to a file. Default: <see cref="DuplicatePersistence.None"/>.</summary>
    public DuplicatePersistence Persistence { get; set; } = DuplicatePersistence.None;

    /// <summary>
    /// Gets or sets the folder of the key file <c>&lt;ConnectionName&gt;_TrackDupes.txt</c>; required when
    /// <see cref="Persistence"/> is not <see cref="DuplicatePersistence.None"/>. Default: <see langword="null"/>.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>Gets or sets the receiver's name, the first part of the key file's name. Default: <c>Receiver</c>.</summary>
    public string ConnectionName { get; set; } = "Receiver";

    /// <summary>Gets the full path of the key file, or <see langword="null"/> when keys are not persisted.</summary>
    /// <returns>The path.</returns>
    public string? GetFilePath() =>
        Persistence == DuplicatePersistence.None || Directory is null ? null : Path.Combine(Directory, ConnectionName + "_TrackDupes.txt");

    internal void Validate()
    {
        List<string> problems = [];
        if (Capacity < 0)
        {
            problems.Add($"{nameof(Capacity)} must be 0 (off) or more, not {Capacity}.");
        }

        if (Window <= TimeSpan.Zero && Window != Timeout.InfiniteTimeSpan)
        {
            problems.Add($"{nameof(Window)} must be positive or Timeout.InfiniteTimeSpan.");
        }

        if (!Enum.IsDefined(KeyMode))
        {
            problems.Add($"{nameof(KeyMode)} {KeyMode} is not defined.");
        }

        if (!Enum.IsDefined(Persistence))
        {
            problems.Add($"{nameof(Persistence)} {Persistence} is not defined.");
        }
        else if (Persistence != DuplicatePersistence.None && string.IsNullOrWhiteSpace(Directory))
        {
            problems.Add($"{nameof(Directory)} is required when {nameof(Persistence)} is {Persistence}.");
        }

        if (string.IsNullOrWhiteSpace(ConnectionName) || ConnectionName.AsSpan().ContainsAny(Path.GetInvalidFileNameChars()))
        {
            problems.Add($"{nameof(ConnectionName)} must be a non-empty valid file name part.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid duplicate tracker options: " + string.Join(" ", problems), "options");
        }
    }
}
