using System.Net;
using System.Text;
using Hl7Mllp.Diagnostics;
using Hl7Mllp.Framing;
using Hl7Mllp.Receiving;
using Hl7Mllp.Testing.Logging;
using Hl7Mllp.Testing;

namespace Hl7Mllp.IntegrationTests.Receiving;

public sealed partial class MllpListenerTests
{
    [Fact]
    public async Task A13_FaultsAndRejections_AreLoggedWithEventIdsAndWithoutMessageContent()
    {
        const string Sentinel = "PHI-SENTINEL-4711";
        using var loggers = new RecordingLoggerFactory();
        var handler = new EchoAckHandler();
        handler.ThrowFor.Add(Sentinel);
        var options = new MllpListenerOptions
        {
            Endpoints = [new IPEndPoint(IPAddress.Loopback, 0)],
            Name = "phi",
            MaxConnections = 2,
            ReadTimeout = TimeSpan.FromMilliseconds(300),
            LogConnectionInfo = true,
        };
        options.Framing.MaxFrameBytes = 2048;
        var listener = new MllpListener(options, handler, loggers);
        var closed = new System.Collections.Concurrent.ConcurrentQueue<MllpConnectionCloseReason?>();
        listener.ConnectionClosed = (e, _) =>
        {
            closed.Enqueue(e.CloseReason);
            return ValueTask.CompletedTask;
        };
        await listener.StartAsync();
        byte[] phiMessage = Encoding.ASCII.GetBytes(MllpTestClient.Message(Sentinel));

        await using (var good = await MllpTestClient.ConnectAsync(listener.LocalEndPoint))
        {
            (await good.SendAndReadAckAsync("OK1")).Should().Be("OK1");
            (await good.SendAndReadAckAsync(Sentinel)).Should().BeNull("the handler throws for this one");
        }

        await using (var oversize = await MllpTestClient.ConnectAsync(listener.LocalEndPoint))
        {
            await oversize.WriteAsync([MllpFrame.StartBlock, .. Enumerable.Repeat(phiMessage, 20).SelectMany(b => b)]);
            (await oversize.WaitForCloseAsync(TimeSpan.FromSeconds(5))).Should().BeTrue();
        }

        await using (var slow = await MllpTestClient.ConnectAsync(listener.LocalEndPoint))
        {
            await slow.WriteAsync([MllpFrame.StartBlock, .. phiMessage]);
            (await slow.WaitForCloseAsync(TimeSpan.FromSeconds(5))).Should().BeTrue();
        }

        var junk = await MllpTestClient.ConnectAsync(listener.LocalEndPoint);
        await junk.WriteAsync(phiMessage);
        (await junk.WaitForCloseAsync(TimeSpan.FromSeconds(5))).Should().BeTrue();
        await junk.DisposeAsync();
        await Eventually.AssertAsync(() => closed.Count == 4, TimeSpan.FromSeconds(5), "four connections closed");
        await listener.DisposeAsync();

        closed.Should().BeEquivalentTo(new MllpConnectionCloseReason?[]
        {
            MllpConnectionCloseReason.HandlerFailed, MllpConnectionCloseReason.FrameTooLarge,
            MllpConnectionCloseReason.ReadTimeout, MllpConnectionCloseReason.FramingViolation,
        });
        loggers.AssertNoEntryContains(Sentinel);
        var entries = loggers.Entries;
        entries.Select(e => e.EventId.Id).Should().Contain(
        [
            Hl7MllpEventIds.ListenerStarted, Hl7MllpEventIds.ConnectionOpened, Hl7MllpEventIds.ConnectionClosed,
            Hl7MllpEventIds.HandlerFailed, Hl7MllpEventIds.ConnectionFramingError, Hl7MllpEventIds.ConnectionTimedOut,
            Hl7MllpEventIds.FrameHandled, Hl7MllpEventIds.ListenerStopped,
        ]);
        entries.Where(e => e.EventId.Id == Hl7MllpEventIds.ConnectionOpened).Should().OnlyContain(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Information);
    }
}
