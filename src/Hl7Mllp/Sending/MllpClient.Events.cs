using Hl7Mllp.Internal;

namespace Hl7Mllp.Sending;

public sealed partial class MllpClient
{
    /// <summary>How many events wait for the handlers at most; past it the oldest is dropped (review finding 2).</summary>
    internal const int EventQueueCapacity = EventPump<MllpClientEventArgs>.Capacity;

    /// <summary>Gets how many events were dropped because the handlers fell <see cref="EventQueueCapacity"/> behind.</summary>
    internal long DroppedEventCount => _eventPump.DroppedCount;

    /// <summary>Gets how many events wait for the handlers.</summary>
    internal int PendingEventCount => _eventPump.PendingCount;

    /// <summary>Queues an event for the handlers; never blocks and never runs a handler on the caller's path.</summary>
    private void Raise(MllpClientEventKind kind, string? controlId, Acks.MllpSendStatus? status, string? ackCode, string? error)
    {
        if (EventRaised is not null)
        {
            _eventPump.Post(new MllpClientEventArgs(kind, _timeProvider.GetUtcNow(), _endPoint, controlId, status, ackCode, error));
        }
    }
}
