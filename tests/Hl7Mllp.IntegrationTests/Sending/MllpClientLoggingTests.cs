using Hl7Mllp.Diagnostics;
using Hl7Mllp.Sending;
using Hl7Mllp.Testing.Logging;
using Microsoft.Extensions.Logging;
using Polly;

namespace Hl7Mllp.IntegrationTests.Sending;

/// <summary>What the client logs (RELIABILITY A13): no message content by default, the wire only when asked, error throttling.</summary>
public sealed class MllpClientLoggingTests
{
    private const string Sentinel = "PHI-SENTINEL-7731";

    [Fact]
    public async Task Logs_NoMessageContentByDefault_EvenOnNaksTimeoutsAndProtocolErrors()
    {
        await using var peer = FakeMllpPeer.Start(async (frame, stream) =>
        {
            switch (frame.ControlId)
            {
                case "L1":
                    await frame.ReplyAsync(stream, "AE");
                    break;
                case "L2":
                    await PeerFrame.WriteAsync(stream, FakeMllpPeer.Frame($"garbage {Sentinel}"));
                    break;
                default:
                    await Task.Delay(TimeSpan.FromSeconds(1.5));
                    break;
            }
        });
        using var logs = new RecordingLoggerFactory();
        await using var client = new MllpClient(MllpClientTests.Options(peer, ResiliencePipeline.Empty), logs);

        await client.SendAsync(WithSentinel("L1"));
        await client.SendAsync(WithSentinel("L2"));
        await FluentActions.Awaiting(() => client.SendAsync(WithSentinel("L3")).AsTask()).Should().ThrowAsync<MllpAckTimeoutException>();

        logs.AssertNoEntryContains(Sentinel);
        logs.HasEventId(Hl7MllpEventIds.ClientNakReceived).Should().BeTrue();
        logs.HasEventId(Hl7MllpEventIds.ClientProtocolError).Should().BeTrue();
        logs.HasEventId(Hl7MllpEventIds.ClientAckTimeout).Should().BeTrue();
        logs.Entries.Should().NotContain(e => e.Category == "Hl7Mllp.Sending.Wire");
    }

    [Fact]
    public async Task DebugLogging_WritesBytesSentAndReceivedToTheWireCategoryOnly()
    {
        await using var peer = FakeMllpPeer.StartAcking();
        using var logs = new RecordingLoggerFactory();
        var options = MllpClientTests.Options(peer);
        options.DebugLogging = true;
        await using var client = new MllpClient(options, logs);

        await client.SendAsync(WithSentinel("W1"));

        var wire = logs.Entries.Where(e => e.Category == "Hl7Mllp.Sending.Wire").ToList();
        wire.Select(e => e.EventId.Id).Should().Equal(Hl7MllpEventIds.ClientWireSent, Hl7MllpEventIds.ClientWireReceived);
        wire[0].Message.Should().Contain(Sentinel).And.Contain("<CR>");
        wire[1].Message.Should().Contain("MSA|AA|W1");
        wire.Should().OnlyContain(e => e.Level == LogLevel.Debug);
        logs.Entries.Where(e => e.Category != "Hl7Mllp.Sending.Wire").Should().NotContain(e => e.Message.Contains(Sentinel, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ErrorLogging_AfterFailedAttempts_SuppressedFailuresAreDebugThenError()
    {
        int port;
        await using (var closed = FakeMllpPeer.StartAcking())
        {
            port = closed.Port;
        }

        using var logs = new RecordingLoggerFactory();
        var options = new MllpClientOptions
        {
            Host = "127.0.0.1",
            Port = port,
            Retry = ResiliencePipeline.Empty,
            ErrorLogging = { Mode = ErrorLoggingMode.AfterFailedAttempts, FailedAttempts = 3 },
        };
        await using var client = new MllpClient(options, logs);

        for (int i = 0; i < 4; i++)
        {
            await FluentActions.Awaiting(() => client.SendAsync(FakeMllpPeer.MessageBytes("E")).AsTask()).Should().ThrowAsync<MllpConnectionException>();
        }

        logs.WithEventId(Hl7MllpEventIds.ClientConnectFailed).Select(e => e.Level)
            .Should().Equal(LogLevel.Debug, LogLevel.Debug, LogLevel.Error, LogLevel.Error);
    }

    private static byte[] WithSentinel(string controlId) =>
        System.Text.Encoding.ASCII.GetBytes(FakeMllpPeer.Message(controlId).Replace("DOE^JOHN", Sentinel, StringComparison.Ordinal));
}
