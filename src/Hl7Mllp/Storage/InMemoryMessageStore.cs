using Hl7Mllp.Messages;

namespace Hl7Mllp.Storage;

/// <summary>
/// A message store that keeps copies of the messages in memory: for tests, benchmarks and throw-away receivers.
/// It is not durable: everything is lost when the process ends.
/// </summary>
/// <remarks>Thread-safe. Memory grows with every stored message unless <see cref="KeepMessages"/> is off.</remarks>
public sealed class InMemoryMessageStore : IMessageStore
{
    private readonly Lock _lock = new();
    private readonly List<byte[]> _messages = [];
    private long _count;

    /// <summary>Creates a store.</summary>
    /// <param name="keepMessages">Whether to keep a copy of every message (default); <see langword="false"/> only counts them, for load runs.</param>
    public InMemoryMessageStore(bool keepMessages = true)
    {
        KeepMessages = keepMessages;
    }

    /// <summary>Gets whether a copy of every message is kept.</summary>
    public bool KeepMessages { get; }

    /// <summary>Gets how many messages were stored.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Stores a copy of the message's bytes (or only counts it).</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the store.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask StoreAsync(ReceivedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        if (KeepMessages)
        {
            byte[] copy = message.Bytes.ToArray();
            lock (_lock)
            {
                _messages.Add(copy);
            }
        }

        Interlocked.Increment(ref _count);
        return ValueTask.CompletedTask;
    }

    /// <summary>Gets copies of the stored messages' bytes, in the order they were stored.</summary>
    /// <returns>A snapshot.</returns>
    public IReadOnlyList<ReadOnlyMemory<byte>> GetMessages()
    {
        lock (_lock)
        {
            return [.. _messages.Select(static bytes => new ReadOnlyMemory<byte>(bytes))];
        }
    }

    /// <summary>Parses the stored messages again (each over its own copy), in the order they were stored.</summary>
    /// <returns>The messages.</returns>
    public IReadOnlyList<Hl7Message> GetParsedMessages() => [.. GetMessages().Select(static bytes => Hl7Message.Parse(bytes))];
}
