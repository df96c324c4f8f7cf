using System.Security.Cryptography;
using Hl7Mllp.Sending;

namespace Hl7Mllp.Tests.Sending;

public sealed class MllpCertificatePinTests
{
    [Theory]
    [InlineData("A1B2C3D4E5F60718293A4B5C6D7E8F9001122334", 20)]
    [InlineData("a1 b2 c3 d4 e5 f6 07 18 29 3a 4b 5c 6d 7e 8f 90 01 12 23 34", 20)]
    [InlineData("\u200ea1b2c3d4e5f60718293a4b5c6d7e8f9001122334", 20)]
    [InlineData("A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90:01:12:23:34:A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C", 32)]
    [InlineData("a1b2c3d4-e5f60718-293a4b5c-6d7e8f90-01122334-a1b2c3d4-e5f60718-293a4b5c", 32)]
    public void TryParse_Sha1OrSha256WithSeparators_Parses(string text, int bytes)
    {
        MllpCertificatePin.TryParse(text, out var pin).Should().BeTrue();
        pin!.Algorithm.Should().Be(bytes == 20 ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("A1B2C3")]
    [InlineData("G1B2C3D4E5F60718293A4B5C6D7E8F9001122334")]
    [InlineData("A1B2C3D4E5F60718293A4B5C6D7E8F900112233445")]
    [InlineData("A1B2C3D4E5F60718293A4B5C6D7E8F9001122334A1B2C3D4E5F60718293A4B5C6D7E8F9001122334")]
    public void TryParse_NotAThumbprint_Fails(string? text)
    {
        MllpCertificatePin.TryParse(text, out _).Should().BeFalse();
    }

    [Fact]
    public void Matches_SameCertificate_TrueForBothAlgorithms_FalseForAnother()
    {
        using var certificate = MllpClientCertificates.CreateSelfSigned("pin-test", TimeSpan.FromDays(1));
        using var other = MllpClientCertificates.CreateSelfSigned("other", TimeSpan.FromDays(1));
        MllpCertificatePin.TryParse(certificate.Thumbprint, out var sha1).Should().BeTrue();
        MllpCertificatePin.TryParse(Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)), out var sha256).Should().BeTrue();

        sha1!.Matches(certificate).Should().BeTrue();
        sha256!.Matches(certificate).Should().BeTrue();
        sha1.Matches(other).Should().BeFalse();
        sha256.Matches(other).Should().BeFalse();
    }
}
