using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hl7Mllp.Testing.Security;

/// <summary>
/// A throwaway PKI made in memory with <see cref="CertificateRequest"/> (ECDSA P-256): a root CA and server/client
/// certificates, good and bad, each an <see cref="X509Certificate2"/> with its private key, usable by <c>SslStream</c> on Linux.
/// </summary>
/// <remarks>Nothing is installed in any certificate store; trust the root through <see cref="CreateChainPolicy"/>.</remarks>
public sealed class TestCertificates : IDisposable
{
    /// <summary>The DNS name in <see cref="Server"/>'s SAN (with IP 127.0.0.1).</summary>
    public const string ServerHostName = "localhost";

    /// <summary>The only DNS name in <see cref="WrongHostServer"/>'s SAN.</summary>
    public const string WrongHostName = "wrong-host.invalid";

    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private TestCertificates(DateTimeOffset now)
    {
        Root = CreateRoot(now);
        Server = CreateLeaf("CN=Hl7Mllp Test Server", ServerAuthOid, Root, now.AddDays(-1), now.AddDays(30), ServerHostName, IPAddress.Loopback);
        ExpiredServer = CreateLeaf("CN=Hl7Mllp Expired Server", ServerAuthOid, Root, now.AddDays(-30), now.AddDays(-1), ServerHostName, IPAddress.Loopback);
        WrongHostServer = CreateLeaf("CN=Hl7Mllp Wrong Host Server", ServerAuthOid, Root, now.AddDays(-1), now.AddDays(30), WrongHostName, null);
        SelfSignedServer = CreateLeaf("CN=Hl7Mllp Self-Signed Server", ServerAuthOid, null, now.AddDays(-1), now.AddDays(30), ServerHostName, IPAddress.Loopback);
        Client = CreateLeaf("CN=Hl7Mllp Test Client", ClientAuthOid, Root, now.AddDays(-1), now.AddDays(30), null, null);
        UntrustedClient = CreateLeaf("CN=Hl7Mllp Untrusted Client", ClientAuthOid, null, now.AddDays(-1), now.AddDays(30), null, null);
    }

    /// <summary>The root CA (valid from 60 days ago for a year).</summary>
    public X509Certificate2 Root { get; }

    /// <summary>Server certificate signed by <see cref="Root"/>, SAN DNS <c>localhost</c> and IP 127.0.0.1, valid now.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>Like <see cref="Server"/> but expired yesterday.</summary>
    public X509Certificate2 ExpiredServer { get; }

    /// <summary>Signed by <see cref="Root"/>, valid now, but only for <see cref="WrongHostName"/>.</summary>
    public X509Certificate2 WrongHostServer { get; }

    /// <summary>Self-signed server certificate for <c>localhost</c>/127.0.0.1, untrusted by any chain: for thumbprint pinning.</summary>
    public X509Certificate2 SelfSignedServer { get; }

    /// <summary>Client certificate (EKU clientAuth) signed by <see cref="Root"/>.</summary>
    public X509Certificate2 Client { get; }

    /// <summary>Self-signed client certificate unrelated to <see cref="Root"/>.</summary>
    public X509Certificate2 UntrustedClient { get; }

    /// <summary>Generates a fresh set (a few milliseconds with ECDSA).</summary>
    public static TestCertificates Create() => new(DateTimeOffset.UtcNow);

    /// <summary>A chain policy that trusts only <see cref="Root"/> (<see cref="X509ChainTrustMode.CustomRootTrust"/>, no revocation check).</summary>
    public X509ChainPolicy CreateChainPolicy()
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.Add(Root);
        return policy;
    }

    /// <summary>Writes <paramref name="certificate"/> with its private key as a PKCS#12 file.</summary>
    /// <param name="certificate">A certificate with a private key.</param>
    /// <param name="path">Target file (overwritten).</param>
    /// <param name="password">PFX password; null for none.</param>
    public static void WritePfx(X509Certificate2 certificate, string path, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
    }

    /// <summary>Writes the certificate (<c>CERTIFICATE</c>) and its private key (unencrypted PKCS#8 <c>PRIVATE KEY</c>) as PEM files.</summary>
    /// <exception cref="InvalidOperationException">The certificate has no private key.</exception>
    public static void WritePem(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
            ?? throw new InvalidOperationException("The certificate has no ECDSA or RSA private key.");
        using (key)
        {
            File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
            File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        }
    }

    /// <summary>Disposes every certificate.</summary>
    public void Dispose()
    {
        foreach (var certificate in new[] { Root, Server, ExpiredServer, WrongHostServer, SelfSignedServer, Client, UntrustedClient })
        {
            certificate.Dispose();
        }
    }

    private static X509Certificate2 CreateRoot(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Hl7Mllp Test Root CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var root = request.CreateSelfSigned(now.AddDays(-60), now.AddDays(365));
        return WithUsableKey(root);
    }

    private static X509Certificate2 CreateLeaf(string subject, string usageOid, X509Certificate2? issuer, DateTimeOffset notBefore, DateTimeOffset notAfter, string? dnsName, IPAddress? ipAddress)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usageOid)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (dnsName is not null || ipAddress is not null)
        {
            var names = new SubjectAlternativeNameBuilder();
            if (dnsName is not null)
            {
                names.AddDnsName(dnsName);
            }

            if (ipAddress is not null)
            {
                names.AddIpAddress(ipAddress);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        if (issuer is null)
        {
            using var selfSigned = request.CreateSelfSigned(notBefore, notAfter);
            return WithUsableKey(selfSigned);
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var issuerKey = issuer.GetECDsaPrivateKey()!;
        var generator = X509SignatureGenerator.CreateForECDsa(issuerKey);
        using var signed = request.Create(issuer.SubjectName, generator, notBefore, notAfter, RandomSerial());
        using var withKey = signed.CopyWithPrivateKey(key);
        return WithUsableKey(withKey);
    }

    // A PKCS#12 round trip gives the certificate a persisted key handle that SslStream accepts on every platform.
    private static X509Certificate2 WithUsableKey(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);

    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive INTEGER
        return serial;
    }
}
