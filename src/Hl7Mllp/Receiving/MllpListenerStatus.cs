using System.Net;

namespace Hl7Mllp.Receiving;

/// <summary>A snapshot of an <see cref="MllpListener"/>: open connections and totals since start. Returned by <see cref="MllpListener.GetStatus"/>.</summary>
public sealed class MllpListenerStatus
{
    /// <summary>Creates a snapshot.</summary>
    /// <param name="name">The listener's name.</param>
    /// <param name="isListening">Whether the listener accepts connections.</param>
    /// <param name="localEndPoints">The bound endpoints (empty before start).</param>
    /// <param name="connections">The open connections.</param>
    /// <param name="connectionsAccepted">Connections accepted since start.</param>
    /// <param name="connectionsRejected">Connections refused since start (limit or allow-list).</param>
    /// <param name="messagesHandled">Messages handled since start, on all connections.</param>
    public MllpListenerStatus(string name, bool isListening, IReadOnlyList<IPEndPoint> localEndPoints, IReadOnlyList<MllpConnectionStatus> connections, long connectionsAccepted, long connectionsRejected, long messagesHandled)
    {
        Name = name;
        IsListening = isListening;
        LocalEndPoints = localEndPoints;
        Connections = connections;
        ConnectionsAccepted = connectionsAccepted;
        ConnectionsRejected = connectionsRejected;
        MessagesHandled = messagesHandled;
    }

    /// <summary>Gets the listener's name.</summary>
    public string Name { get; }

    /// <summary>Gets whether the listener accepts connections (started and not stopping).</summary>
    public bool IsListening { get; }

    /// <summary>Gets the bound endpoints; empty before start.</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints { get; }

    /// <summary>Gets the open connections, TLS handshakes in progress included, ordered by connection ID.</summary>
    public IReadOnlyList<MllpConnectionStatus> Connections { get; }

    /// <summary>Gets how many connections were accepted since start.</summary>
    public long ConnectionsAccepted { get; }

    /// <summary>Gets how many connections were refused since start (connection limit or allow-list).</summary>
    public long ConnectionsRejected { get; }

    /// <summary>Gets how many messages were handled since start, on all connections.</summary>
    public long MessagesHandled { get; }
}
