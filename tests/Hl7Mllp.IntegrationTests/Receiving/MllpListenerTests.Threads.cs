using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Hl7Mllp.Messages;
using Hl7Mllp.Receiving;
using Hl7Mllp.Testing;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>Connections on threads of their own (<c>DedicatedThreadConnections</c>) and on the thread pool.</summary>
public sealed partial class MllpListenerTests
{
    [Fact]
    public async Task OwnThread_HandlerThatCompletesLater_KeepsEveryMessageOnTheConnectionsThread()
    {
        // Each call awaits a timer, so the handler finishes on a pool thread; the connection's thread must wait for it
        // and run the next message itself, never leaving its blocking receive to the pool.
        var handler = new EchoAckHandler { Delay = TimeSpan.FromMilliseconds(1) };
        await using var harness = await ListenerHarness.StartAsync(handler: handler);
        await using var client = await harness.ConnectAsync();

        for (int i = 0; i < 20; i++)
        {
            (await client.SendAndReadAckAsync($"T{i}")).Should().Be($"T{i}");
        }

        handler.Threads.Should().HaveCount(20).And.OnlyContain(call => !call.OnPoolThread);
        handler.Handled.Should().Equal(Enumerable.Range(0, 20).Select(i => $"T{i}"));
    }

    [Fact]
    public async Task OwnThreads_ConnectionsBeyondTheirNumber_RunOnThePoolAndAreAllAnswered()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.DedicatedThreadConnections = 2);
        var clients = new List<MllpTestClient>();
        for (int c = 0; c < 4; c++)
        {
            // One at a time, so the first two are the ones that got the threads.
            clients.Add(await harness.ConnectAsync());
            (await clients[c].SendAndReadAckAsync($"C{c}M0")).Should().Be($"C{c}M0");
        }

        var acked = await Task.WhenAll(clients.Select(async (client, c) =>
        {
            await client.WriteFramesAsync(Enumerable.Range(1, 30).Select(i => $"C{c}M{i}"));
            return await client.ReadAckedControlIdsAsync(30);
        }));

        for (int c = 0; c < 4; c++)
        {
            acked[c].Should().Equal(Enumerable.Range(1, 30).Select(i => $"C{c}M{i}"), "every connection is answered in order");
            bool onPool = c >= 2;
            harness.Handler.Threads.Where(call => call.ControlId.StartsWith($"C{c}M", StringComparison.Ordinal))
                .Should().HaveCount(31).And.OnlyContain(call => call.OnPoolThread == onPool);
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task OwnThreads_Zero_PutsEveryConnectionOnThePool()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.DedicatedThreadConnections = 0);
        await using var client = await harness.ConnectAsync();

        (await client.SendAndReadAckAsync("P1")).Should().Be("P1");

        harness.Handler.Threads.Should().ContainSingle().Which.OnPoolThread.Should().BeTrue();
    }

    [Fact]
    public async Task OwnThread_IsGivenBackWhenItsConnectionCloses()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.DedicatedThreadConnections = 1);
        await using (var first = await harness.ConnectAsync())
        {
            (await first.SendAndReadAckAsync("FIRST")).Should().Be("FIRST");
        }

        await Eventually.AssertAsync(() => harness.Closed.Count == 1, TimeSpan.FromSeconds(5), "the first connection closed");

        // The thread waits for the next connection only once the first one's loop has returned, just after its close
        // was reported: a connection in between runs on the pool, so connect until one gets the thread (bounded).
        bool ownThread = false;
        for (int attempt = 0; attempt < 100 && !ownThread; attempt++)
        {
            await using var next = await harness.ConnectAsync();
            (await next.SendAndReadAckAsync($"NEXT{attempt}")).Should().Be($"NEXT{attempt}");
            ownThread = !harness.Handler.Threads.Last().OnPoolThread;
            if (!ownThread)
            {
                await Task.Delay(20);
            }
        }

        harness.Handler.Threads.First().Should().Be(("FIRST", false));
        ownThread.Should().BeTrue("the closed connection gave its thread back");
    }

    [Fact]
    public async Task OwnThread_WithoutPolling_AnswersAStreamOfMessages()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.ReceiveSpin = TimeSpan.Zero);
        await using var client = await harness.ConnectAsync();

        await client.WriteFramesAsync(Enumerable.Range(0, 50).Select(i => $"S{i}"));

        (await client.ReadAckedControlIdsAsync(50)).Should().Equal(Enumerable.Range(0, 50).Select(i => $"S{i}"));
        harness.Handler.Threads.Should().OnlyContain(call => !call.OnPoolThread);
    }

    private static readonly AsyncLocal<string?> AmbientValue = new();

    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public async Task Handler_SeesTheContextTheListenerWasStartedIn(int connectionThreads)
    {
        // Activity.Current and logging scopes flow the same way: what the host set up around StartAsync reaches the
        // handler, on a connection's own thread as on the pool.
        var handler = new AmbientRecordingHandler();
        var options = new MllpListenerOptions { Endpoints = [new IPEndPoint(IPAddress.Loopback, 0)], DedicatedThreadConnections = connectionThreads };
        await using var listener = new MllpListener(options, handler);
        AmbientValue.Value = "host";
        await listener.StartAsync();
        AmbientValue.Value = null;
        await using var client = await MllpTestClient.ConnectAsync(listener.LocalEndPoint);

        (await client.SendAndReadAckAsync("CTX")).Should().Be("CTX");

        handler.Seen.Should().Equal("host");
    }

    private sealed class AmbientRecordingHandler : IMllpMessageHandler
    {
        public ConcurrentQueue<string?> Seen { get; } = new();

        public ValueTask HandleAsync(MllpReceiveContext context, CancellationToken cancellationToken = default)
        {
            Seen.Enqueue(AmbientValue.Value);
            string controlId = Hl7Message.TryParse(context.GetPayloadMemory(), out var message, out _) ? message.ControlId : string.Empty;
            context.Response.Write<byte>(Encoding.ASCII.GetBytes(EchoAckHandler.Ack(controlId)));
            return ValueTask.CompletedTask;
        }
    }
}
