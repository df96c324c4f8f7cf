using Hl7Mllp.Storage;

namespace Hl7Mllp.Duplicates;

/// <summary>
/// Recognises a message that was received before, by its message control ID (MSH-10, with MSH-3 and MSH-4 by
/// default). The receive pipeline asks <see cref="IsDuplicateAsync"/> before storing and calls
/// <see cref="RecordAsync"/> only after the message is durable, so a message whose store failed is not remembered.
/// </summary>
/// <remarks>Implementations must be safe to call from several connections at once.</remarks>
public interface IDuplicateTracker
{
    /// <summary>Tells whether a message with the same key was recorded before.</summary>
    /// <param name="message">The received message; its bytes are valid only during the call.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns><see langword="true"/> when the message is a duplicate.</returns>
    ValueTask<bool> IsDuplicateAsync(ReceivedMessage message, CancellationToken cancellationToken = default);

    /// <summary>Remembers a message's key, after it has been stored.</summary>
    /// <param name="message">The received message; its bytes are valid only during the call, so copy what you keep.</param>
    /// <param name="cancellationToken">Cancels the record.</param>
    /// <returns>A task that completes when the key is recorded.</returns>
    ValueTask RecordAsync(ReceivedMessage message, CancellationToken cancellationToken = default);
}
