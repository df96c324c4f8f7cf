using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Hl7Mllp.Receiving;

namespace Hl7Mllp.Tests.Receiving;

public sealed class MllpListenerOptionsTests
{
    [Fact]
    public void Defaults_AreValidAndDocumentedValues()
    {
        var options = new MllpListenerOptions();

        options.Validate();
        options.Endpoints.Should().BeEmpty();
        options.Name.Should().Be("mllp");
        options.MaxConnections.Should().Be(32);
        options.IdleTimeout.Should().Be(TimeSpan.FromMinutes(5));
        options.ReadTimeout.Should().Be(TimeSpan.FromSeconds(5));
        options.FrameTimeout.Should().Be(TimeSpan.FromSeconds(30));
        options.TlsHandshakeTimeout.Should().Be(TimeSpan.FromSeconds(10));
        options.DrainTimeout.Should().Be(TimeSpan.FromSeconds(10));
        options.Framing.MaxFrameBytes.Should().Be(10 * 1024 * 1024);
        options.AllowedRemoteAddresses.Should().BeEmpty();
        options.Tls.Should().BeNull();
        options.NoDelay.Should().BeTrue();
        // RELIABILITY field failure F12: keep-alive probes start after 60 s, far below middlebox idle timeouts (10–30 min).
        options.KeepAlive.Should().BeTrue();
        options.KeepAliveTime.Should().Be(TimeSpan.FromSeconds(60));
        options.KeepAliveInterval.Should().Be(TimeSpan.FromSeconds(10));
        options.KeepAliveProbeCount.Should().Be(5);
        options.DedicatedThreadConnections.Should().Be(32);
        options.ReceiveSpin.Should().Be(TimeSpan.FromMicroseconds(100));
        MllpListenerOptions.DefaultPort.Should().Be(2575);
    }

