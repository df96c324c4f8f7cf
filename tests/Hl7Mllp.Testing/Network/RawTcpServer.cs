using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Hl7Mllp.Testing.Network;

/// <summary>
/// A bare TCP server on 127.0.0.1:0 that runs a handler per accepted socket: an echo target for the fault proxy,
/// or a hostile/fake MLLP peer. The socket is disposed when the handler returns; everything stops on dispose.
/// </summary>
/// <remarks>Thread-safe. Handler exceptions are collected in <see cref="HandlerErrors"/> (cancellation on dispose is not an error).</remarks>
public sealed class RawTcpServer : IAsyncDisposable
{
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(10);
    private readonly Socket _listener;
    private readonly Func<Socket, CancellationToken, Task> _handler;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, bool> _connections = new();
    private readonly ConcurrentQueue<Exception> _errors = new();
    private readonly Task _acceptLoop;
    private int _accepted;

    private RawTcpServer(Func<Socket, CancellationToken, Task> handler)
    {
        _handler = handler;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The bound loopback endpoint.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>How many connections were accepted so far.</summary>
    public int AcceptedConnections => Volatile.Read(ref _accepted);

    /// <summary>Exceptions thrown by handlers (other than cancellation during dispose), in order.</summary>
    public IReadOnlyList<Exception> HandlerErrors => [.. _errors];

    /// <summary>Starts listening; <paramref name="handler"/> runs once per connection with a token cancelled on dispose.</summary>
    public static RawTcpServer Start(Func<Socket, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return new RawTcpServer(handler);
    }

    /// <summary>Starts a server that writes back every byte it reads until the peer closes, then closes (FIN).</summary>
    public static RawTcpServer StartEcho() => Start(EchoAsync);

    /// <summary>Stops accepting, cancels handlers, closes every socket and waits (bounded) for the handlers to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        try
        {
            await Task.WhenAll([_acceptLoop, .. _connections.Keys]).WaitAsync(DisposeWait);
        }
        catch (TimeoutException)
        {
            _errors.Enqueue(new TimeoutException("A connection handler ignored cancellation for 10 s."));
        }

        _stopping.Dispose();
    }

    private static async Task EchoAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, cancellationToken)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            socket.NoDelay = true;
            var connection = RunHandlerAsync(socket);
            _connections[connection] = true;
            _ = connection.ContinueWith(done => _connections.TryRemove(done, out _), TaskScheduler.Default);
        }
    }

    private async Task RunHandlerAsync(Socket socket)
    {
        await Task.Yield();
        using (socket)
        using (_stopping.Token.Register(socket.Dispose))
        {
            try
            {
                await _handler(socket, _stopping.Token);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                // Dispose closed the socket under the handler.
            }
            catch (Exception ex)
            {
                _errors.Enqueue(ex);
            }
        }
    }
}
