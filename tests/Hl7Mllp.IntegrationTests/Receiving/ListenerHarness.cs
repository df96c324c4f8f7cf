using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Hl7Mllp.Receiving;

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
    public Task<MllpConnectionEvent> WaitForCloseAsync(MllpConnectionCloseReason reason, TimeSpan? timeout = null) =>
        Eventually.ValueAsync(() => Closed.FirstOrDefault(e => e.CloseReason == reason), timeout ?? TimeSpan.FromSeconds(10));

    public ValueTask DisposeAsync() => Listener.DisposeAsync();
}

/// <summary>Polls a condition with a bounded wait (until the shared test kit lands in main).</summary>
internal static class Eventually
{
    public static async Task<T> ValueAsync<T>(Func<T?> probe, TimeSpan timeout)
        where T : class
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"Condition not met within {timeout}.");
            }

            await Task.Delay(10);
        }
    }

    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string because)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"Not true within {timeout}: {because}");
            }

            await Task.Delay(10);
        }
    }
}
