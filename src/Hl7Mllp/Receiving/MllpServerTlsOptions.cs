using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Hl7Mllp.Receiving;

/// <summary>
/// TLS settings of an <see cref="MllpListener"/>: the server certificate, the protocol versions and cipher suites, and
/// whether (and how) a client certificate is required and validated (RELIABILITY D1, D2, D4). Bindable from
/// configuration, except <see cref="Certificate"/>, <see cref="ClientCertificateTrustRoots"/> and
/// <see cref="ClientCertificateValidation"/>, which are set in code.
/// </summary>
/// <remarks>
/// Exactly one certificate source must be set: <see cref="Certificate"/>, or <see cref="CertificatePath"/> to a PKCS#12
/// (PFX) file with <see cref="CertificatePassword"/>, or <see cref="CertificatePath"/> to a PEM certificate with
/// <see cref="PrivateKeyPath"/> to its PEM private key. Files are read by <see cref="MllpListener.StartAsync"/>, never
/// by the constructor.
/// </remarks>
public sealed class MllpServerTlsOptions
{
    /// <summary>The TLS versions allowed by default: TLS 1.2 and TLS 1.3.</summary>
    public const SslProtocols DefaultProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>The server certificate with its private key. Default: <see langword="null"/> (use <see cref="CertificatePath"/>).</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>
    /// Path of the server certificate: a PKCS#12 (PFX) file, or a PEM file when <see cref="PrivateKeyPath"/> is set.
    /// Default: <see langword="null"/>.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>Password of the PFX file, or of an encrypted PEM private key. Default: <see langword="null"/> (none).</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Path of the PEM private key that goes with a PEM <see cref="CertificatePath"/>. Default: <see langword="null"/>.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>
    /// The TLS versions the listener accepts. Default: <see cref="DefaultProtocols"/> (TLS 1.2 and 1.3). Only TLS 1.2 and
    /// TLS 1.3 may be set: <see cref="SslProtocols.None"/> (the operating system's choice) and older versions are refused
    /// by validation. Security setting.
    /// </summary>
    public SslProtocols EnabledProtocols { get; set; } = DefaultProtocols;

    /// <summary>
    /// Whether only AEAD cipher suites with (EC)DHE key exchange are offered (the TLS 1.3 suites and, for TLS 1.2,
    /// ECDHE with AES-GCM or ChaCha20-Poly1305). Default: <see langword="true"/>. Applied where the platform supports
    /// <see cref="CipherSuitesPolicy"/> (Linux and macOS); elsewhere the operating system's policy applies. Security setting.
    /// </summary>
    public bool RestrictCipherSuites { get; set; } = true;

    /// <summary>
    /// Whether a client must present a certificate (mutual TLS). A connection without one, or with one that fails
    /// validation, is closed during the handshake, before any HL7 byte is read. Default: <see langword="false"/>.
    /// A certificate a client offers when none is required is validated the same way.
    /// </summary>
    public bool ClientCertificateRequired { get; set; }

    /// <summary>
    /// Whether a client certificate must chain to a trusted root (<see cref="ClientCertificateTrustRoots"/> when
    /// any are given, otherwise the system's trust store) and be valid for client authentication. Default:
    /// <see langword="true"/>. Set it to <see langword="false"/> only together with
    /// <see cref="AllowedClientCertificateThumbprints"/> (pinning self-signed peers).
    /// </summary>
    public bool ValidateClientCertificateChain { get; set; } = true;

    /// <summary>
    /// The only roots a client certificate chain may end in; when empty, the system's trust store is used. Default: empty.
    /// </summary>
    public IList<X509Certificate2> ClientCertificateTrustRoots { get; set; } = [];

    /// <summary>
    /// Path of a PEM file with one or more root certificates, added to <see cref="ClientCertificateTrustRoots"/> at start.
    /// Default: <see langword="null"/>.
    /// </summary>
    public string? ClientCertificateTrustRootsPath { get; set; }

    /// <summary>
    /// How revocation of client certificates is checked when the chain is validated. Default:
    /// <see cref="X509RevocationMode.NoCheck"/>, because hospital networks often cannot reach CRL or OCSP servers.
    /// </summary>
    public X509RevocationMode ClientCertificateRevocationMode { get; set; } = X509RevocationMode.NoCheck;

    /// <summary>
    /// When not empty, a client certificate is accepted only if its SHA-1 or SHA-256 thumbprint (hex; case, spaces and
    /// colons ignored) is in this list, in addition to the chain check. Default: empty (no pinning).
    /// </summary>
    public IList<string> AllowedClientCertificateThumbprints { get; set; } = [];

    /// <summary>
    /// An extra check of a client certificate, called only after the built-in checks passed: return
    /// <see langword="false"/> to refuse the certificate. It can only narrow what is accepted. Default:
    /// <see langword="null"/>. Called on the handshake's thread; must be thread-safe and fast.
    /// </summary>
    public Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool>? ClientCertificateValidation { get; set; }

    /// <summary>Adds a description of every problem to <paramref name="problems"/>.</summary>
    /// <param name="problems">Where problems are collected.</param>
    internal void Validate(List<string> problems)
    {
        int sources = (Certificate is null ? 0 : 1) + (string.IsNullOrWhiteSpace(CertificatePath) ? 0 : 1);
        if (sources != 1)
        {
            problems.Add($"Tls: set exactly one of {nameof(Certificate)} and {nameof(CertificatePath)} (found {sources}).");
        }

        if (!string.IsNullOrWhiteSpace(PrivateKeyPath) && string.IsNullOrWhiteSpace(CertificatePath))
        {
            problems.Add($"Tls: {nameof(PrivateKeyPath)} needs a PEM {nameof(CertificatePath)}.");
        }

        if (Certificate is not null && !Certificate.HasPrivateKey)
        {
            problems.Add($"Tls: {nameof(Certificate)} has no private key.");
        }

        if (EnabledProtocols == SslProtocols.None || (EnabledProtocols & ~DefaultProtocols) != 0)
        {
            problems.Add($"Tls: {nameof(EnabledProtocols)} may only contain Tls12 and Tls13 (was {EnabledProtocols}).");
        }

        if (!Enum.IsDefined(ClientCertificateRevocationMode))
        {
            problems.Add($"Tls: {nameof(ClientCertificateRevocationMode)} has an unknown value ({(int)ClientCertificateRevocationMode}).");
        }

        if (ClientCertificateTrustRoots is null || AllowedClientCertificateThumbprints is null)
        {
            problems.Add($"Tls: {nameof(ClientCertificateTrustRoots)} and {nameof(AllowedClientCertificateThumbprints)} must not be null.");
            return;
        }

        if (!ValidateClientCertificateChain && AllowedClientCertificateThumbprints.Count == 0 && ClientCertificateValidation is null)
        {
            problems.Add($"Tls: {nameof(ValidateClientCertificateChain)} is off and there is no thumbprint allow-list or validation callback, so any client certificate would be accepted.");
        }

        foreach (string thumbprint in AllowedClientCertificateThumbprints)
        {
            string normalized = TlsServerSetup.NormalizeThumbprint(thumbprint);
            if (normalized.Length is not (40 or 64) || !normalized.All(char.IsAsciiHexDigit))
            {
                problems.Add($"Tls: \"{thumbprint}\" in {nameof(AllowedClientCertificateThumbprints)} is not a SHA-1 or SHA-256 hex thumbprint.");
            }
        }
    }
}
