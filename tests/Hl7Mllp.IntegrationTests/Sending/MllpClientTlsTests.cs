using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Hl7Mllp.Acks;
using Hl7Mllp.Sending;
using Hl7Mllp.Testing.Security;
using Polly;

namespace Hl7Mllp.IntegrationTests.Sending;

/// <summary>TLS on the client (RELIABILITY D1, D3): validation by trust roots and host name, pinning, client certificates.</summary>
public sealed class MllpClientTlsTests : IDisposable
{
    private readonly TestCertificates _certificates = TestCertificates.Create();
    private readonly string _directory = Directory.CreateTempSubdirectory("hl7mllp-tls-").FullName;

    public void Dispose()
    {
        _certificates.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task D3_CaValidatedServerWithCorrectHost_IsAcceptedAndAttemptRecordsProtocolAndCipher()
    {
        await using var peer = FakeMllpPeer.StartAcking(_certificates.Server);
        await using var client = new MllpClient(TlsOptions(peer, tls => tls.TrustedRoots = [_certificates.Root]));

        var result = await client.SendAsync(FakeMllpPeer.MessageBytes("TLS1"));

        result.Status.Should().Be(MllpSendStatus.Accepted);
        var attempt = client.GetConnectionAttempts().Should().ContainSingle().Which;
        attempt.Outcome.Should().Be(MllpConnectionOutcome.Connected);
        attempt.TlsProtocol.Should().NotBeNull();
        attempt.CipherSuite.Should().NotBeNull();
        attempt.RemoteAddress.Should().Contain("127.0.0.1");
        attempt.Duration.Should().BePositive();
    }

    [Fact]
    public async Task D3_CaFromPemFile_IsTrusted()
    {
        string caPath = Path.Combine(_directory, "ca.pem");
        await File.WriteAllTextAsync(caPath, _certificates.Root.ExportCertificatePem());
        await using var peer = FakeMllpPeer.StartAcking(_certificates.Server);
        await using var client = new MllpClient(TlsOptions(peer, tls => tls.TrustedRootsPath = caPath));

        (await client.SendAsync(FakeMllpPeer.MessageBytes("TLS2"))).Status.Should().Be(MllpSendStatus.Accepted);
    }

    [Theory]
    [InlineData("wrong-host")]
    [InlineData("expired")]
    [InlineData("untrusted-root")]
    public async Task D3_InvalidServerCertificate_IsRefused(string problem)
    {
        var serverCertificate = problem switch
        {
            "wrong-host" => _certificates.WrongHostServer,
            "expired" => _certificates.ExpiredServer,
            _ => _certificates.Server,
        };
        await using var peer = FakeMllpPeer.StartAcking(serverCertificate);
        await using var client = new MllpClient(TlsOptions(peer, tls => tls.TrustedRoots = problem == "untrusted-root" ? null : [_certificates.Root]));

        var send = () => client.SendAsync(FakeMllpPeer.MessageBytes("BAD-CERT")).AsTask();

        var exception = (await send.Should().ThrowAsync<MllpConnectionException>()).Which;
        exception.Attempt!.Outcome.Should().Be(MllpConnectionOutcome.TlsFailed);
        peer.ReceivedControlIds.Should().BeEmpty("no HL7 byte may cross an untrusted connection");
    }

    [Fact]
    public async Task D3_PinnedThumbprintOfSelfSignedServer_IsAccepted()
    {
        await using var peer = FakeMllpPeer.StartAcking(_certificates.SelfSignedServer);
        string pin = string.Join(':', Convert.ToHexString(_certificates.SelfSignedServer.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2).Select(c => new string(c)));
        await using var client = new MllpClient(TlsOptions(peer, tls => tls.PinnedThumbprint = pin.ToLowerInvariant()));

        (await client.SendAsync(FakeMllpPeer.MessageBytes("PINNED"))).Status.Should().Be(MllpSendStatus.Accepted);
    }

    [Fact]
    public async Task D3_Sha1PinAsWindowsShowsIt_IsAccepted()
    {
        await using var peer = FakeMllpPeer.StartAcking(_certificates.SelfSignedServer);
        await using var client = new MllpClient(TlsOptions(peer, tls => tls.PinnedThumbprint = _certificates.SelfSignedServer.Thumbprint));

        (await client.SendAsync(FakeMllpPeer.MessageBytes("PIN-SHA1"))).Status.Should().Be(MllpSendStatus.Accepted);
    }

    [Fact]
    public async Task D3_WrongPin_IsRefusedEvenForACaTrustedServer()
    {
        await using var peer = FakeMllpPeer.StartAcking(_certificates.Server);
        await using var client = new MllpClient(TlsOptions(peer, tls =>
        {
            tls.TrustedRoots = [_certificates.Root];
            tls.PinnedThumbprint = _certificates.SelfSignedServer.Thumbprint;
        }));

        var send = () => client.SendAsync(FakeMllpPeer.MessageBytes("WRONG-PIN")).AsTask();

        (await send.Should().ThrowAsync<MllpConnectionException>()).Which.Attempt!.Outcome.Should().Be(MllpConnectionOutcome.TlsFailed);
    }

    [Theory]
    [InlineData("pem")]
    [InlineData("pfx")]
    public async Task D3_GeneratedClientCertificate_ExportedAndPresented_IsSeenByServerRequiringIt(string format)
    {
        using var generated = MllpClientCertificates.CreateSelfSigned("hl7mllp-sender", TimeSpan.FromDays(1));
        string certificatePath = Path.Combine(_directory, format == "pem" ? "client.pem" : "client.pfx");
        string keyPath = Path.Combine(_directory, "client.key");
        if (format == "pem")
        {
            await MllpClientCertificates.ExportPemAsync(generated, certificatePath, keyPath);
        }
        else
        {
            await File.WriteAllBytesAsync(certificatePath, MllpClientCertificates.ExportPfx(generated, "secret"));
        }

        await using var peer = FakeMllpPeer.StartAcking(_certificates.Server, requireClientCertificate: true);
        await using var client = new MllpClient(TlsOptions(peer, tls =>
        {
            tls.TrustedRoots = [_certificates.Root];
            tls.ClientCertificatePath = certificatePath;
            tls.ClientKeyPath = format == "pem" ? keyPath : null;
            tls.ClientCertificatePassword = format == "pfx" ? "secret" : null;
        }));

        (await client.SendAsync(FakeMllpPeer.MessageBytes("MTLS"))).Status.Should().Be(MllpSendStatus.Accepted);
        peer.LastClientCertificateThumbprint.Should().Be(generated.Thumbprint);
    }

    [Fact]
    public async Task D3_ServerRequiringClientCertificate_WithoutOne_FailsToSend()
    {
        await using var peer = FakeMllpPeer.StartAcking(_certificates.Server, requireClientCertificate: true);
        await using var client = new MllpClient(TlsOptions(peer, tls => tls.TrustedRoots = [_certificates.Root]));

        var send = () => client.SendAsync(FakeMllpPeer.MessageBytes("NO-CERT")).AsTask();

        await send.Should().ThrowAsync<MllpException>();
        peer.ReceivedControlIds.Should().BeEmpty();
    }

    private static MllpClientOptions TlsOptions(FakeMllpPeer peer, Action<MllpClientTlsOptions> configure)
    {
        var options = MllpClientTests.Options(peer, ResiliencePipeline.Empty);
        options.AckTimeout = TimeSpan.FromSeconds(5);
        options.Tls.Enabled = true;
        options.Tls.TargetHost = "localhost";
        configure(options.Tls);
        return options;
    }
}
