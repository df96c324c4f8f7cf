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
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(10);
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<FaultProxyConnection, Task> _connections = new();
    private readonly Task _acceptLoop;
    private int _accepted;

    private FaultProxy(IPEndPoint target)
    {
        Target = target;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Where clients connect (127.0.0.1 and the port the OS chose).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The server every connection is forwarded to.</summary>
    public IPEndPoint Target { get; }

    /// <summary>Client → server bytes (messages, for an MLLP listener behind the proxy).</summary>
    public FaultProxyDirection ClientToServer { get; } = new();

    /// <summary>Server → client bytes (ACKs).</summary>
    public FaultProxyDirection ServerToClient { get; } = new();

    /// <summary>Connections accepted so far.</summary>
    public int AcceptedConnections => Volatile.Read(ref _accepted);

    /// <summary>Connections not yet closed on both sides.</summary>
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
        await _stopping.CancelAsync();
        _listener.Dispose();
        ResetAll();
        await Task.WhenAll([_acceptLoop, .. _connections.Values]).WaitAsync(DisposeWait);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            // Registered before it starts, removed when it ends: OpenConnections is exact once DisposeAsync returns.
            var connection = new FaultProxyConnection(client, this);
            var run = new Task<Task>(() => RunConnectionAsync(connection));
            _connections[connection] = run.Unwrap();
            run.Start(TaskScheduler.Default);
        }
    }

    private async Task RunConnectionAsync(FaultProxyConnection connection)
    {
        try
        {
            await connection.RunAsync(_stopping.Token);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
        }
    }
}
