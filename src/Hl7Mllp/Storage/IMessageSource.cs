using Hl7Mllp.Acks;

namespace Hl7Mllp.Storage;

/// <summary>
/// What a transmitter sends, in order: a durable outbox (a directory, a database table, a queue). The transmitter polls
/// it, sends each message, and reports each final outcome back.
/// </summary>
/// <remarks>
/// <para>
/// The contract is at-least-once delivery. A message stays in the source until <see cref="CompleteAsync"/> has been
/// called for it and has returned; only then may the source delete, archive, or mark it. The transmitter calls
/// <see cref="CompleteAsync"/> only after a final outcome: the receiver accepted it, or it failed finally (rejected,
/// or the retries were used up, under <c>TransmitterFailurePolicy.Skip</c>).
/// </para>
/// <para>
/// A source must survive a crash between the send and the completion by offering the message again on the next poll,
/// with the same bytes: the same MSH-10 lets the receiver's duplicate tracker recognise the second copy. A source must
/// never renumber or rebuild a message it offers again.
/// </para>
/// <para>
/// Order: <see cref="PollAsync"/> yields messages in the order they must be delivered, and a message that was polled
/// but not completed must be yielded again, first, by the next poll. One transmitter polls a source at a time; an
/// implementation need not support concurrent polls, but <see cref="CompleteAsync"/> may run while a poll's
/// enumeration is open.
/// </para>
/// </remarks>
public interface IMessageSource
{
    /// <summary>Yields the next messages to send, oldest first, at most <paramref name="max"/> of them.</summary>
    /// <param name="max">The most messages to yield (the transmitter's maximum per interval); at least 1.</param>
    /// <param name="cancellationToken">Stops the poll; the transmitter then stops enumerating.</param>
    /// <returns>The messages in delivery order; empty when nothing is waiting. The transmitter may stop enumerating early (stop, schedule end, a failure), and the messages it did not complete must be offered again.</returns>
    IAsyncEnumerable<OutboundMessage> PollAsync(int max, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records the final outcome of a message: archive or delete it when <see cref="MllpSendResult.IsAccepted"/>,
    /// otherwise dead-letter it (the seed's fail extension, or the SQL status column). Returns only once the outcome
    /// survives the process ending (a crash, kill -9): a message completed before that is never offered again.
    /// </summary>
    /// <remarks>
    /// Surviving a power loss as well may cost a flush per message; a source may share those flushes between messages
    /// and must then document its bound (<see cref="FileMessageSource"/>: <see cref="FileMessageSourceOptions.CompletionFlushInterval"/>).
    /// A message whose completion was lost is offered again with the same bytes, so the receiver's duplicate check sees it.
    /// </remarks>
    /// <param name="message">The message as polled (same instance).</param>
    /// <param name="result">The outcome: the ACK's result, or a <see cref="MllpSendStatus.Timeout"/> / <see cref="MllpSendStatus.TransportError"/> result made from a transport failure.</param>
    /// <param name="cancellationToken">Cancels the update; the message then counts as not completed and is offered again.</param>
    /// <returns>A task that completes when the outcome is recorded as described above.</returns>
    ValueTask CompleteAsync(OutboundMessage message, MllpSendResult result, CancellationToken cancellationToken = default);

    /// <summary>Gets how many messages are waiting, when the source can tell cheaply (for the queue-depth metric and the dashboard).</summary>
    /// <returns>The number of waiting messages, or -1 when the source cannot tell (the default).</returns>
    int GetPendingCount() => -1;
}
