using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Hl7Mllp.Framing;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>A raw MLLP peer for listener tests: writes any bytes, reads framed responses with a timeout.</summary>
internal sealed class MllpTestClient : IAsyncDisposable
{
    private readonly MllpFrameReader _frames;
    private readonly PipeReader _pipe;

    private MllpTestClient(Socket socket, Stream stream)
    {
        Socket = socket;
        Stream = stream;
        _pipe = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        _frames = new MllpFrameReader(_pipe);
    }

    public Socket Socket { get; }

    public Stream Stream { get; }

    public static async Task<MllpTestClient> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint, cancellationToken);
        return new MllpTestClient(socket, new NetworkStream(socket, ownsSocket: true));
    }

    public static Task<MllpTestClient> ConnectTlsAsync(IPEndPoint endpoint, SslProtocols protocols = SslProtocols.Tls12 | SslProtocols.Tls13, X509Certificate2? clientCertificate = null, CancellationToken cancellationToken = default) =>
        ConnectTlsAsync(endpoint, protocols, clientCertificate, null, cancellationToken);

    /// <summary>Connects over TLS presenting a client certificate and the intermediates to send with it.</summary>
    public static async Task<MllpTestClient> ConnectTlsAsync(IPEndPoint endpoint, SslProtocols protocols, X509Certificate2? clientCertificate, X509Certificate2Collection? intermediates, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint, cancellationToken);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        try
        {
            await ssl.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = "localhost",
                    EnabledSslProtocols = protocols,
                    ClientCertificates = clientCertificate is null || intermediates is not null ? null : [clientCertificate],
                    LocalCertificateSelectionCallback = clientCertificate is null || intermediates is not null ? null : (_, _, _, _, _) => clientCertificate,
                    ClientCertificateContext = clientCertificate is null || intermediates is null ? null : SslStreamCertificateContext.Create(clientCertificate, intermediates, offline: true),

                    // The tests check the listener, not the server certificate (that is the client's D3).
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                },
                cancellationToken);
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }

        return new MllpTestClient(socket, ssl);
    }

    public static byte[] Frame(string message) => [MllpFrame.StartBlock, .. Encoding.ASCII.GetBytes(message), MllpFrame.EndBlock, MllpFrame.CarriageReturn];

    public static string Message(string controlId) =>
        $"MSH|^~\\&|SND|FAC|RCV|FAC|20260101000000||ADT^A01^ADT_A01|{controlId}|P|2.5\rPID|1||{controlId}^^^HOSP^MR||DOE^JOHN\r";

    public Task SendAsync(string controlId) => WriteAsync(Frame(Message(controlId)));

    public async Task WriteAsync(byte[] bytes)
    {
        await Stream.WriteAsync(bytes);
        await Stream.FlushAsync();
    }

    /// <summary>Reads the next framed response as text; <see langword="null"/> when the listener closed or reset the connection.</summary>
    public async Task<string?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            var result = await _frames.ReadAsync(cts.Token);
            if (!result.HasFrame)
            {
                return null;
            }

            string text = Encoding.ASCII.GetString(result.Frame.Payload.ToArray());
            _frames.Advance();
            return text;
        }
        catch (Exception exception) when (exception is IOException or SocketException or MllpFramingException or AuthenticationException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>Sends a message and returns the control ID the ACK's MSA-2 names, or <see langword="null"/> when none came.</summary>
    public async Task<string?> SendAndReadAckAsync(string controlId, TimeSpan? timeout = null)
    {
        try
        {
            await SendAsync(controlId);
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
        {
            return null;
        }

        return AckedControlId(await ReadFrameAsync(timeout));
    }

    /// <summary>Reads <paramref name="count"/> responses and returns the control IDs their MSA-2 names, in arrival order.</summary>
    public async Task<List<string?>> ReadAckedControlIdsAsync(int count)
    {
        var ids = new List<string?>(count);
        for (int i = 0; i < count; i++)
        {
            ids.Add(AckedControlId(await ReadFrameAsync()));
        }

        return ids;
    }

    /// <summary>Writes all frames in one write (pipelining).</summary>
    public Task WriteFramesAsync(IEnumerable<string> controlIds) => WriteAsync([.. controlIds.SelectMany(id => Frame(Message(id)))]);

    public static string? AckedControlId(string? ack)
    {
        if (ack is null)
        {
            return null;
        }

        int msa = ack.IndexOf("\rMSA|", StringComparison.Ordinal);
        return msa < 0 ? null : ack[(msa + 5)..].Split('|', '\r')[1];
    }

    /// <summary>Waits until the listener closes the connection: true on EOF or reset within the timeout.</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                if (await Stream.ReadAsync(buffer, cts.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception exception) when (exception is IOException or SocketException or AuthenticationException)
        {
            return true;
        }
    }

    /// <summary>Closes with a TCP reset (RELIABILITY A10).</summary>
    public void Reset()
    {
        Socket.LingerState = new LingerOption(true, 0);
        Socket.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await _pipe.CompleteAsync();
        await Stream.DisposeAsync();
        Socket.Dispose();
    }
}
