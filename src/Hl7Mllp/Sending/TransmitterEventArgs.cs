using Hl7Mllp.Acks;

namespace Hl7Mllp.Sending;

/// <summary>One transmitter event, raised off the send path. Carries no message content.</summary>
public sealed class TransmitterEventArgs : EventArgs
{
    /// <summary>Creates event data.</summary>
    /// <param name="kind">What happened.</param>
    /// <param name="time">When it happened.</param>
    /// <param name="messageId">The source's ID of the message concerned, or <see langword="null"/>.</param>
    /// <param name="controlId">The MSH-10 of the message concerned, or <see langword="null"/>.</param>
    /// <param name="attempt">The attempt number (1 for the first) within the current round, or 0.</param>
    /// <param name="status">The outcome of the attempt, or <see langword="null"/>.</param>
    /// <param name="ackCode">MSA-1 of the ACK, or empty.</param>
    public TransmitterEventArgs(TransmitterEventKind kind, DateTimeOffset time, string? messageId = null, string? controlId = null, int attempt = 0, MllpSendStatus? status = null, string ackCode = "")
    {
        Kind = kind;
        Time = time;
        MessageId = messageId;
        ControlId = controlId;
        Attempt = attempt;
        Status = status;
        AckCode = ackCode ?? string.Empty;
    }

    /// <summary>Gets what happened.</summary>
    public TransmitterEventKind Kind { get; }

    /// <summary>Gets when it happened.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>Gets the source's ID of the message concerned (<see cref="Storage.OutboundMessage.Id"/>), or <see langword="null"/>.</summary>
    public string? MessageId { get; }

    /// <summary>Gets the MSH-10 of the message concerned, or <see langword="null"/>.</summary>
    public string? ControlId { get; }

    /// <summary>Gets the attempt number within the current round (1 for the first), or 0.</summary>
    public int Attempt { get; }

    /// <summary>Gets the outcome of the attempt, or <see langword="null"/>.</summary>
    public MllpSendStatus? Status { get; }

    /// <summary>Gets MSA-1 of the ACK, or empty.</summary>
    public string AckCode { get; }
}
