using System.Security.Cryptography.X509Certificates;
using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Security;

namespace Hl7Mllp.Tests.Testing;

public sealed class TestCertificatesTests : IDisposable
{
    private readonly TestCertificates _certificates = TestCertificates.Create();

    public void Dispose() => _certificates.Dispose();

    [Fact]
    public void Create_EveryCertificate_HasPrivateKey()
    {
        var all = new[]
        {
            _certificates.Root, _certificates.Server, _certificates.ExpiredServer, _certificates.WrongHostServer,
            _certificates.SelfSignedServer, _certificates.Client, _certificates.UntrustedClient,
        };

        all.Should().OnlyContain(c => c.HasPrivateKey);
        all.Select(c => c.Thumbprint).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Create_Server_HasLocalhostAndLoopbackSanAndServerAuth()
    {
        var server = _certificates.Server;

        server.Issuer.Should().Be(_certificates.Root.Subject);
        server.MatchesHostname("localhost").Should().BeTrue();
        server.MatchesHostname("127.0.0.1").Should().BeTrue();
        server.MatchesHostname(TestCertificates.WrongHostName).Should().BeFalse();
        server.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages[0].Value.Should().Be("1.3.6.1.5.5.7.3.1");
    }

    [Fact]
    public void Create_WrongHostServer_DoesNotMatchLocalhost()
    {
        _certificates.WrongHostServer.MatchesHostname("localhost").Should().BeFalse();
        _certificates.WrongHostServer.MatchesHostname(TestCertificates.WrongHostName).Should().BeTrue();
    }

    [Fact]
    public void Create_ExpiredServer_EndedBeforeNow()
    {
        _certificates.ExpiredServer.NotAfter.ToUniversalTime().Should().BeBefore(DateTime.UtcNow);
    }

    [Fact]
    public void ChainPolicy_Server_BuildsToTestRoot()
    {
        using var chain = new X509Chain { ChainPolicy = _certificates.CreateChainPolicy() };

        chain.Build(_certificates.Server).Should().BeTrue();
        chain.ChainElements[^1].Certificate.Thumbprint.Should().Be(_certificates.Root.Thumbprint);
    }

    [Fact]
    public void ChainPolicy_Client_BuildsToTestRoot()
    {
        using var chain = new X509Chain { ChainPolicy = _certificates.CreateChainPolicy() };

        chain.Build(_certificates.Client).Should().BeTrue();
    }

    [Fact]
    public void ChainPolicy_ExpiredServer_FailsAsNotTimeValid()
    {
        using var chain = new X509Chain { ChainPolicy = _certificates.CreateChainPolicy() };

        chain.Build(_certificates.ExpiredServer).Should().BeFalse();
        chain.ChainStatus.Select(s => s.Status).Should().Contain(X509ChainStatusFlags.NotTimeValid);
    }

    [Fact]
    public void ChainPolicy_SelfSignedAndUntrustedClient_FailAsUntrusted()
    {
        foreach (var certificate in new[] { _certificates.SelfSignedServer, _certificates.UntrustedClient })
        {
            using var chain = new X509Chain { ChainPolicy = _certificates.CreateChainPolicy() };

            chain.Build(certificate).Should().BeFalse(certificate.Subject);
            chain.ChainStatus.Select(s => s.Status).Should().Contain(X509ChainStatusFlags.UntrustedRoot);
        }
    }

    [Fact]
    public void WritePfx_WithPassword_LoadsBackWithKey()
    {
        using var folder = new TempDirectory("certs");
        var path = folder.Combine("server.pfx");

        TestCertificates.WritePfx(_certificates.Server, path, "secret");
        using var loaded = X509CertificateLoader.LoadPkcs12FromFile(path, "secret");

        loaded.Thumbprint.Should().Be(_certificates.Server.Thumbprint);
        loaded.HasPrivateKey.Should().BeTrue();
    }

    [Fact]
    public void WritePem_CertificateAndKey_LoadBackAsPair()
    {
        using var folder = new TempDirectory("certs");
        var certificatePath = folder.Combine("client.crt");
        var keyPath = folder.Combine("client.key");

        TestCertificates.WritePem(_certificates.Client, certificatePath, keyPath);
        using var loaded = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);

        File.ReadAllText(certificatePath).Should().StartWith("-----BEGIN CERTIFICATE-----");
        File.ReadAllText(keyPath).Should().StartWith("-----BEGIN PRIVATE KEY-----");
        loaded.Thumbprint.Should().Be(_certificates.Client.Thumbprint);
        loaded.HasPrivateKey.Should().BeTrue();
    }

    [Fact]
    public void WritePem_CertificateWithoutKey_Throws()
    {
        using var folder = new TempDirectory("certs");
        using var publicOnly = X509CertificateLoader.LoadCertificate(_certificates.Root.RawData);

        var write = () => TestCertificates.WritePem(publicOnly, folder.Combine("a.crt"), folder.Combine("a.key"));

        write.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Create_KeysAreEcdsaP256()
    {
        using var key = _certificates.Server.GetECDsaPrivateKey();

        key.Should().NotBeNull();
        key!.KeySize.Should().Be(256);
    }
}
