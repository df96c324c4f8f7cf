namespace Hl7Mllp.Storage;

/// <summary>
/// Where a receiver keeps the messages it accepts. The receive pipeline acknowledges a message positively only
/// after <see cref="StoreAsync"/> has returned, so an implementation must return only once the message is durable
/// (flushed to disk, committed to the database).
/// </summary>
/// <remarks>
/// A store that cannot keep a message throws; the pipeline then answers with a negative ACK (HL7 error 207) and
/// records nothing as received, so the sender sends it again. Implementations must be safe to call from several
/// connections at once.
/// </remarks>
public interface IMessageStore
{
    /// <summary>Stores a message durably.</summary>
    /// <param name="message">The message; its bytes are valid only until this call returns, so copy what you keep.</param>
    /// <param name="cancellationToken">Cancels the store; the message then counts as not stored.</param>
    /// <returns>A task that completes when the message is durable.</returns>
    ValueTask StoreAsync(ReceivedMessage message, CancellationToken cancellationToken = default);
}
