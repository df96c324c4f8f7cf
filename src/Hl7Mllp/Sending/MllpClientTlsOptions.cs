using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Hl7Mllp.Sending;

/// <summary>
/// TLS for <see cref="MllpClient"/> (seed 000, the SSL Encryption tab; RELIABILITY D1, D3). By default the
/// receiver's certificate is validated by the operating system's trust store and its host name; a pinned thumbprint
/// or custom trust roots replace the trust store. There is no way to accept every certificate.
/// </summary>
/// <remarks>
/// Certificate files named here are read when the client first connects, not when the options are validated.
/// </remarks>
public sealed class MllpClientTlsOptions
{
    /// <summary>Whether connections use TLS. Default: <see langword="false"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The host name the receiver's certificate must carry (and the SNI sent). Default: <see langword="null"/>, which
    /// means <see cref="MllpClientOptions.Host"/>.
    /// </summary>
    public string? TargetHost { get; set; }

    /// <summary>
    /// The TLS versions offered. Default: <see cref="SslProtocols.Tls12"/> | <see cref="SslProtocols.Tls13"/>: the
    /// operating system chooses among them (the seed's "Use OS" restricted to current versions). Only TLS 1.2 and
    /// TLS 1.3 are allowed; <see cref="SslProtocols.None"/> (the OS default, which may include old versions) is refused.
    /// </summary>
    public SslProtocols EnabledProtocols { get; set; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// The receiver certificate's thumbprint, for a self-signed receiver (the seed's "Receiver Certificate
    /// Thumbprint"): SHA-1 (40 hex digits, as Windows shows it) or SHA-256 (64 hex digits); spaces, colons and
    /// dashes are ignored, letter case too. When set, the receiver is trusted if and only if its certificate has this
    /// thumbprint; chain and host name are not checked. Default: <see langword="null"/> (validate by trust store).
    /// </summary>
    public string? PinnedThumbprint { get; set; }

    /// <summary>
    /// Certificate authorities trusted instead of the operating system's store (a private CA, tests). The chain must
    /// end in one of them, and the host name is still checked. Default: <see langword="null"/>.
    /// </summary>
    public X509Certificate2Collection? TrustedRoots { get; set; }

    /// <summary>
    /// A PEM file with one or more CA certificates trusted like <see cref="TrustedRoots"/> (added to them).
    /// Default: <see langword="null"/>.
    /// </summary>
    public string? TrustedRootsPath { get; set; }

    /// <summary>Whether the receiver certificate's revocation status is checked online. Default: <see langword="false"/>.</summary>
    public bool CheckCertificateRevocation { get; set; }

    /// <summary>The client certificate, with its private key, presented to receivers that ask for one. Default: <see langword="null"/>.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>
    /// A client certificate file, used when <see cref="ClientCertificate"/> is not set: a PFX/PKCS#12 file
    /// (<c>.pfx</c>, <c>.p12</c>, with <see cref="ClientCertificatePassword"/>) or a PEM certificate (with its key in
    /// <see cref="ClientKeyPath"/>, or in the same file). Default: <see langword="null"/>.
    /// </summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>The PEM private key of the certificate in <see cref="ClientCertificatePath"/>. Default: <see langword="null"/>.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary>The password of the PFX file, or of an encrypted PEM key. Default: <see langword="null"/>.</summary>
    public string? ClientCertificatePassword { get; set; }

    internal void AddProblems(List<string> problems, string prefix)
    {
        if (!Enabled)
        {
            return;
        }

        const SslProtocols Allowed = SslProtocols.Tls12 | SslProtocols.Tls13;
        if (EnabledProtocols == SslProtocols.None || (EnabledProtocols & ~Allowed) != 0)
        {
            problems.Add($"{prefix}{nameof(EnabledProtocols)} must be TLS 1.2, TLS 1.3 or both (was {EnabledProtocols}).");
        }

        if (PinnedThumbprint is not null && !MllpCertificatePin.TryParse(PinnedThumbprint, out _))
        {
            problems.Add($"{prefix}{nameof(PinnedThumbprint)} must be 40 (SHA-1) or 64 (SHA-256) hex digits.");
        }

        if (ClientKeyPath is not null && ClientCertificatePath is null)
        {
            problems.Add($"{prefix}{nameof(ClientKeyPath)} needs {nameof(ClientCertificatePath)}.");
        }

        if (ClientCertificate is not null && !ClientCertificate.HasPrivateKey)
        {
            problems.Add($"{prefix}{nameof(ClientCertificate)} has no private key.");
        }
    }
}
