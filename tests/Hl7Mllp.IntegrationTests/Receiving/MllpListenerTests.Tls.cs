using System.Diagnostics;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Hl7Mllp.Receiving;
using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Security;

namespace Hl7Mllp.IntegrationTests.Receiving;

public sealed partial class MllpListenerTests : IClassFixture<TestPkiFixture>
{
    private readonly TestCertificates _pki;

    public MllpListenerTests(TestPkiFixture fixture)
    {
        _pki = fixture.Pki;
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task D1_Tls12AndTls13_Succeed(SslProtocols protocol)
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.Tls = new MllpServerTlsOptions { Certificate = _pki.Server });
        await using var client = await MllpTestClient.ConnectTlsAsync(harness.EndPoint, protocol);

        ((System.Net.Security.SslStream)client.Stream).SslProtocol.Should().Be(protocol);
        (await client.SendAndReadAckAsync("TLS")).Should().Be("TLS");
        harness.Listener.GetStatus().Connections.Should().ContainSingle().Which.IsSecure.Should().BeTrue();
    }

    [SkippableOpenSslFact]
    public async Task D1_OpenSslTls11WithLoweredClientSecurityLevel_IsRefused()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.Tls = new MllpServerTlsOptions { Certificate = _pki.Server });

        // The control: the same probe with TLS 1.2 gets through, so a failure below is the listener's refusal.
        var control = await OpenSsl.ProbeAsync(harness.EndPoint, "-tls1_2", "-cipher", "DEFAULT:@SECLEVEL=0");
        control.HandshakeSucceeded.Should().BeTrue(control.Output);

        var tls11 = await OpenSsl.ProbeAsync(harness.EndPoint, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        var tls10 = await OpenSsl.ProbeAsync(harness.EndPoint, "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0");

        tls11.HandshakeSucceeded.Should().BeFalse(tls11.Output);
        tls10.HandshakeSucceeded.Should().BeFalse(tls10.Output);
        harness.Handler.Calls.Should().Be(0);
    }

    [SkippableOpenSslFact]
    public async Task D2_OpenSslNonAeadCipher_IsRefused()
    {
        await using var restricted = await ListenerHarness.StartAsync(o => o.Tls = new MllpServerTlsOptions { Certificate = _pki.Server });
        await using var unrestricted = await ListenerHarness.StartAsync(o => o.Tls = new MllpServerTlsOptions { Certificate = _pki.Server, RestrictCipherSuites = false });

        // The test server key is ECDSA, so an ECDSA CBC suite is the meaningful probe (.NET on Linux already drops SHA-1
        // suites by itself); the control shows the platform would negotiate it without the listener's policy.
        var control = await OpenSsl.ProbeAsync(unrestricted.EndPoint, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256:@SECLEVEL=0");
        var cbc = await OpenSsl.ProbeAsync(restricted.EndPoint, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256:@SECLEVEL=0");
        var rsaKeyExchange = await OpenSsl.ProbeAsync(restricted.EndPoint, "-tls1_2", "-cipher", "AES128-SHA:@SECLEVEL=0");
        var aead = await OpenSsl.ProbeAsync(restricted.EndPoint, "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256");

        control.HandshakeSucceeded.Should().BeTrue(control.Output);
        cbc.HandshakeSucceeded.Should().BeFalse(cbc.Output);
        rsaKeyExchange.HandshakeSucceeded.Should().BeFalse(rsaKeyExchange.Output);
        aead.HandshakeSucceeded.Should().BeTrue(aead.Output);
    }

    [Fact]
    public async Task D4_RequiredClientCertificateMissing_FailsTheHandshakeAndNeverCallsTheHandler()
    {
        await using var harness = await StartMutualTlsAsync();

        (await TrySendOverTlsAsync(harness, clientCertificate: null)).Should().BeNull();

        await harness.WaitForCloseAsync(MllpConnectionCloseReason.TlsHandshakeFailed);
        harness.Handler.Calls.Should().Be(0);
    }

    [Fact]
    public async Task D4_UntrustedClientCertificate_FailsTheHandshakeAndNeverCallsTheHandler()
    {
        await using var harness = await StartMutualTlsAsync();

        (await TrySendOverTlsAsync(harness, _pki.UntrustedClient)).Should().BeNull();

        await harness.WaitForCloseAsync(MllpConnectionCloseReason.TlsHandshakeFailed);
        harness.Handler.Calls.Should().Be(0);
    }

    [Fact]
    public async Task D4_TrustedClientCertificate_IsAccepted()
    {
        await using var harness = await StartMutualTlsAsync();

        (await TrySendOverTlsAsync(harness, _pki.Client)).Should().Be("MTLS");
    }

    [Fact]
    public async Task D4_ClientCertificateThroughIntermediateCa_IsAccepted()
    {
        // Review finding 5: the chain check rebuilt the chain without the intermediates the client sent, so a client
        // certificate issued by an intermediate CA was refused.
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using ECDsa rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 root = CaRequest("CN=Finding5 Root", rootKey).CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        using ECDsa intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 intermediatePublic = CaRequest("CN=Finding5 Intermediate", intermediateKey).Create(root, now.AddDays(-1), now.AddDays(20), [1]);
        using X509Certificate2 intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);
        using ECDsa clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientRequest = new CertificateRequest("CN=Finding5 Client", clientKey, HashAlgorithmName.SHA256);
        clientRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using X509Certificate2 clientPublic = clientRequest.Create(intermediate, now.AddDays(-1), now.AddDays(10), [2]);
        using X509Certificate2 clientWithKey = clientPublic.CopyWithPrivateKey(clientKey);
        using X509Certificate2 client = X509CertificateLoader.LoadPkcs12(clientWithKey.Export(X509ContentType.Pkcs12), null);
        using X509Certificate2 rootOnly = X509CertificateLoader.LoadCertificate(root.RawData);
        await using var harness = await ListenerHarness.StartAsync(o => o.Tls = new MllpServerTlsOptions
        {
            Certificate = _pki.Server,
            ClientCertificateRequired = true,
            ClientCertificateTrustRoots = [rootOnly],
        });

        await using var connection = await MllpTestClient.ConnectTlsAsync(harness.EndPoint, SslProtocols.Tls12 | SslProtocols.Tls13, client, [X509CertificateLoader.LoadCertificate(intermediate.RawData)]);

        (await connection.SendAndReadAckAsync("MTLS", TimeSpan.FromSeconds(5))).Should().Be("MTLS");

        static CertificateRequest CaRequest(string subject, ECDsa key)
        {
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            return request;
        }
    }

    [Fact]
    public async Task D4_ThumbprintAllowList_AcceptsOnlyThePinnedCertificate()
    {
        // Pinning a self-signed peer: no chain check, only the thumbprint decides.
        await using var harness = await StartMutualTlsAsync(tls =>
        {
            tls.ValidateClientCertificateChain = false;
            tls.AllowedClientCertificateThumbprints = [_pki.UntrustedClient.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant()];
        });

        (await TrySendOverTlsAsync(harness, _pki.Client)).Should().BeNull("the client chains to the root but is not pinned");
        (await TrySendOverTlsAsync(harness, _pki.UntrustedClient)).Should().Be("MTLS");
        harness.Handler.Calls.Should().Be(1);
    }

    [Fact]
    public async Task D4_ThumbprintAllowListWithChainCheck_NeedsBoth()
    {
        await using var harness = await StartMutualTlsAsync(tls => tls.AllowedClientCertificateThumbprints = [_pki.UntrustedClient.Thumbprint, _pki.Client.Thumbprint]);

        (await TrySendOverTlsAsync(harness, _pki.UntrustedClient)).Should().BeNull("pinned but not chained to the trusted root");
        (await TrySendOverTlsAsync(harness, _pki.Client)).Should().Be("MTLS");
    }

    [Fact]
    public async Task D4_CustomValidationCallback_CanOnlyNarrow()
    {
        bool allow = false;
        await using var harness = await StartMutualTlsAsync(tls => tls.ClientCertificateValidation = (_, _, _) => Volatile.Read(ref allow));

        (await TrySendOverTlsAsync(harness, _pki.Client)).Should().BeNull("the callback refuses");
        Volatile.Write(ref allow, true);
        (await TrySendOverTlsAsync(harness, _pki.UntrustedClient)).Should().BeNull("the callback cannot widen the chain check");
        (await TrySendOverTlsAsync(harness, _pki.Client)).Should().Be("MTLS");
    }

    [Fact]
    public async Task D5_SilenceDuringTheHandshake_IsClosedAtTheDeadlineAndFreesTheSlot()
    {
        await using var harness = await ListenerHarness.StartAsync(o =>
        {
            o.MaxConnections = 1;
            o.TlsHandshakeTimeout = TimeSpan.FromMilliseconds(500);
            o.Tls = new MllpServerTlsOptions { Certificate = _pki.Server };
        });
        await using var silent = await harness.ConnectAsync();
        var watch = Stopwatch.StartNew();

        (await silent.WaitForCloseAsync(TimeSpan.FromSeconds(5))).Should().BeTrue();

        watch.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(400)).And.BeLessThan(TimeSpan.FromSeconds(3));
        await harness.WaitForCloseAsync(MllpConnectionCloseReason.TlsHandshakeTimeout);
        await Eventually.AssertAsync(() => harness.Listener.GetStatus().Connections.Count == 0, TimeSpan.FromSeconds(5), "slot freed");
        await using var client = await MllpTestClient.ConnectTlsAsync(harness.EndPoint);
        (await client.SendAndReadAckAsync("AFTER")).Should().Be("AFTER");
    }

    [Fact]
    public async Task Tls_CertificateAndTrustRootsFromFiles_AreLoadedAtStart()
    {
        using var directory = new TempDirectory("listener");
        TestCertificates.WritePfx(_pki.Server, directory.Combine("server.pfx"), "secret");
        TestCertificates.WritePem(_pki.Server, directory.Combine("server.crt"), directory.Combine("server.key"));
        File.WriteAllText(directory.Combine("roots.pem"), _pki.Root.ExportCertificatePem());

        foreach (var tls in new[]
        {
            new MllpServerTlsOptions { CertificatePath = directory.Combine("server.pfx"), CertificatePassword = "secret" },
            new MllpServerTlsOptions { CertificatePath = directory.Combine("server.crt"), PrivateKeyPath = directory.Combine("server.key") },
        })
        {
            tls.ClientCertificateRequired = true;
            tls.ClientCertificateTrustRootsPath = directory.Combine("roots.pem");
            await using var harness = await ListenerHarness.StartAsync(o => o.Tls = tls);
            (await TrySendOverTlsAsync(harness, _pki.Client)).Should().Be("MTLS");
            (await TrySendOverTlsAsync(harness, _pki.UntrustedClient)).Should().BeNull();
        }
    }

    [Fact]
    public async Task Tls_MissingCertificateFile_FailsStartWithoutBinding()
    {
        var options = new MllpListenerOptions
        {
            Endpoints = [new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0)],
            Tls = new MllpServerTlsOptions { CertificatePath = "/nonexistent/server.pfx" },
        };
        await using var listener = new MllpListener(options, new EchoAckHandler());

        var start = () => listener.StartAsync();

        await start.Should().ThrowAsync<MllpException>();
        listener.LocalEndPoints.Should().BeEmpty();
    }

    private Task<ListenerHarness> StartMutualTlsAsync(Action<MllpServerTlsOptions>? configure = null) =>
        ListenerHarness.StartAsync(o =>
        {
            o.Tls = new MllpServerTlsOptions
            {
                Certificate = _pki.Server,
                ClientCertificateRequired = true,
                ClientCertificateTrustRoots = [_pki.Root],
            };
            configure?.Invoke(o.Tls);
        });

    private static async Task<string?> TrySendOverTlsAsync(ListenerHarness harness, System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate)
    {
        try
        {
            // TLS 1.3 reports a refused client certificate only on the first read after the handshake.
            await using var client = await MllpTestClient.ConnectTlsAsync(harness.EndPoint, clientCertificate: clientCertificate);
            return await client.SendAndReadAckAsync("MTLS", TimeSpan.FromSeconds(5));
        }
        catch (Exception exception) when (exception is AuthenticationException or IOException)
        {
            return null;
        }
    }
}
