namespace Hl7Mllp.Sending;

/// <summary>A snapshot of a transmitter for a dashboard (seed 002, "Connection Status"): state, activity, counts, last error. Carries no message content.</summary>
public sealed class TransmitterStatus
{
    /// <summary>Gets the transmitter's name (<see cref="TransmitterOptions.Name"/>).</summary>
    public required string Name { get; init; }

    /// <summary>Gets what the transmitter is doing.</summary>
    public required TransmitterState State { get; init; }

    /// <summary>Gets when the transmitter was last started, or <see langword="null"/> when never.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Gets when a message was last sent or completed, or <see langword="null"/> when never.</summary>
    public DateTimeOffset? LastActivity { get; init; }

    /// <summary>Gets the messages accepted since the transmitter was created.</summary>
    public long Accepted { get; init; }

    /// <summary>Gets the messages that failed finally and were completed as failed (<see cref="TransmitterFailurePolicy.Skip"/>).</summary>
    public long Failed { get; init; }

    /// <summary>Gets the failed attempts, logged or not (error-log throttling never hides them here).</summary>
    public long FailedAttempts { get; init; }

    /// <summary>Gets the failed attempts since the last accepted message.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>Gets the last failure, without message content (status, ACK code, control ID, exception type), or <see langword="null"/>.</summary>
    public string? LastError { get; init; }

    /// <summary>Gets when the last failure happened, or <see langword="null"/>.</summary>
    public DateTimeOffset? LastErrorAt { get; init; }

    /// <summary>Gets the source's ID of the message being sent, or blocking the queue; <see langword="null"/> when none.</summary>
    public string? CurrentMessageId { get; init; }

    /// <summary>Gets the number of waiting messages when the source can tell, otherwise -1.</summary>
    public int Pending { get; init; } = -1;
}
