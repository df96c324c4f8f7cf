using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Hl7Mllp.Testing.Security;

namespace Hl7Mllp.IntegrationTests.Testing;

/// <summary>Real TLS handshakes over loopback with the kit's certificates and a chain policy trusting only the test root.</summary>
public sealed class TestCertificatesTests : IDisposable
{
    private readonly TestCertificates _certificates = TestCertificates.Create();

    public void Dispose() => _certificates.Dispose();

    [Theory]
    [InlineData(SslProtocols.Tls12, "localhost")]
    [InlineData(SslProtocols.Tls13, "localhost")]
    [InlineData(SslProtocols.Tls13, "127.0.0.1")]
    public async Task Handshake_TrustedServerCertificate_Succeeds(SslProtocols protocol, string targetHost)
    {
        var (client, server) = await HandshakeAsync(_certificates.Server, targetHost, protocol);

        await using (client)
        await using (server)
        {
            client.SslProtocol.Should().Be(protocol);
            client.RemoteCertificate!.GetCertHashString().Should().Be(_certificates.Server.Thumbprint);
            await client.WriteAsync(new byte[] { 0x0B, 0x1C, 0x0D });
            var buffer = new byte[3];
            await server.ReadExactlyAsync(buffer);
            buffer.Should().Equal(0x0B, 0x1C, 0x0D);
        }
    }

    [Fact]
    public async Task Handshake_MutualTlsWithCaSignedClient_ServerSeesClientCertificate()
    {
        var (client, server) = await HandshakeAsync(_certificates.Server, "localhost", SslProtocols.Tls13, _certificates.Client);

        await using (client)
        await using (server)
        {
            server.RemoteCertificate!.GetCertHashString().Should().Be(_certificates.Client.Thumbprint);
        }
    }

    [Fact]
    public async Task Handshake_WrongHostCertificate_ClientRejects()
    {
        var handshake = () => HandshakeAsync(_certificates.WrongHostServer, "localhost", SslProtocols.Tls13);

        await handshake.Should().ThrowAsync<AuthenticationException>().WithMessage("*NameMismatch*");
    }

    [Fact]
    public async Task Handshake_ExpiredCertificate_ClientRejects()
    {
        var handshake = () => HandshakeAsync(_certificates.ExpiredServer, "localhost", SslProtocols.Tls12);

        await handshake.Should().ThrowAsync<AuthenticationException>().WithMessage("*NotTimeValid*");
    }

    [Fact]
    public async Task Handshake_SelfSignedCertificate_RejectedByChainButAcceptedByThumbprintPin()
    {
        var byChain = () => HandshakeAsync(_certificates.SelfSignedServer, "localhost", SslProtocols.Tls13);
        await byChain.Should().ThrowAsync<AuthenticationException>().WithMessage("*UntrustedRoot*");

        var pinned = _certificates.SelfSignedServer.Thumbprint;
        var (client, server) = await HandshakeAsync(
            _certificates.SelfSignedServer, "localhost", SslProtocols.Tls13, validate: (_, certificate, _, _) => certificate?.GetCertHashString() == pinned);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Handshake_UntrustedClientCertificate_ServerRejects()
    {
        var handshake = () => HandshakeAsync(_certificates.Server, "localhost", SslProtocols.Tls12, _certificates.UntrustedClient);

        await handshake.Should().ThrowAsync<AuthenticationException>().WithMessage("*UntrustedRoot*");
    }

    private async Task<(SslStream Client, SslStream Server)> HandshakeAsync(
        X509Certificate2 serverCertificate,
        string targetHost,
        SslProtocols protocol,
        X509Certificate2? clientCertificate = null,
        RemoteCertificateValidationCallback? validate = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var clientSocket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await clientSocket.ConnectAsync(listener.LocalEndPoint!, timeout.Token);
        var serverSocket = await listener.AcceptAsync(timeout.Token);

        var client = new SslStream(new NetworkStream(clientSocket, ownsSocket: true));
        var server = new SslStream(new NetworkStream(serverSocket, ownsSocket: true));
        var serverSide = server.AuthenticateAsServerAsync(
            new SslServerAuthenticationOptions
            {
                ServerCertificate = serverCertificate,
                EnabledSslProtocols = protocol,
                ClientCertificateRequired = clientCertificate is not null,
                CertificateChainPolicy = _certificates.CreateChainPolicy(),
            },
            timeout.Token);
        var clientSide = client.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                EnabledSslProtocols = protocol,
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                CertificateChainPolicy = validate is null ? _certificates.CreateChainPolicy() : null,
                RemoteCertificateValidationCallback = validate,
            },
            timeout.Token);
        try
        {
            // Whichever side rejects first makes the other fail too; report the rejecting side's exception.
            await Task.WhenAll(clientSide, serverSide).WaitAsync(timeout.Token);
            return (client, server);
        }
        catch
        {
            await client.DisposeAsync();
            await server.DisposeAsync();
            var failure = new[] { clientSide, serverSide }.Select(t => t.Exception?.InnerException).OfType<AuthenticationException>().FirstOrDefault();
            if (failure is not null)
            {
                throw failure;
            }

            throw;
        }
    }
}
