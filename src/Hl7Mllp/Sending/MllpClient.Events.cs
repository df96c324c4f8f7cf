using System.Threading.Channels;

namespace Hl7Mllp.Sending;

public sealed partial class MllpClient
{
    /// <summary>How many events wait for the handlers at most; past it the oldest is dropped (review finding 2).</summary>
    internal const int EventQueueCapacity = 1024;

    private readonly Lock _eventsLock = new();
    private Channel<MllpClientEventArgs>? _events;
    private Task? _eventPump;
    private long _droppedEvents;

    /// <summary>Gets how many events were dropped because the handlers fell <see cref="EventQueueCapacity"/> behind.</summary>
    internal long DroppedEventCount => Interlocked.Read(ref _droppedEvents);

    /// <summary>Gets how many events wait for the handlers.</summary>
    internal int PendingEventCount => _events?.Reader.Count ?? 0;

    /// <summary>Queues an event for the handlers; never blocks and never runs a handler on the caller's path.</summary>
    private void Raise(MllpClientEventKind kind, string? controlId, Acks.MllpSendStatus? status, string? ackCode, string? error)
    {
        if (EventRaised is null)
        {
            return;
        }

        var channel = _events ?? StartEvents();
        channel?.Writer.TryWrite(new MllpClientEventArgs(kind, _timeProvider.GetUtcNow(), _endPoint, controlId, status, ackCode, error));
    }

    private Channel<MllpClientEventArgs>? StartEvents()
    {
        lock (_eventsLock)
        {
            if (_events is null && Volatile.Read(ref _disposed) == 0)
            {
                // Bounded like the listener's and the transmitter's: a slow or blocked handler costs old events, never memory.
                var channel = Channel.CreateBounded<MllpClientEventArgs>(
                    new BoundedChannelOptions(EventQueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                    _ => Interlocked.Increment(ref _droppedEvents));
                _eventPump = Task.Run(() => PumpEventsAsync(channel.Reader));
                _events = channel;
            }

            return _events;
        }
    }

    private async Task PumpEventsAsync(ChannelReader<MllpClientEventArgs> reader)
    {
        await foreach (var item in reader.ReadAllAsync().ConfigureAwait(false))
        {
            var handlers = EventRaised;
            if (handlers is null)
            {
                continue;
            }

            // One handler's exception must not keep the others from their event.
            foreach (EventHandler<MllpClientEventArgs> handler in handlers.GetInvocationList().Cast<EventHandler<MllpClientEventArgs>>())
            {
                try
                {
                    handler(this, item);
                }
                catch (Exception exception)
                {
                    Log.EventHandlerFailed(_logger, exception, item.Kind);
                }
            }
        }
    }

    private async ValueTask StopEventsAsync()
    {
        Task? pump;
        lock (_eventsLock)
        {
            _events?.Writer.TryComplete();
            pump = _eventPump;
        }

        if (pump is not null)
        {
            await pump.ConfigureAwait(false);
        }
    }
}
