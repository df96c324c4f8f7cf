using System.Net;

namespace Hl7Mllp.Receiving;

/// <summary>
/// A connection was opened, closed or refused by an <see cref="MllpListener"/>; passed to
/// <see cref="MllpListener.ConnectionOpened"/> and <see cref="MllpListener.ConnectionClosed"/>.
/// </summary>
/// <remarks>Immutable; endpoints and counts only, never message content.</remarks>
public sealed class MllpConnectionEvent
{
    /// <summary>Creates an event.</summary>
    /// <param name="listenerName">The listener's name.</param>
    /// <param name="connectionId">The connection's ID, unique within the process.</param>
    /// <param name="remoteEndPoint">The peer's endpoint, if known.</param>
    /// <param name="localEndPoint">The local endpoint that accepted the connection, if known.</param>
    /// <param name="connectedAt">When the connection was accepted.</param>
    /// <param name="closeReason">Why it was closed or refused; <see langword="null"/> for an opened connection.</param>
    /// <param name="messagesHandled">How many messages the connection handled.</param>
    public MllpConnectionEvent(string listenerName, long connectionId, EndPoint? remoteEndPoint, EndPoint? localEndPoint, DateTimeOffset connectedAt, MllpConnectionCloseReason? closeReason, long messagesHandled)
    {
        ListenerName = listenerName;
        ConnectionId = connectionId;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
        ConnectedAt = connectedAt;
        CloseReason = closeReason;
        MessagesHandled = messagesHandled;
    }

    /// <summary>Gets the listener's name.</summary>
    public string ListenerName { get; }

    /// <summary>Gets the connection's ID, unique within the process.</summary>
    public long ConnectionId { get; }

    /// <summary>Gets the peer's endpoint, or <see langword="null"/>.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>Gets the local endpoint that accepted the connection, or <see langword="null"/>.</summary>
    public EndPoint? LocalEndPoint { get; }

    /// <summary>Gets when the connection was accepted.</summary>
    public DateTimeOffset ConnectedAt { get; }

    /// <summary>Gets why the connection was closed or refused; <see langword="null"/> when it was opened.</summary>
    public MllpConnectionCloseReason? CloseReason { get; }

    /// <summary>Gets how many messages the connection handled (0 when opened or refused).</summary>
    public long MessagesHandled { get; }
}
