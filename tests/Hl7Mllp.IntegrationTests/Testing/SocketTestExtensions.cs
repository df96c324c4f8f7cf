using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Hl7Mllp.IntegrationTests.Testing;

/// <summary>Small bounded socket helpers for the test kit's own tests.</summary>
internal static class SocketTestExtensions
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(Bound);
        await socket.ConnectAsync(endPoint, timeout.Token);
        return socket;
    }

    public static byte[] Frame(string payload) => [0x0B, .. Encoding.ASCII.GetBytes(payload), 0x1C, 0x0D];

    public static async Task SendAllAsync(this Socket socket, byte[] data)
    {
        using var timeout = new CancellationTokenSource(Bound);
        var sent = 0;
        while (sent < data.Length)
        {
            sent += await socket.SendAsync(data.AsMemory(sent), timeout.Token);
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, failing on EOF or after 10 s.</summary>
    public static async Task<byte[]> ReceiveExactlyAsync(this Socket socket, int count)
    {
        using var timeout = new CancellationTokenSource(Bound);
        var buffer = new byte[count];
        var received = 0;
        while (received < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(received), timeout.Token);
            if (read == 0)
            {
                throw new EndOfStreamException($"EOF after {received} of {count} bytes.");
            }

            received += read;
        }

        return buffer;
    }

    /// <summary>Reads until EOF (10 s bound); returns the bytes and the reset error if the stream ended with RST.</summary>
    public static async Task<(byte[] Data, SocketError? Error)> ReceiveToEndAsync(this Socket socket)
    {
        using var timeout = new CancellationTokenSource(Bound);
        var data = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, timeout.Token)) > 0)
            {
                data.AddRange(buffer.AsSpan(0, read));
            }

            return ([.. data], null);
        }
        catch (SocketException ex)
        {
            return ([.. data], ex.SocketErrorCode);
        }
    }

    /// <summary>True when nothing (not even EOF) arrives within <paramref name="quiet"/>.</summary>
    public static async Task<bool> StaysSilentAsync(this Socket socket, TimeSpan quiet)
    {
        using var timeout = new CancellationTokenSource(quiet);
        try
        {
            await socket.ReceiveAsync(new byte[1], timeout.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }
}
