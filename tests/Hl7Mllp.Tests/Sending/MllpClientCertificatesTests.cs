using Microsoft.Extensions.Time.Testing;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Hl7Mllp.Sending;

namespace Hl7Mllp.Tests.Sending;

public sealed class MllpClientCertificatesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hl7mllp-cert-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void CreateSelfSigned_PlainName_HasKeyClientAuthAndValidity()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

        using var certificate = MllpClientCertificates.CreateSelfSigned("sender.example", TimeSpan.FromDays(365), time);

        certificate.Subject.Should().Be("CN=sender.example");
        certificate.HasPrivateKey.Should().BeTrue();
        certificate.NotAfter.ToUniversalTime().Should().Be(time.GetUtcNow().AddDays(365).UtcDateTime);
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages
            .Cast<Oid>().Select(o => o.Value).Should().Contain("1.3.6.1.5.5.7.3.2");
    }

    [Fact]
    public async Task ExportPemAsync_ThenImportPem_RoundTripsCertificateAndKey()
    {
        using var certificate = MllpClientCertificates.CreateSelfSigned("CN=pem, O=Clinic", TimeSpan.FromDays(1));
        string certificatePath = Path.Combine(_directory, "c.pem");
        string keyPath = Path.Combine(_directory, "c.key");

        await MllpClientCertificates.ExportPemAsync(certificate, certificatePath, keyPath);
        using var imported = MllpClientCertificates.ImportPem(certificatePath, keyPath);

        imported.Thumbprint.Should().Be(certificate.Thumbprint);
        imported.HasPrivateKey.Should().BeTrue();
        (await File.ReadAllTextAsync(keyPath)).Should().StartWith("-----BEGIN PRIVATE KEY-----");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(keyPath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        using var signer = imported.GetECDsaPrivateKey()!;
        byte[] signature = signer.SignData(new byte[] { 1, 2, 3 }, HashAlgorithmName.SHA256);
        using var verifier = certificate.GetECDsaPublicKey()!;
        verifier.VerifyData(new byte[] { 1, 2, 3 }, signature, HashAlgorithmName.SHA256).Should().BeTrue();
    }

    [Fact]
    public async Task ExportPfx_ThenImportPfx_RoundTripsWithPasswordAndRefusesWrongPassword()
    {
        using var certificate = MllpClientCertificates.CreateSelfSigned("pfx", TimeSpan.FromDays(1));
        string path = Path.Combine(_directory, "c.pfx");
        await File.WriteAllBytesAsync(path, MllpClientCertificates.ExportPfx(certificate, "pw"));

        using var imported = MllpClientCertificates.ImportPfx(path, "pw");
        var wrong = () => MllpClientCertificates.ImportPfx(path, "nope");

        imported.Thumbprint.Should().Be(certificate.Thumbprint);
        imported.HasPrivateKey.Should().BeTrue();
        wrong.Should().Throw<CryptographicException>();
    }

    [Fact]
    public void CreateSelfSigned_BadArguments_Throw()
    {
        FluentActions.Invoking(() => MllpClientCertificates.CreateSelfSigned(" ", TimeSpan.FromDays(1))).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => MllpClientCertificates.CreateSelfSigned("x", TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
