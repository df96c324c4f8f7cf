using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>
/// Certificates made in-test with <see cref="CertificateRequest"/>: a root CA, an RSA server certificate (so RSA-only
/// cipher suites are possible at all and the D2 probe means something), a client certificate signed by the root, and an
/// untrusted self-signed client certificate.
/// </summary>
internal sealed class TestPki : IDisposable
{
    private TestPki()
    {
        var now = DateTimeOffset.UtcNow;
        using var rootKey = RSA.Create(2048);
        var rootRequest = new CertificateRequest("CN=Listener Test Root", rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        Root = Usable(rootRequest.CreateSelfSigned(now.AddDays(-2), now.AddDays(60)));
        Server = Leaf("CN=localhost", "1.3.6.1.5.5.7.3.1", Root, server: true);
        Client = Leaf("CN=Listener Test Client", "1.3.6.1.5.5.7.3.2", Root, server: false);
        SecondClient = Leaf("CN=Listener Second Client", "1.3.6.1.5.5.7.3.2", Root, server: false);
        UntrustedClient = Leaf("CN=Listener Untrusted Client", "1.3.6.1.5.5.7.3.2", issuer: null, server: false);
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2 Client { get; }

    public X509Certificate2 SecondClient { get; }

    public X509Certificate2 UntrustedClient { get; }

    public static TestPki Create() => new();

    public void Dispose()
    {
        foreach (var certificate in new[] { Root, Server, Client, SecondClient, UntrustedClient })
        {
            certificate.Dispose();
        }
    }

    private static X509Certificate2 Leaf(string subject, string usage, X509Certificate2? issuer, bool server)
    {
        var now = DateTimeOffset.UtcNow;
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        if (issuer is null)
        {
            return Usable(request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30)));
        }

        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var signed = request.Create(issuer, now.AddDays(-1), now.AddDays(30), serial);
        return Usable(signed.CopyWithPrivateKey(key));
    }

    // Keys made in memory are ephemeral; a PKCS#12 round trip gives SslStream a key it can use on Linux.
    private static X509Certificate2 Usable(X509Certificate2 certificate)
    {
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }
}
