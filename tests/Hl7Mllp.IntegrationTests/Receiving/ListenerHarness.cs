using System.Collections.Concurrent;
using System.Net;
using Hl7Mllp.Receiving;
using Hl7Mllp.Testing;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>A started listener on 127.0.0.1:0 with an <see cref="EchoAckHandler"/> and a record of closed connections.</summary>
internal sealed class ListenerHarness : IAsyncDisposable
{
    private ListenerHarness(MllpListener listener, EchoAckHandler handler)
    {
        Listener = listener;
        Handler = handler;
    }

    public MllpListener Listener { get; }

    public EchoAckHandler Handler { get; }

    public ConcurrentQueue<MllpConnectionEvent> Closed { get; } = new();

    public ConcurrentQueue<MllpConnectionEvent> Opened { get; } = new();

    public IPEndPoint EndPoint => Listener.LocalEndPoint;

    public static async Task<ListenerHarness> StartAsync(Action<MllpListenerOptions>? configure = null, EchoAckHandler? handler = null)
    {
        var options = new MllpListenerOptions { Endpoints = [new IPEndPoint(IPAddress.Loopback, 0)], Name = "test" };
        configure?.Invoke(options);
        handler ??= new EchoAckHandler();
        var listener = new MllpListener(options, handler);
        var harness = new ListenerHarness(listener, handler);
        listener.ConnectionOpened = (e, _) =>
        {
            harness.Opened.Enqueue(e);
            return ValueTask.CompletedTask;
        };
        listener.ConnectionClosed = (e, _) =>
        {
            harness.Closed.Enqueue(e);
            return ValueTask.CompletedTask;
        };
        await listener.StartAsync();
        return harness;
    }

    public Task<MllpTestClient> ConnectAsync() => MllpTestClient.ConnectAsync(EndPoint);

    /// <summary>Waits until a closed-connection event with the reason arrives.</summary>
    public async Task<MllpConnectionEvent> WaitForCloseAsync(MllpConnectionCloseReason reason, TimeSpan? timeout = null)
    {
        await Eventually.AssertAsync(() => Closed.Any(e => e.CloseReason == reason), timeout ?? TimeSpan.FromSeconds(10), $"a connection closed with {reason}");
        return Closed.First(e => e.CloseReason == reason);
    }

    public ValueTask DisposeAsync() => Listener.DisposeAsync();
}
