namespace Hl7Mllp.Receiving;

/// <summary>
/// What an <c>MllpListener</c> calls for every message frame it reads. The standard handler is the receive
/// pipeline (parse, validate, store, acknowledge); application code can supply its own or wrap it.
/// </summary>
/// <remarks>
/// The listener calls the handler for one connection strictly in order: the response to message n is written
/// before message n+1 is read. Calls for different connections run concurrently, so a handler must be
/// thread-safe. The listener builds no ACKs itself: it sends what the handler wrote to
/// <see cref="MllpReceiveContext.Response"/> (nothing when it is empty). An exception thrown by a handler is logged
/// without message content and the connection is closed with nothing sent, so the sender resends: a response the
/// handler wrote before throwing is discarded, never sent. To answer with a negative ACK, write it and return normally. The receive pipeline turns
/// its own failures into negative ACKs (HL7 error 207) before they reach the listener.
/// </remarks>
public interface IMllpMessageHandler
{
    /// <summary>Handles one received message and writes the response to send back (normally an ACK).</summary>
    /// <param name="context">The received payload, where it came from, and the buffer to write the response into.</param>
    /// <param name="cancellationToken">Signalled when the listener stops or the connection closes.</param>
    /// <returns>A task that completes when the message is handled and the response written to <see cref="MllpReceiveContext.Response"/>.</returns>
    ValueTask HandleAsync(MllpReceiveContext context, CancellationToken cancellationToken = default);
}