    [Fact]
    public void Validate_InfiniteTimeouts_AreAllowedWhereDocumented()
    {
        var options = new MllpListenerOptions
        {
            IdleTimeout = Timeout.InfiniteTimeSpan,
            ReadTimeout = Timeout.InfiniteTimeSpan,
            FrameTimeout = Timeout.InfiniteTimeSpan,
            DrainTimeout = TimeSpan.Zero,
            DedicatedThreadConnections = 0,
            ReceiveSpin = TimeSpan.Zero,
        };

        options.Invoking(o => o.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Validate_ManyProblems_ListsEveryOneInOneException()
    {
        var options = new MllpListenerOptions
        {
            MaxConnections = 0,
            ListenBacklog = 0,
            IdleTimeout = TimeSpan.Zero,
            ReadTimeout = TimeSpan.FromSeconds(-2),
            FrameTimeout = TimeSpan.Zero,
            TlsHandshakeTimeout = Timeout.InfiniteTimeSpan,
            DrainTimeout = TimeSpan.FromSeconds(-1),
            KeepAliveTime = TimeSpan.FromMilliseconds(10),
            KeepAliveProbeCount = 0,
            DedicatedThreadConnections = -1,
            ReceiveSpin = TimeSpan.FromMilliseconds(11),
            AllowedRemoteAddresses = ["10.0.0.0/8", "not-an-address", "300.1.1.1"],
        };
        options.Framing.MaxFrameBytes = 0;

        var exception = options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().Which;

        exception.Message.Should().ContainAll(
            "MaxConnections", "ListenBacklog", "IdleTimeout", "ReadTimeout", "FrameTimeout", "TlsHandshakeTimeout",
            "DrainTimeout", "KeepAliveTime", "KeepAliveProbeCount", "MaxFrameBytes", "not-an-address", "300.1.1.1",
            "DedicatedThreadConnections", "ReceiveSpin");
        exception.Message.Should().NotContain("10.0.0.0/8");
    }

    [Fact]
    public void Validate_NullCollections_AreReported()
    {
        var options = new MllpListenerOptions { Endpoints = null!, AllowedRemoteAddresses = null!, Framing = null!, Name = null! };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>()
            .Which.Message.Should().ContainAll("Endpoints", "AllowedRemoteAddresses", "Framing", "Name");
    }

    [Fact]
    public void Validate_KeepAliveOff_IgnoresItsTimings()
    {
        var options = new MllpListenerOptions { KeepAlive = false, KeepAliveTime = TimeSpan.Zero, KeepAliveProbeCount = 0 };

        options.Invoking(o => o.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Validate_TlsWithoutCertificate_IsReported()
    {
        var options = new MllpListenerOptions { Tls = new MllpServerTlsOptions() };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().Which.Message.Should().Contain("Certificate");
    }

    [Fact]
    public void Validate_TlsWithTwoCertificateSources_IsReported()
    {
        using var certificate = CreateCertificate();
        var options = new MllpListenerOptions { Tls = new MllpServerTlsOptions { Certificate = certificate, CertificatePath = "server.pfx" } };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().Which.Message.Should().Contain("exactly one");
    }

    [Theory]
    [InlineData(SslProtocols.None)]
    [InlineData(SslProtocols.Tls12 | (SslProtocols)0x0300)]
    [InlineData((SslProtocols)0x00C0)]
    public void Validate_ProtocolsOtherThanTls12And13_AreRefused(SslProtocols protocols)
    {
        using var certificate = CreateCertificate();
        var options = new MllpListenerOptions { Tls = new MllpServerTlsOptions { Certificate = certificate, EnabledProtocols = protocols } };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().Which.Message.Should().Contain("EnabledProtocols");
    }

    [Fact]
    public void Validate_TlsDefaults_AreTls12And13WithStrongSuitesAndChainValidation()
    {
        using var certificate = CreateCertificate();
        var tls = new MllpServerTlsOptions { Certificate = certificate };

        new MllpListenerOptions { Tls = tls }.Validate();
        tls.EnabledProtocols.Should().Be(SslProtocols.Tls12 | SslProtocols.Tls13);
        tls.RestrictCipherSuites.Should().BeTrue();
        tls.ClientCertificateRequired.Should().BeFalse();
        tls.ValidateClientCertificateChain.Should().BeTrue();
        tls.ClientCertificateRevocationMode.Should().Be(X509RevocationMode.NoCheck);
    }

    [Fact]
    public void Validate_BadThumbprintsAndAcceptAnyClient_AreReported()
    {
        using var certificate = CreateCertificate();
        var options = new MllpListenerOptions
        {
            Tls = new MllpServerTlsOptions { Certificate = certificate, AllowedClientCertificateThumbprints = ["XYZ"], PrivateKeyPath = "key.pem" },
        };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().Which.Message.Should().ContainAll("XYZ", "PrivateKeyPath");

        options.Tls.AllowedClientCertificateThumbprints = [];
        options.Tls.PrivateKeyPath = null;
        options.Tls.ValidateClientCertificateChain = false;
        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().Which.Message.Should().Contain("any client certificate");
    }

    [Fact]
    public void Validate_ThumbprintWithColonsAndSpaces_IsAccepted()
    {
        using var certificate = CreateCertificate();
        string pretty = string.Join(":", certificate.Thumbprint.Chunk(2).Select(pair => new string(pair))).ToLowerInvariant();
        var options = new MllpListenerOptions { Tls = new MllpServerTlsOptions { Certificate = certificate, AllowedClientCertificateThumbprints = [pretty, " " + certificate.GetCertHashString(HashAlgorithmName.SHA256) + " "] } };

        options.Invoking(o => o.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsBeforeAnyIo()
    {
        var options = new MllpListenerOptions { MaxConnections = -1, Endpoints = [new IPEndPoint(IPAddress.Loopback, 1)] };

        var create = () => new MllpListener(options, new NoopHandler());

        create.Should().Throw<ArgumentException>().Which.Message.Should().Contain("MaxConnections");
    }

    [Fact]
    public async Task Constructor_ValidOptions_BindsNothingUntilStart()
    {
        await using var listener = new MllpListener(new MllpListenerOptions(), new NoopHandler());

        listener.LocalEndPoints.Should().BeEmpty();
        listener.IsListening.Should().BeFalse();
        listener.Invoking(l => l.LocalEndPoint).Should().Throw<InvalidOperationException>();
        listener.GetStatus().Connections.Should().BeEmpty();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=options test", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private sealed class NoopHandler : IMllpMessageHandler
    {
        public ValueTask HandleAsync(MllpReceiveContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
