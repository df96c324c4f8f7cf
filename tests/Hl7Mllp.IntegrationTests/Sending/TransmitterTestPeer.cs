using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Hl7Mllp.IntegrationTests.Sending;

/// <summary>
/// A small MLLP receiver on 127.0.0.1 for transmitter tests that can be killed (every connection reset) and started
/// again on the same port. It records the MSH-10 of every frame it reads, in order, and answers AA after an optional
/// delay. Every loop ends when the peer is killed or disposed.
/// </summary>
internal sealed class TransmitterTestPeer : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _received = new();
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private Socket? _listener;
    private CancellationTokenSource? _stop;
    private Task? _acceptLoop;

    private TransmitterTestPeer()
    {
    }

    public int Port { get; private set; }

    /// <summary>How long to wait before writing each ACK.</summary>
    public TimeSpan AckDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Called with each received control ID before the ACK; returning true kills the peer instead of answering (a crash after receiving).</summary>
    public Func<string, bool>? CrashAfterReceiving { get; set; }

    public IReadOnlyList<string> ReceivedControlIds => [.. _received];

    public static TransmitterTestPeer Start()
    {
        var peer = new TransmitterTestPeer();
        peer.Listen(0);
        return peer;
    }

    /// <summary>Resets every connection and stops listening, like a killed process.</summary>
    public async Task KillAsync()
    {
        _stop?.Cancel();
        _listener?.Dispose();
        foreach (Socket socket in _sockets.Keys)
        {
            Abort(socket);
        }

        if (_acceptLoop is not null)
        {
            await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(10));
        }

        _stop?.Dispose();
        _stop = null;
    }

    /// <summary>Listens again on the same port.</summary>
    public void Restart() => Listen(Port);

    public async ValueTask DisposeAsync() => await KillAsync();

    private static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Listen(int port)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        listener.Listen(16);
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _listener = listener;
        _stop = new CancellationTokenSource();
        CancellationToken token = _stop.Token;
        _acceptLoop = Task.Run(() => AcceptAsync(listener, token));
    }

    private async Task AcceptAsync(Socket listener, CancellationToken token)
    {
        var connections = new List<Task>();
        while (!token.IsCancellationRequested)
        {
            try
            {
                Socket socket = await listener.AcceptAsync(token);
                _sockets.TryAdd(socket, 0);
                connections.Add(Task.Run(() => ServeAsync(socket, token)));
            }
            catch (Exception)
            {
                break;
            }
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(Socket socket, CancellationToken token)
    {
        var buffer = new List<byte>();
        var chunk = new byte[64 * 1024];
        try
        {
            while (!token.IsCancellationRequested)
            {
                int read = await socket.ReceiveAsync(chunk, SocketFlags.None, token);
                if (read == 0)
                {
                    return;
                }

                buffer.AddRange(chunk.AsSpan(0, read));
                while (TryTakeFrame(buffer, out string controlId))
                {
                    _received.Enqueue(controlId);
                    if (CrashAfterReceiving?.Invoke(controlId) == true)
                    {
                        _ = Task.Run(KillAsync, CancellationToken.None);
                        return;
                    }

                    if (AckDelay > TimeSpan.Zero)
                    {
                        await Task.Delay(AckDelay, token);
                    }

                    byte[] ack = Encoding.ASCII.GetBytes($"\vMSH|^~\\&|R|F|S|F|20260101120000||ACK^A01^ACK|A{controlId}|P|2.5.1\rMSA|AA|{controlId}\r\u001c\r");
                    await socket.SendAsync(ack, SocketFlags.None, token);
                }
            }
        }
        catch (Exception)
        {
            // Killed, or the client closed the connection (after an ACK timeout it must).
        }
        finally
        {
            _sockets.TryRemove(socket, out _);
            Abort(socket);
        }
    }

    private static bool TryTakeFrame(List<byte> buffer, out string controlId)
    {
        controlId = string.Empty;
        int start = buffer.IndexOf(0x0B);
        int end = start < 0 ? -1 : buffer.IndexOf(0x1C, start);
        if (end < 0 || end + 1 >= buffer.Count)
        {
            return false;
        }

        string text = Encoding.ASCII.GetString([.. buffer.GetRange(start + 1, end - start - 1)]);
        buffer.RemoveRange(0, end + 2);
        int lineEnd = text.IndexOf('\r', StringComparison.Ordinal);
        string[] fields = (lineEnd < 0 ? text : text[..lineEnd]).Split('|');
        controlId = fields.Length > 9 ? fields[9] : string.Empty;
        return true;
    }
}
