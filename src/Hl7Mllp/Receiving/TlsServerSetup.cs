using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hl7Mllp.Receiving;

/// <summary>
/// The listener's TLS server settings made once at start from <see cref="MllpServerTlsOptions"/>: the certificate
/// context, the protocol and cipher suite policy, and the client certificate check (RELIABILITY D1, D2, D4).
/// </summary>
internal sealed class TlsServerSetup : IDisposable
{
    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    // AEAD with (EC)DHE only: the three TLS 1.3 suites and their TLS 1.2 ECDHE counterparts (IHE ATNA list).
    private static readonly TlsCipherSuite[] StrongCipherSuites =
    [
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    private readonly MllpServerTlsOptions _options;
    private readonly X509Certificate2 _certificate;
    private readonly bool _ownsCertificate;
    private readonly X509Certificate2Collection _trustRoots = [];
    private readonly HashSet<string> _thumbprints;

    public TlsServerSetup(MllpServerTlsOptions options)
    {
        _options = options;
        (_certificate, _ownsCertificate) = LoadCertificate(options);
        _trustRoots.AddRange(options.ClientCertificateTrustRoots.ToArray());
        if (!string.IsNullOrWhiteSpace(options.ClientCertificateTrustRootsPath))
        {
            _trustRoots.ImportFromPemFile(options.ClientCertificateTrustRootsPath);
        }

        _thumbprints = new HashSet<string>(options.AllowedClientCertificateThumbprints.Select(NormalizeThumbprint), StringComparer.OrdinalIgnoreCase);
        AuthenticationOptions = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(_certificate, additionalCertificates: null, offline: true),
            EnabledSslProtocols = options.EnabledProtocols,
            ClientCertificateRequired = options.ClientCertificateRequired,
            CertificateRevocationCheckMode = options.ClientCertificateRevocationMode,
            RemoteCertificateValidationCallback = ValidateClientCertificate,
            AllowRenegotiation = false,
            EncryptionPolicy = EncryptionPolicy.RequireEncryption,
        };
        if (options.RestrictCipherSuites && (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()))
        {
            AuthenticationOptions.CipherSuitesPolicy = new CipherSuitesPolicy(StrongCipherSuites);
        }
    }

    public SslServerAuthenticationOptions AuthenticationOptions { get; }

    public static string NormalizeThumbprint(string thumbprint) =>
        thumbprint.Replace(" ", string.Empty, StringComparison.Ordinal).Replace(":", string.Empty, StringComparison.Ordinal).Trim().ToUpperInvariant();

    public void Dispose()
    {
        if (_ownsCertificate)
        {
            _certificate.Dispose();
        }
    }

    private static (X509Certificate2 Certificate, bool Owned) LoadCertificate(MllpServerTlsOptions options)
    {
        if (options.Certificate is not null)
        {
            return (options.Certificate, false);
        }

        string path = options.CertificatePath!;
        if (!string.IsNullOrWhiteSpace(options.PrivateKeyPath))
        {
            using var pem = options.CertificatePassword is null
                ? X509Certificate2.CreateFromPemFile(path, options.PrivateKeyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, options.CertificatePassword, options.PrivateKeyPath);

            // An ephemeral key from PEM cannot be used by every TLS backend; a PKCS#12 round trip makes it persistable.
            return (X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null), true);
        }

        return (X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword), true);
    }

    private bool ValidateClientCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            // No certificate: acceptable only when none is required (SslStream then reports RemoteCertificateNotAvailable).
            return !_options.ClientCertificateRequired;
        }

        var client = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (_options.ValidateClientCertificateChain && !ChainIsValid(client, chain))
        {
            return false;
        }

        if (_thumbprints.Count > 0 && !_thumbprints.Contains(client.Thumbprint) && !_thumbprints.Contains(client.GetCertHashString(HashAlgorithmName.SHA256)))
        {
            return false;
        }

        return _options.ClientCertificateValidation?.Invoke(client, chain, errors) ?? true;
    }

    /// <summary>Builds the client's chain to the configured roots, with the intermediates the client sent.</summary>
    private bool ChainIsValid(X509Certificate2 client, X509Chain? sent)
    {
        using var chain = new X509Chain();
        if (sent is not null)
        {
            // Without the intermediates the client sent (SslStream's ExtraStore and chain elements), a chain through
            // an intermediate CA cannot be built.
            chain.ChainPolicy.ExtraStore.AddRange(sent.ChainPolicy.ExtraStore);
            foreach (X509ChainElement element in sent.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        chain.ChainPolicy.RevocationMode = _options.ClientCertificateRevocationMode;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthenticationOid));
        if (_trustRoots.Count > 0)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_trustRoots);
        }

        try
        {
            return chain.Build(client);
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                if (!ReferenceEquals(element.Certificate, client))
                {
                    element.Certificate.Dispose();
                }
            }
        }
    }
}
