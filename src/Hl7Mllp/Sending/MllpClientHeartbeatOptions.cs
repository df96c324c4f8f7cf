namespace Hl7Mllp.Sending;

/// <summary>
/// A heartbeat: a configured HL7 message sent when a persistent connection has been idle for
/// <see cref="Interval"/>, for receivers (or middleboxes) that need activity to keep a connection (seed 000, the
/// Heartbeat feature). Its ACK is read and checked with the client's ACK condition; a heartbeat without a positive,
/// matching ACK closes the connection and opens a new one. Heartbeats never reach a caller's send results; they
/// raise <see cref="MllpClientEventKind.HeartbeatFailed"/> when they fail.
/// </summary>
public sealed class MllpClientHeartbeatOptions
{
    /// <summary>
    /// The heartbeat message as text (segments separated by CR; LF and CRLF are turned into CR), encoded with the
    /// client's <see cref="MllpClientOptions.Encoding"/>. Used when <see cref="Message"/> is empty. Default:
    /// <see langword="null"/>. It must carry an MSH-10 field; its value is replaced
    /// for every heartbeat by a fresh unique control ID (<c>HB</c> and a time-based number, at most 20 characters), so a
    /// receiver that tracks duplicate control IDs accepts every heartbeat, and the ACK is matched against that ID.
    /// </summary>
    public string? MessageText { get; set; }

    /// <summary>The heartbeat message as bytes; takes precedence over <see cref="MessageText"/>. Default: empty.</summary>
    public ReadOnlyMemory<byte> Message { get; set; }

    /// <summary>
    /// Idle time on a persistent connection after which the heartbeat is sent. Default: <see cref="TimeSpan.Zero"/>,
    /// no heartbeat. Heartbeats are only sent when <see cref="MllpClientOptions.PersistentConnection"/> is on and a
    /// connection is open.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.Zero;

    /// <summary>Whether a heartbeat is configured: a positive <see cref="Interval"/>.</summary>
    public bool Enabled => Interval > TimeSpan.Zero && Interval != Timeout.InfiniteTimeSpan;

    internal void AddProblems(List<string> problems, string prefix)
    {
        if (Interval < TimeSpan.Zero && Interval != Timeout.InfiniteTimeSpan)
        {
            problems.Add($"{prefix}{nameof(Interval)} must not be negative (was {Interval}).");
        }

        if (Enabled && Message.IsEmpty && string.IsNullOrWhiteSpace(MessageText))
        {
            problems.Add($"{prefix}{nameof(Message)} or {nameof(MessageText)} is required when {nameof(Interval)} is set.");
        }
    }
}
