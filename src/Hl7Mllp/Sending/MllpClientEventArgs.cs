using Hl7Mllp.Acks;

namespace Hl7Mllp.Sending;

/// <summary>
/// An event of an <see cref="MllpClient"/> (seed 000, the event hooks). Carries endpoints, control IDs, codes and
/// error texts only, never message content.
/// </summary>
public sealed class MllpClientEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="kind">What happened.</param>
    /// <param name="timestamp">When it happened.</param>
    /// <param name="endPoint">The receiver, <c>host:port</c>.</param>
    /// <param name="controlId">The MSH-10 of the message concerned, or <see langword="null"/>.</param>
    /// <param name="status">The send status, for ACK, NAK and failure events; else <see langword="null"/>.</param>
    /// <param name="ackCode">MSA-1 of the reply, or <see langword="null"/>.</param>
    /// <param name="error">Why a send, heartbeat or connection failed or closed, or <see langword="null"/>.</param>
    public MllpClientEventArgs(MllpClientEventKind kind, DateTimeOffset timestamp, string endPoint, string? controlId, MllpSendStatus? status, string? ackCode, string? error)
    {
        Kind = kind;
        Timestamp = timestamp;
        EndPoint = endPoint;
        ControlId = controlId;
        Status = status;
        AckCode = ackCode;
        Error = error;
    }

    /// <summary>What happened.</summary>
    public MllpClientEventKind Kind { get; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The receiver, <c>host:port</c>.</summary>
    public string EndPoint { get; }

    /// <summary>The MSH-10 of the message concerned, or <see langword="null"/>.</summary>
    public string? ControlId { get; }

    /// <summary>The send status, for ACK, NAK and failure events; else <see langword="null"/>.</summary>
    public MllpSendStatus? Status { get; }

    /// <summary>MSA-1 of the reply, or <see langword="null"/>.</summary>
    public string? AckCode { get; }

    /// <summary>Why a send, heartbeat or connection failed or closed, or <see langword="null"/>.</summary>
    public string? Error { get; }
}
