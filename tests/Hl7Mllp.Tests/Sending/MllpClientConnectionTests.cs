using System.Net.Sockets;
using Hl7Mllp.Framing;
using Hl7Mllp.Sending;
using Hl7Mllp.Testing.Network;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hl7Mllp.Tests.Sending;

/// <summary>The liveness probe before a send, and when a low-latency connection skips it (over a loopback socket pair).</summary>
public sealed class MllpClientConnectionTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly LoopbackSocketPair _sockets = new();
    private readonly Socket _client;
    private readonly Socket _server;
    private readonly MllpClientConnection _connection;

    public MllpClientConnectionTests()
    {
        _client = _sockets.Client;
        _server = _sockets.Server;
        var stream = new MllpLowLatencyStream(_client, TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
        _connection = new MllpClientConnection(_client, stream, new MllpFramingOptions(), NullLogger.Instance, _time) { Used = true };
    }

    [Fact]
    public void IsFitForSend_PeerClosedAndLastAckWithinOneMillisecond_SkipsTheProbeAndReportsNothingReceived()
    {
        CloseServerAndWaitForFin();

        _time.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond - 1));

        _connection.IsFitForSend().Should().BeTrue("the probe is skipped");
        _connection.NothingReceivedSinceSkippedProbe.Should().BeTrue();
    }

    [Fact]
    public void IsFitForSend_PeerClosedAndLastAckOneMillisecondAgo_ProbesAndFindsTheFin()
    {
        CloseServerAndWaitForFin();

        _time.Advance(TimeSpan.FromMilliseconds(1));

        _connection.IsFitForSend().Should().BeFalse();
        _connection.NothingReceivedSinceSkippedProbe.Should().BeFalse("the probe ran");
    }

    [Fact]
    public void IsFitForSend_NeverUsed_NoProbeAndNoSkipRecorded()
    {
        _connection.Used = false;
        CloseServerAndWaitForFin();

        _connection.IsFitForSend().Should().BeTrue();
        _connection.NothingReceivedSinceSkippedProbe.Should().BeFalse("only a skipped probe may lead to a silent resend");
    }

    [Fact]
    public async Task NothingReceivedSinceSkippedProbe_ByteOfTheAckRead_False()
    {
        _connection.IsFitForSend().Should().BeTrue();
        _server.Send([0x0B]);

        var read = await _connection.Input.ReadAsync();
        read.Buffer.Length.Should().Be(1);
        _connection.Input.AdvanceTo(read.Buffer.End);

        _connection.NothingReceivedSinceSkippedProbe.Should().BeFalse("a partial ACK then a close is a failed send, never resent silently");
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        _sockets.Dispose();
    }

    /// <summary>Closes the peer and waits (bounded) until its FIN is readable on the client, so the probe would see it.</summary>
    private void CloseServerAndWaitForFin()
    {
        _server.Close();
        _client.Poll(5_000_000, SelectMode.SelectRead).Should().BeTrue();
    }
}
