using System.Net;

namespace Hl7Mllp.Receiving;

/// <summary>A snapshot of one open connection of an <see cref="MllpListener"/>; part of <see cref="MllpListenerStatus"/>.</summary>
public sealed class MllpConnectionStatus
{
    /// <summary>Creates a snapshot.</summary>
    /// <param name="connectionId">The connection's ID.</param>
    /// <param name="remoteEndPoint">The peer's endpoint.</param>
    /// <param name="localEndPoint">The local endpoint.</param>
    /// <param name="connectedAt">When the connection was accepted.</param>
    /// <param name="lastActivityAt">When the last byte arrived (or the connection was accepted, if none has).</param>
    /// <param name="messagesHandled">Messages handled on the connection.</param>
    /// <param name="bytesReceived">Bytes received on the connection (after TLS decryption).</param>
    /// <param name="isSecure">Whether the connection uses TLS.</param>
    public MllpConnectionStatus(long connectionId, EndPoint? remoteEndPoint, EndPoint? localEndPoint, DateTimeOffset connectedAt, DateTimeOffset lastActivityAt, long messagesHandled, long bytesReceived, bool isSecure)
    {
        ConnectionId = connectionId;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
        ConnectedAt = connectedAt;
        LastActivityAt = lastActivityAt;
        MessagesHandled = messagesHandled;
        BytesReceived = bytesReceived;
        IsSecure = isSecure;
    }

    /// <summary>Gets the connection's ID, unique within the process.</summary>
    public long ConnectionId { get; }

    /// <summary>Gets the peer's endpoint, or <see langword="null"/>.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>Gets the local endpoint that accepted the connection, or <see langword="null"/>.</summary>
    public EndPoint? LocalEndPoint { get; }

    /// <summary>Gets when the connection was accepted.</summary>
    public DateTimeOffset ConnectedAt { get; }

    /// <summary>Gets when the last byte arrived, or when the connection was accepted if none has.</summary>
    public DateTimeOffset LastActivityAt { get; }

    /// <summary>Gets how many messages were handled on the connection.</summary>
    public long MessagesHandled { get; }

    /// <summary>Gets how many bytes were received on the connection (after TLS decryption).</summary>
    public long BytesReceived { get; }

    /// <summary>Gets whether the connection uses TLS.</summary>
    public bool IsSecure { get; }
}
