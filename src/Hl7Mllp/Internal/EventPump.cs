using System.Threading.Channels;

namespace Hl7Mllp.Internal;

/// <summary>
/// Raises a part's events off its I/O path: events are queued (bounded, the oldest dropped when handlers fall
/// behind) and handed to the current handlers in order on one background task. A throwing handler is reported and
/// the others still get the event. Shared by the client and the transmitter.
/// </summary>
/// <typeparam name="TArgs">The event's arguments.</typeparam>
internal sealed class EventPump<TArgs>
    where TArgs : EventArgs
{
    /// <summary>How many events wait for the handlers at most; past it the oldest is dropped.</summary>
    public const int Capacity = 1024;

    private readonly object _sender;
    private readonly Func<EventHandler<TArgs>?> _handlers;
    private readonly Action<TArgs, Exception> _handlerFailed;
    private readonly Channel<TArgs> _channel;
    private readonly Lock _lock = new();
    private Task? _pump;
    private long _dropped;

    /// <param name="sender">The object passed to handlers as the sender.</param>
    /// <param name="handlers">Reads the event's current handlers (the event field).</param>
    /// <param name="handlerFailed">Reports a handler's exception (a log call; never throws).</param>
    public EventPump(object sender, Func<EventHandler<TArgs>?> handlers, Action<TArgs, Exception> handlerFailed)
    {
        _sender = sender;
        _handlers = handlers;
        _handlerFailed = handlerFailed;
        _channel = Channel.CreateBounded<TArgs>(
            new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    /// <summary>Gets how many events were dropped because the handlers fell <see cref="Capacity"/> behind.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Gets how many events wait for the handlers.</summary>
    public int PendingCount => _channel.Reader.Count;

    /// <summary>Queues an event; never blocks and never runs a handler on the caller's path. Ignored after <see cref="CompleteAsync"/>.</summary>
    /// <param name="args">The event's arguments.</param>
    public void Post(TArgs args)
    {
        if (_channel.Writer.TryWrite(args) && _pump is null)
        {
            lock (_lock)
            {
                _pump ??= Task.Run(PumpAsync);
            }
        }
    }

    /// <summary>Stops taking events and waits until the queued ones have been handled.</summary>
    /// <returns>A task that completes when the handlers are done.</returns>
    public async ValueTask CompleteAsync()
    {
        Task? pump;
        lock (_lock)
        {
            _channel.Writer.TryComplete();
            pump = _pump;
        }

        if (pump is not null)
        {
            await pump.ConfigureAwait(false);
        }
    }

    private async Task PumpAsync()
    {
        await foreach (TArgs args in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_handlers() is not { } handlers)
            {
                continue;
            }

            // One handler's exception must not keep the others from their event.
            foreach (EventHandler<TArgs> handler in handlers.GetInvocationList().Cast<EventHandler<TArgs>>())
            {
                try
                {
                    handler(_sender, args);
                }
                catch (Exception exception)
                {
                    _handlerFailed(args, exception);
                }
            }
        }
    }
}
