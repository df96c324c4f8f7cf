using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Hl7Mllp.IntegrationTests.Sending;

/// <summary>
/// A scripted MLLP receiver on 127.0.0.1 (port 0) for client tests: reads frames one by one and lets a script answer
/// each (ACK, NAK, wrong ACK, garbage, delay, close). Counts connections and records every control ID it received.
/// Optionally speaks TLS with a given server certificate, and can require a client certificate.
/// </summary>
/// <remarks>Stand-in until the shared test kit's RawTcpServer lands; every loop ends when the peer is disposed.</remarks>
internal sealed class FakeMllpPeer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<PeerFrame, Stream, Task> _script;
    private readonly X509Certificate2? _serverCertificate;
    private readonly bool _requireClientCertificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly ConcurrentQueue<string> _received = new();
    private readonly Task _acceptLoop;
    private int _accepted;
    private int _open;

    private FakeMllpPeer(Func<PeerFrame, Stream, Task> script, X509Certificate2? serverCertificate, bool requireClientCertificate)
    {
        _script = script;
        _serverCertificate = serverCertificate;
        _requireClientCertificate = requireClientCertificate;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptAsync();
    }

    public int Port { get; }

    public int AcceptedConnections => Volatile.Read(ref _accepted);

    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>Control IDs (MSH-10) of every frame received, in order.</summary>
    public IReadOnlyList<string> ReceivedControlIds => [.. _received];

    /// <summary>The thumbprint of the client certificate of the last TLS connection, if any.</summary>
    public string? LastClientCertificateThumbprint { get; private set; }

    public static FakeMllpPeer Start(Func<PeerFrame, Stream, Task> script, X509Certificate2? serverCertificate = null, bool requireClientCertificate = false) =>
        new(script, serverCertificate, requireClientCertificate);

    /// <summary>A peer that answers every message with an AA ACK.</summary>
    public static FakeMllpPeer StartAcking(X509Certificate2? serverCertificate = null, bool requireClientCertificate = false) =>
        Start(static (frame, stream) => frame.ReplyAsync(stream, "AA"), serverCertificate, requireClientCertificate);

    public static string Message(string controlId, string characterSet = "") =>
        $"MSH|^~\\&|SENDER|FAC|RECEIVER|FAC|20260101120000||ADT^A01^ADT_A01|{controlId}|P|2.5.1||||||{characterSet}\rEVN|A01|20260101120000\rPID|1||123^^^H^MR||DOE^JOHN\r";

    public static byte[] MessageBytes(string controlId) => Encoding.ASCII.GetBytes(Message(controlId));

    public static byte[] Ack(string code, string controlId) =>
        Frame($"MSH|^~\\&|RECEIVER|FAC|SENDER|FAC|20260101120000||ACK^A01^ACK|A{controlId}|P|2.5.1\rMSA|{code}|{controlId}|text\r");

    public static byte[] Frame(string payload) => [0x0B, .. Encoding.ASCII.GetBytes(payload), 0x1C, 0x0D];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _acceptLoop;
        }
        catch (Exception)
        {
        }

        await Task.WhenAll(_connections.Select(async task =>
        {
            try
            {
                await task;
            }
            catch (Exception)
            {
            }
        }));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            int index = Interlocked.Increment(ref _accepted) - 1;
            Interlocked.Increment(ref _open);
            _connections.Add(Task.Run(() => ServeAsync(socket, index)));
        }
    }

    private async Task ServeAsync(Socket socket, int connectionIndex)
    {
        socket.NoDelay = true;
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (_serverCertificate is not null)
            {
                var ssl = new SslStream(stream, false, (_, certificate, _, _) => !_requireClientCertificate || certificate is not null);
                stream = ssl;
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _serverCertificate,
                    ClientCertificateRequired = _requireClientCertificate,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                }, _stop.Token);
                LastClientCertificateThumbprint = ssl.RemoteCertificate is { } remote ? new X509Certificate2(remote).Thumbprint : null;
            }

            var buffer = new List<byte>();
            var chunk = new byte[4096];
            int messageIndex = 0;
            while (true)
            {
                int read = await stream.ReadAsync(chunk, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                buffer.AddRange(chunk.AsSpan(0, read));
                while (TryTakeFrame(buffer, out byte[] payload))
                {
                    var frame = new PeerFrame(payload, connectionIndex, messageIndex++, socket);
                    _received.Enqueue(frame.ControlId);
                    await _script(frame, stream);
                    if (frame.CloseAfter)
                    {
                        return;
                    }
                }
            }
        }
        catch (Exception)
        {
            // The client closed or reset the connection, or the peer is stopping.
        }
        finally
        {
            await stream.DisposeAsync();
            Interlocked.Decrement(ref _open);
        }
    }

    private static bool TryTakeFrame(List<byte> buffer, out byte[] payload)
    {
        payload = [];
        int start = buffer.IndexOf(0x0B);
        int end = start < 0 ? -1 : buffer.IndexOf(0x1C, start);
        if (end < 0 || end + 1 >= buffer.Count)
        {
            return false;
        }

        payload = [.. buffer.GetRange(start + 1, end - start - 1)];
        buffer.RemoveRange(0, end + 2);
        return true;
    }
}

/// <summary>One frame the fake peer received, and helpers to answer it.</summary>
internal sealed class PeerFrame(byte[] payload, int connectionIndex, int messageIndex, Socket socket)
{
    public byte[] Payload { get; } = payload;

    /// <summary>0 for the first connection the peer accepted.</summary>
    public int ConnectionIndex { get; } = connectionIndex;

    /// <summary>0 for the first frame on this connection.</summary>
    public int MessageIndex { get; } = messageIndex;

    public Socket Socket { get; } = socket;

    public string ControlId { get; } = ReadControlId(payload);

    /// <summary>Set by a script to close the connection after its answer.</summary>
    public bool CloseAfter { get; set; }

    public async Task ReplyAsync(Stream stream, string code) => await WriteAsync(stream, FakeMllpPeer.Ack(code, ControlId));

    public static async Task WriteAsync(Stream stream, byte[] bytes)
    {
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }

    private static string ReadControlId(byte[] payload)
    {
        string text = Encoding.Latin1.GetString(payload);
        int end = text.IndexOf('\r', StringComparison.Ordinal);
        string[] fields = (end < 0 ? text : text[..end]).Split('|');
        return fields.Length > 9 ? fields[9] : string.Empty;
    }
}
