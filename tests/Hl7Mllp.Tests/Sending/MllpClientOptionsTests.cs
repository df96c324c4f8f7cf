using System.Security.Authentication;
using Hl7Mllp.Sending;
using Polly;

namespace Hl7Mllp.Tests.Sending;

public sealed class MllpClientOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = new MllpClientOptions();

        options.ConnectTimeout.Should().Be(TimeSpan.FromSeconds(10));
        options.AckTimeout.Should().Be(TimeSpan.FromSeconds(30));
        options.PersistentConnection.Should().BeTrue();
        options.Encoding.Should().Be(MllpClientEncoding.FromMessage);
        options.Framing.MaxFrameBytes.Should().Be(1024 * 1024);
        options.ReconnectAttempts.Should().Be(4);
        options.ReconnectDelay.Should().Be(TimeSpan.FromMilliseconds(500));
        options.ReconnectMaxDelay.Should().Be(TimeSpan.FromSeconds(60));
        // RELIABILITY field failure F12: keep-alive probes start after 60 s, far below middlebox idle timeouts (10–30 min).
        options.KeepAlive.Enabled.Should().BeTrue();
        options.KeepAlive.Time.Should().Be(TimeSpan.FromSeconds(60));
        options.KeepAlive.Interval.Should().Be(TimeSpan.FromSeconds(10));
        options.KeepAlive.RetryCount.Should().Be(5);
        options.IdleReset.Should().Be(TimeSpan.Zero);
        options.Heartbeat.Enabled.Should().BeFalse();
        options.Tls.Enabled.Should().BeFalse();
        options.Tls.EnabledProtocols.Should().Be(SslProtocols.Tls12 | SslProtocols.Tls13);
        options.DebugLogging.Should().BeFalse();
        options.ConnectionAttemptHistory.Should().Be(20);
        options.ErrorLogging.Mode.Should().Be(ErrorLoggingMode.EveryError);
        options.LowLatencyAckWait.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void Validate_ManyProblems_ListsEveryOneInOneException()
    {
        var options = new MllpClientOptions
        {
            Host = " ",
            Port = 70000,
            ConnectTimeout = TimeSpan.Zero,
            AckTimeout = TimeSpan.FromSeconds(-1),
            IdleReset = TimeSpan.FromSeconds(-5),
            ConnectionAttemptHistory = -1,
            ReconnectDelay = TimeSpan.Zero,
            Framing = { MaxFrameBytes = 0 },
            KeepAlive = { RetryCount = 0 },
            Heartbeat = { Interval = TimeSpan.FromSeconds(30) },
            Tls = { Enabled = true, EnabledProtocols = SslProtocols.None, PinnedThumbprint = "nope" },
            ErrorLogging = { FailedAttempts = 0 },
        };

        var validate = options.Validate;

        validate.Should().Throw<ArgumentException>()
            .WithMessage("*Host*").WithMessage("*Port*").WithMessage("*ConnectTimeout*").WithMessage("*AckTimeout*")
            .WithMessage("*IdleReset*").WithMessage("*ConnectionAttemptHistory*").WithMessage("*ReconnectDelay*")
            .WithMessage("*MaxFrameBytes*").WithMessage("*KeepAlive.RetryCount*").WithMessage("*Heartbeat.Message*")
            .WithMessage("*Tls.EnabledProtocols*").WithMessage("*Tls.PinnedThumbprint*").WithMessage("*ErrorLogging.FailedAttempts*");
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    [InlineData(SslProtocols.Tls12 | SslProtocols.Tls13)]
    public void Validate_CurrentTlsVersions_AreAccepted(SslProtocols protocols)
    {
        Valid(o =>
        {
            o.Tls.Enabled = true;
            o.Tls.EnabledProtocols = protocols;
        }).Validate();
    }

#pragma warning disable SYSLIB0039 // Old TLS versions are named on purpose: they must be refused (RELIABILITY D1).
    [Theory]
    [InlineData(SslProtocols.None)]
    [InlineData(SslProtocols.Tls11)]
    [InlineData(SslProtocols.Tls | SslProtocols.Tls12)]
    public void Validate_OldOrOsDefaultTlsVersions_AreRefused(SslProtocols protocols)
    {
        var options = Valid(o =>
        {
            o.Tls.Enabled = true;
            o.Tls.EnabledProtocols = protocols;
        });

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage("*EnabledProtocols*");
    }
#pragma warning restore SYSLIB0039

    [Fact]
    public void Validate_CustomRetryPipeline_IgnoresReconnectSettings()
    {
        Valid(o =>
        {
            o.Retry = ResiliencePipeline.Empty;
            o.ReconnectDelay = TimeSpan.Zero;
        }).Validate();
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsWithoutIo()
    {
        var create = () => new MllpClient(new MllpClientOptions { Host = "example.invalid", Port = 0 });

        create.Should().Throw<ArgumentException>().WithMessage("*Port*");
    }

    private static MllpClientOptions Valid(Action<MllpClientOptions> configure)
    {
        var options = new MllpClientOptions { Host = "localhost", Port = 2575 };
        configure(options);
        return options;
    }
}
