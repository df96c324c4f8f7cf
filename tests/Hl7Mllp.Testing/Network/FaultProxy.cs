using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Hl7Mllp.Testing.Network;

/// <summary>
/// A fault-injecting TCP proxy on 127.0.0.1:0 in front of <see cref="Target"/> (RELIABILITY section 3). Each accepted
/// connection gets its own upstream connection; <see cref="ClientToServer"/> and <see cref="ServerToClient"/> carry a
/// fault each, changeable at any time: a change applies from the next read of every live connection and to new ones.
/// </summary>
/// <remarks>
/// Thread-safe. End of stream is forwarded as FIN, a reset or error on one side resets the other. Dispose stops accepting,
/// resets every connection and waits (bounded) for all loops.
/// </remarks>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly ConcurrentDictionary<FaultProxyConnection, byte> _connections = new();
    private readonly RawTcpServer _server;

    private FaultProxy(IPEndPoint target)
    {
        Target = target;
        _server = RawTcpServer.Start(RunConnectionAsync);
    }

    /// <summary>Where clients connect (127.0.0.1 and the port the OS chose).</summary>
    public IPEndPoint EndPoint => _server.EndPoint;

    /// <summary>The server every connection is forwarded to.</summary>
    public IPEndPoint Target { get; }

    /// <summary>Client → server bytes (messages, for an MLLP listener behind the proxy).</summary>
    public FaultProxyDirection ClientToServer { get; } = new();

    /// <summary>Server → client bytes (ACKs).</summary>
    public FaultProxyDirection ServerToClient { get; } = new();

    /// <summary>Connections accepted so far.</summary>
    public int AcceptedConnections => _server.AcceptedConnections;

    /// <summary>Connections not yet closed on both sides (exact once <see cref="DisposeAsync"/> has returned).</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>Starts a proxy forwarding to <paramref name="target"/>.</summary>
    public static FaultProxy Start(IPEndPoint target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new FaultProxy(target);
    }

    /// <summary>Blackhole: keep accepting and reading, forward nothing either way (both directions <see cref="ProxyFault.Drop"/>).</summary>
    public void Blackhole()
    {
        ClientToServer.Fault = ProxyFault.Drop;
        ServerToClient.Fault = ProxyFault.Drop;
    }

    /// <summary>Resets (RST) every open connection now; new connections are still accepted.</summary>
    public void ResetAll()
    {
        foreach (var connection in _connections.Keys)
        {
            connection.Abort();
        }
    }

    /// <summary>Stops accepting, resets every connection and waits up to 10 s for every loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        ResetAll();
        await _server.DisposeAsync();
    }

    private async Task RunConnectionAsync(Socket client, CancellationToken cancellationToken)
    {
        var connection = new FaultProxyConnection(client, this);
        _connections[connection] = 0;
        try
        {
            await connection.RunAsync(cancellationToken);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
        }
    }
}
