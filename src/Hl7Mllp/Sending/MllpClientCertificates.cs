using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hl7Mllp.Sending;

/// <summary>
/// Client certificates for TLS (seed 000: "Generate a new certificate and subsequently Export it … or Import a
/// certificate"): create a self-signed one, export it as PEM or PFX to hand to the receiver, import one from PFX or PEM.
/// </summary>
public static class MllpClientCertificates
{
    /// <summary>
    /// Creates a self-signed client certificate with an ECDSA P-256 key, marked for client authentication.
    /// </summary>
    /// <param name="subject">The subject, as a distinguished name (<c>CN=sender.example, O=Clinic</c>) or a plain name (made <c>CN=name</c>).</param>
    /// <param name="validity">How long it is valid, from now (minus five minutes for clock skew).</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <returns>The certificate with its private key.</returns>
    /// <exception cref="ArgumentException"><paramref name="subject"/> is empty or not a valid name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validity"/> is not positive.</exception>
    public static X509Certificate2 CreateSelfSigned(string subject, TimeSpan validity, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(validity, TimeSpan.Zero);
        string name = subject.Contains('=', StringComparison.Ordinal) ? subject : "CN=" + subject;
        var now = (timeProvider ?? TimeProvider.System).GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(name), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddMinutes(-5), now.Add(validity));
    }

    /// <summary>Exports the certificate as PEM (<c>BEGIN CERTIFICATE</c>), the part to hand to the receiver.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>The PEM text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="certificate"/> is <see langword="null"/>.</exception>
    public static string ExportCertificatePem(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.ExportCertificatePem();
    }

    /// <summary>Exports the private key as unencrypted PKCS#8 PEM (<c>BEGIN PRIVATE KEY</c>). Keep it secret.</summary>
    /// <param name="certificate">A certificate with an RSA or ECDSA private key.</param>
    /// <returns>The PEM text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="certificate"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The certificate has no exportable RSA or ECDSA private key.</exception>
    public static string ExportPrivateKeyPem(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()
            ?? throw new InvalidOperationException("The certificate has no RSA or ECDSA private key.");
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>Writes the certificate and its private key as two PEM files.</summary>
    /// <param name="certificate">A certificate with its private key.</param>
    /// <param name="certificatePath">Where the certificate goes.</param>
    /// <param name="keyPath">Where the private key goes (created readable by the owner only where the platform allows).</param>
    /// <param name="cancellationToken">Cancels the writes.</param>
    /// <returns>A task that completes when both files are written.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The certificate has no exportable private key.</exception>
    /// <exception cref="IOException">A file could not be written.</exception>
    public static async Task ExportPemAsync(X509Certificate2 certificate, string certificatePath, string keyPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(certificatePath);
        ArgumentNullException.ThrowIfNull(keyPath);
        string keyPem = ExportPrivateKeyPem(certificate);
        await File.WriteAllTextAsync(certificatePath, ExportCertificatePem(certificate), cancellationToken).ConfigureAwait(false);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(keyPath, options);
        await using (stream.ConfigureAwait(false))
        {
            var writer = new StreamWriter(stream);
            await using (writer.ConfigureAwait(false))
            {
                await writer.WriteAsync(keyPem.AsMemory(), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Exports the certificate with its private key as PFX (PKCS#12) bytes, encrypted with AES-256 and PBKDF2.</summary>
    /// <param name="certificate">A certificate with its private key.</param>
    /// <param name="password">The PFX password; <see langword="null"/> or empty for none.</param>
    /// <returns>The PFX bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="certificate"/> is <see langword="null"/>.</exception>
    public static byte[] ExportPfx(X509Certificate2 certificate, string? password)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.ExportPkcs12(Pkcs12ExportPbeParameters.Pbes2Aes256Sha256, password);
    }

    /// <summary>Imports a certificate with its private key from a PFX (PKCS#12) file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="password">Its password; <see langword="null"/> for none.</param>
    /// <returns>The certificate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="CryptographicException">The file is not a PFX or the password is wrong.</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    public static X509Certificate2 ImportPfx(string path, string? password)
    {
        ArgumentNullException.ThrowIfNull(path);
        return X509CertificateLoader.LoadPkcs12FromFile(path, password);
    }

    /// <summary>Imports a certificate with its private key from PEM files.</summary>
    /// <param name="certificatePath">The PEM certificate.</param>
    /// <param name="keyPath">The PEM private key; <see langword="null"/> when it is in <paramref name="certificatePath"/>.</param>
    /// <param name="password">The password of an encrypted key; <see langword="null"/> for an unencrypted one.</param>
    /// <returns>The certificate.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="certificatePath"/> is <see langword="null"/>.</exception>
    /// <exception cref="CryptographicException">The files do not hold a matching certificate and key.</exception>
    /// <exception cref="IOException">A file could not be read.</exception>
    public static X509Certificate2 ImportPem(string certificatePath, string? keyPath, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(certificatePath);
        return string.IsNullOrEmpty(password)
            ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, keyPath);
    }
}
