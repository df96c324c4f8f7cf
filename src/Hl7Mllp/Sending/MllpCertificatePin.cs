using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hl7Mllp.Sending;

/// <summary>A pinned certificate thumbprint: SHA-1 or SHA-256 of the certificate's DER bytes.</summary>
internal sealed class MllpCertificatePin
{
    private readonly byte[] _hash;

    private MllpCertificatePin(byte[] hash) => _hash = hash;

    /// <summary>The hash algorithm: SHA-1 for 20 bytes, SHA-256 for 32.</summary>
    public HashAlgorithmName Algorithm => _hash.Length == 20 ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256;

    /// <summary>Parses hex digits, ignoring spaces, colons, dashes and letter case (also a leading invisible mark copied from Windows).</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MllpCertificatePin? pin)
    {
        pin = null;
        if (text is null)
        {
            return false;
        }

        Span<char> digits = stackalloc char[64];
        int count = 0;
        foreach (char c in text)
        {
            if (c is ' ' or ':' or '-' or '\u200E' or '\u200F' or '\t')
            {
                continue;
            }

            if (!char.IsAsciiHexDigit(c) || count == digits.Length)
            {
                return false;
            }

            digits[count++] = c;
        }

        if (count is not (40 or 64))
        {
            return false;
        }

        pin = new MllpCertificatePin(Convert.FromHexString(digits[..count]));
        return true;
    }

    /// <summary>Whether <paramref name="certificate"/> has this thumbprint.</summary>
    public bool Matches(X509Certificate certificate)
    {
        Span<byte> actual = stackalloc byte[32];
        int length = certificate.TryGetCertHash(Algorithm, actual, out int written) ? written : 0;
        return length == _hash.Length && CryptographicOperations.FixedTimeEquals(actual[..length], _hash);
    }
}
