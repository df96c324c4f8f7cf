using System.Globalization;
using System.Runtime.CompilerServices;
using Hl7Mllp.Acks;

namespace Hl7Mllp.Storage;

/// <summary>
/// A bounded in-memory <see cref="IMessageSource"/> for tests, samples and benchmarks. It is not durable: a process
/// crash loses what it holds. When full, <see cref="EnqueueAsync"/> waits for room instead of dropping a message
/// (RELIABILITY C9, F6).
/// </summary>
/// <remarks>
/// Messages stay queued until completed, so a poll that is abandoned (stop, failure) offers them again, first, next
/// time. A completed message is removed whatever its outcome and handed to the optional completion callback.
/// Thread-safe.
/// </remarks>
public sealed class InMemoryMessageSource : IMessageSource
{
    private readonly LinkedList<OutboundMessage> _queue = new();
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _room;
    private readonly Action<OutboundMessage, MllpSendResult>? _completed;
    private readonly TimeProvider _timeProvider;
    private long _nextId;

    /// <summary>Creates an empty source.</summary>
    /// <param name="capacity">The most messages held at once; <see cref="EnqueueAsync"/> waits when it is reached. Default: 10 000.</param>
    /// <param name="completed">Called with each completed message and its outcome, on the completing thread; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock for <see cref="OutboundMessage.EnqueuedAt"/>; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    public InMemoryMessageSource(int capacity = 10_000, Action<OutboundMessage, MllpSendResult>? completed = null, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _room = new SemaphoreSlim(capacity, capacity);
        _completed = completed;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the most messages held at once.</summary>
    public int Capacity { get; }

    /// <summary>Gets the number of messages waiting (polled or not, but not completed).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Adds a message at the end of the queue, waiting while the source is full.</summary>
    /// <param name="bytes">The HL7 message bytes; not copied, so keep them unchanged until the message is completed.</param>
    /// <param name="cancellationToken">Cancels the wait for room; nothing is added then.</param>
    /// <returns>The queued message; its <see cref="OutboundMessage.Id"/> is a sequence number starting at 1.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled before there was room.</exception>
    public async ValueTask<OutboundMessage> EnqueueAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        await _room.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Add(bytes);
    }

    /// <summary>Adds a message at the end of the queue if there is room, without waiting.</summary>
    /// <param name="bytes">The HL7 message bytes; not copied.</param>
    /// <param name="message">The queued message, or <see langword="null"/> when the source is full.</param>
    /// <returns><see langword="true"/> when the message was added; <see langword="false"/> when the source is full (nothing is dropped silently: the caller keeps the message).</returns>
    public bool TryEnqueue(ReadOnlyMemory<byte> bytes, out OutboundMessage? message)
    {
        if (!_room.Wait(0))
        {
            message = null;
            return false;
        }

        message = Add(bytes);
        return true;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<OutboundMessage> PollAsync(int max, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        OutboundMessage[] batch;
        lock (_lock)
        {
            batch = [.. _queue.Take(max)];
        }

        foreach (OutboundMessage message in batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return message;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="message"/> or <paramref name="result"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="message"/> is not waiting in this source (never added, or already completed).</exception>
    public ValueTask CompleteAsync(OutboundMessage message, MllpSendResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(result);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            // Almost always the head: the transmitter completes in order.
            LinkedListNode<OutboundMessage>? node = _queue.First;
            while (node is not null && !ReferenceEquals(node.Value, message))
            {
                node = node.Next;
            }

            if (node is null)
            {
                throw new InvalidOperationException($"Message {message.Id} is not waiting in this source.");
            }

            _queue.Remove(node);
        }

        _room.Release();
        _completed?.Invoke(message, result);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public int GetPendingCount() => Count;

    private OutboundMessage Add(ReadOnlyMemory<byte> bytes)
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            // The ID is taken under the lock so that IDs follow queue order.
            var message = new OutboundMessage((++_nextId).ToString(CultureInfo.InvariantCulture), bytes, enqueuedAt: now);
            _queue.AddLast(message);
            return message;
        }
    }
}
