using System.Net;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Storage;

/// <summary>
/// One message a receiver has read and parsed, with where and when it came from. It is what the receive
/// pipeline hands to an <see cref="IMessageStore"/> and to an <see cref="Duplicates.IDuplicateTracker"/>.
/// </summary>
/// <remarks>
/// <see cref="Message"/> is a view over the connection's receive buffer: its bytes are valid only until the call
/// that received this object returns. A store or tracker that keeps anything must copy it.
/// </remarks>
public sealed class ReceivedMessage
{
    /// <summary>Creates a received message.</summary>
    /// <param name="message">The parsed message (a view over the receive buffer).</param>
    /// <param name="receivedAt">When the last byte of its frame arrived.</param>
    /// <param name="remoteEndPoint">The peer's endpoint; <see langword="null"/> when not received over a socket.</param>
    /// <param name="connectionId">The receiving connection's ID, unique within the process; 0 when not received over a connection.</param>
    /// <param name="receiverName">The name of the receiver (the connection name of the seed service); may be empty.</param>
    public ReceivedMessage(Hl7Message message, DateTimeOffset receivedAt, EndPoint? remoteEndPoint = null, long connectionId = 0, string receiverName = "")
    {
        ArgumentNullException.ThrowIfNull(receiverName);
        Message = message;
        ReceivedAt = receivedAt;
        RemoteEndPoint = remoteEndPoint;
        ConnectionId = connectionId;
        ReceiverName = receiverName;
    }

    /// <summary>Gets the parsed message; its bytes are valid only during the call that received this object.</summary>
    public Hl7Message Message { get; }

    /// <summary>Gets the message bytes exactly as received (without MLLP framing or a UTF-8 BOM); valid only during the call.</summary>
    public ReadOnlyMemory<byte> Bytes => Message.Bytes;

    /// <summary>Gets when the last byte of the message's frame arrived.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Gets the peer's endpoint, or <see langword="null"/> when the message did not come over a socket.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>Gets the receiving connection's ID (unique within the process), or 0.</summary>
    public long ConnectionId { get; }

    /// <summary>Gets the receiver's name (may be empty).</summary>
    public string ReceiverName { get; }
}
