using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hl7Mllp.IntegrationTests.Sending;

/// <summary>
/// A throwaway PKI made in-test with <see cref="CertificateRequest"/>: a root CA, a server certificate for
/// localhost/127.0.0.1, an expired one, one for another host, and a self-signed one for pinning.
/// </summary>
/// <remarks>Stand-in until the shared test kit's TestCertificates lands.</remarks>
internal sealed class TlsTestCertificates : IDisposable
{
    private TlsTestCertificates()
    {
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Hl7Mllp Test Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        Root = rootRequest.CreateSelfSigned(now.AddDays(-30), now.AddDays(30));
        Server = Issue("localhost", now.AddDays(-1), now.AddDays(10));
        ExpiredServer = Issue("localhost", now.AddDays(-10), now.AddHours(-1));
        WrongHostServer = Issue("wrong-host.invalid", now.AddDays(-1), now.AddDays(10));
        using var selfKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var selfRequest = ServerRequest("localhost", selfKey);
        SelfSignedServer = selfRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(10));
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2 ExpiredServer { get; }

    public X509Certificate2 WrongHostServer { get; }

    public X509Certificate2 SelfSignedServer { get; }

    public static TlsTestCertificates Create() => new();

    public void Dispose()
    {
        Root.Dispose();
        Server.Dispose();
        ExpiredServer.Dispose();
        WrongHostServer.Dispose();
        SelfSignedServer.Dispose();
    }

    private static CertificateRequest ServerRequest(string host, ECDsa key)
    {
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        if (host == "localhost")
        {
            names.AddIpAddress(IPAddress.Loopback);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request;
    }

    private X509Certificate2 Issue(string host, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = ServerRequest(host, key).Create(Root, notBefore, notAfter, RandomNumberGenerator.GetBytes(12));
        return issued.CopyWithPrivateKey(key);
    }
}
