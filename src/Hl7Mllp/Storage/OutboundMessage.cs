namespace Hl7Mllp.Storage;

/// <summary>
/// One message an <see cref="IMessageSource"/> offers to a transmitter: its bytes, the source's key for it, and what
/// the source knows of earlier attempts.
/// </summary>
/// <remarks>Immutable and thread-safe. The transmitter never changes <see cref="Bytes"/>; it hands the same instance back to <see cref="IMessageSource.CompleteAsync"/>.</remarks>
public sealed class OutboundMessage
{
    /// <summary>Creates an outbound message.</summary>
    /// <param name="id">The source's key for the message (a file path, a primary key as text); used in logs and status, so it must not contain message content.</param>
    /// <param name="bytes">The HL7 message (segments separated by CR, no MLLP framing). The source must keep them unchanged until the message is completed.</param>
    /// <param name="attempts">Previous attempts the source knows of (the seed's <c>tries</c> column); 0 for a new message.</param>
    /// <param name="enqueuedAt">When the message entered the source, for the queue-age metric; <see langword="null"/> when unknown.</param>
    /// <param name="state">Anything the source wants back in <see cref="IMessageSource.CompleteAsync"/> (a row version, a file handle); <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="attempts"/> is negative.</exception>
    public OutboundMessage(string id, ReadOnlyMemory<byte> bytes, int attempts = 0, DateTimeOffset? enqueuedAt = null, object? state = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfNegative(attempts);
        Id = id;
        Bytes = bytes;
        Attempts = attempts;
        EnqueuedAt = enqueuedAt;
        State = state;
    }

    /// <summary>Gets the source's key for the message (file path, primary key as text).</summary>
    public string Id { get; }

    /// <summary>Gets the HL7 message bytes, sent exactly as they are (the same bytes and MSH-10 on every attempt).</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Gets the number of previous attempts the source knows of; 0 for a new message.</summary>
    public int Attempts { get; }

    /// <summary>Gets when the message entered the source, or <see langword="null"/> when the source cannot tell.</summary>
    public DateTimeOffset? EnqueuedAt { get; }

    /// <summary>Gets the source's own data for this message, opaque to the transmitter; may be <see langword="null"/>.</summary>
    public object? State { get; }

    /// <summary>Describes the message without content: its ID and size.</summary>
    /// <returns>For example <c>outbound 42 (1830 bytes)</c>.</returns>
    public override string ToString() => $"outbound {Id} ({Bytes.Length} bytes)";
}
