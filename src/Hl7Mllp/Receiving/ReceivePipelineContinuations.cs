using System.Diagnostics.CodeAnalysis;
using Hl7Mllp.Messages;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Receiving;

/// <summary>What the continuation assembler did with a message.</summary>
internal enum ContinuationStep
{
    /// <summary>Not part of a continuation: handle it as it is.</summary>
    None,

    /// <summary>A fragment that was held until the rest arrives; acknowledge it.</summary>
    Held,

    /// <summary>The last fragment: the whole message is assembled.</summary>
    Complete,

    /// <summary>A continuation (MSH-14) that matches no pending message.</summary>
    Orphan,

    /// <summary>The assembled message would grow past the size limit; it was dropped.</summary>
    TooLarge,
}

/// <summary>
/// Reassembles continued messages (HL7 v2 "continuation", unsolicited flow): a fragment ends with a DSC segment whose
/// DSC-1 is the continuation pointer; the next fragment from the same sender (MSH-3, MSH-4) carries that pointer in
/// MSH-14, and the last one has no DSC. A segment cut at a fragment's end continues in an ADD segment placed first
/// after the next fragment's MSH. The assembled message keeps the first fragment's MSH.
/// </summary>
/// <remarks>
/// Pending fragments live in memory, bounded by a size per message, a total size of everything held, a number of
/// pending messages (the oldest is dropped) and a timeout checked whenever a fragment arrives. A process that ends loses
/// pending fragments, although each one was acknowledged: the sender has to send the whole sequence again. A completed
/// message is remembered (its bytes within the same bounds) until the timeout, so a last fragment resent because its ACK
/// was lost is assembled again and meets the duplicate check like any resent message. Thread-safe.
/// </remarks>
internal sealed class ReceivePipelineContinuations(TimeSpan timeout, int maxBytes, long maxHeldBytes, int maxPending, TimeProvider timeProvider, ILogger logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Pending> _completed = new(StringComparer.Ordinal);
    private long _heldBytes;

    /// <summary>Tells from MSH-14 and the last segment whether a message takes part in a continuation.</summary>
    public static bool IsFragment(in Hl7Message message, ReadOnlySpan<byte> continuationPointer) =>
        !continuationPointer.Trim((byte)' ').IsEmpty || !LastDscPointer(message).IsEmpty;

    /// <summary>Adds a fragment; on <see cref="ContinuationStep.Complete"/>, <paramref name="assembled"/> holds the whole message.</summary>
    public ContinuationStep Accept(in Hl7Message fragment, ReadOnlySpan<byte> sender, ReadOnlySpan<byte> continuationPointer, out byte[]? assembled)
    {
        assembled = null;
        ReadOnlySpan<byte> bytes = fragment.Bytes.Span;
        ReadOnlySpan<byte> next = LastDscPointer(fragment, out int dscStart);
        ReadOnlySpan<byte> pointer = continuationPointer.Trim((byte)' ');
        long now = timeProvider.GetTimestamp();
        lock (_lock)
        {
            Expire(now);
            Pending? pending = null;
            string? consumedKey = pointer.IsEmpty ? null : Key(sender, pointer);
            if (consumedKey is not null && !Take(_pending, consumedKey, out pending))
            {
                // The sender resends a fragment whose ACK was lost: it is already appended, so acknowledge it again; the
                // last one is assembled again, and the duplicate check answers it as it answers any resent message.
                if (next.IsEmpty && _completed.TryGetValue(consumedKey, out Pending? done) && done.LastFragment.ControlId == fragment.ControlId)
                {
                    assembled = done.ToArray();
                    return ContinuationStep.Complete;
                }

                return IsResend(sender, next, consumedKey, fragment.ControlId) ? ContinuationStep.Held : ContinuationStep.Orphan;
            }

            pending ??= new Pending(now);
            if (pending.Fragments == 0)
            {
                pending.Append(bytes[..dscStart]);
            }
            else
            {
                pending.AppendContinuation(bytes[..dscStart], fragment.Delimiters.FieldByte);
            }

            pending.Fragments++;
            pending.LastFragment = (consumedKey, fragment.ControlId);
            if (pending.Length > maxBytes || pending.Length > maxHeldBytes)
            {
                return ContinuationStep.TooLarge;
            }

            if (next.IsEmpty)
            {
                assembled = pending.ToArray();

                // Kept only to answer a resend: at its exact size, counted like every held buffer.
                pending.Freeze(assembled);
                Put(_completed, consumedKey!, pending);
                Log.PipelineReassembled(logger, fragment.ControlId, pending.Fragments, assembled.Length);
                MakeRoom(keep: null);
                return ContinuationStep.Complete;
            }

            string key = Key(sender, next);
            Put(_pending, key, pending);
            MakeRoom(keep: key);
            if (logger.IsEnabled(LogLevel.Debug))
            {
                Log.PipelineFragmentHeld(logger, fragment.ControlId, bytes.Length, pending.Fragments, pending.Length);
            }

            return ContinuationStep.Held;
        }
    }

    /// <summary>Gets how many continued messages are waiting for more fragments.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    private static ReadOnlySpan<byte> LastDscPointer(in Hl7Message message) => LastDscPointer(message, out _);

    /// <summary>DSC-1 of the last segment when it is a DSC; <paramref name="dscStart"/> is where it starts (or the message length).</summary>
    private static ReadOnlySpan<byte> LastDscPointer(in Hl7Message message, out int dscStart)
    {
        ReadOnlySpan<byte> bytes = message.Bytes.Span;
        ReadOnlySpan<byte> trimmed = bytes.TrimEnd("\r\n"u8);
        dscStart = trimmed.LastIndexOfAny((byte)'\r', (byte)'\n') + 1;
        ReadOnlySpan<byte> last = trimmed[dscStart..];
        byte separator = message.Delimiters.FieldByte;
        if (last.Length < 4 || !last.StartsWith("DSC"u8) || last[3] != separator)
        {
            dscStart = bytes.Length;
            return default;
        }

        ReadOnlySpan<byte> pointer = last[4..];
        int end = pointer.IndexOf(separator);
        pointer = (end < 0 ? pointer : pointer[..end]).Trim((byte)' ');
        if (pointer.IsEmpty)
        {
            // An empty DSC-1 continues nothing: the message is complete without its DSC.
            return default;
        }

        return pointer;
    }

    private static string Key(ReadOnlySpan<byte> sender, ReadOnlySpan<byte> pointer) =>
        string.Concat(System.Text.Encoding.Latin1.GetString(sender), "\u001f", System.Text.Encoding.Latin1.GetString(pointer));

    /// <summary>Tells whether a fragment is the last one accepted for the message now waiting on <paramref name="next"/>.</summary>
    private bool IsResend(ReadOnlySpan<byte> sender, ReadOnlySpan<byte> next, string consumedKey, string controlId) =>
        !next.IsEmpty
        && _pending.TryGetValue(Key(sender, next), out Pending? held)
        && held.LastFragment == (consumedKey, controlId);

    /// <summary>Gets the bytes held (buffer capacities) for pending and recently completed messages.</summary>
    public long HeldBytes
    {
        get
        {
            lock (_lock)
            {
                return _heldBytes;
            }
        }
    }

    private bool Take(Dictionary<string, Pending> from, string key, [NotNullWhen(true)] out Pending? pending)
    {
        if (!from.Remove(key, out pending))
        {
            return false;
        }

        _heldBytes -= pending.Capacity;
        return true;
    }

    /// <summary>Holds <paramref name="pending"/> under <paramref name="key"/>, replacing (and no longer counting) what was there.</summary>
    private void Put(Dictionary<string, Pending> into, string key, Pending pending)
    {
        Take(into, key, out _);
        into[key] = pending;
        _heldBytes += pending.Capacity;
    }

    private void Expire(long now)
    {
        ExpireFrom(_pending, now, log: true);
        ExpireFrom(_completed, now, log: false);
    }

    private void ExpireFrom(Dictionary<string, Pending> held, long now, bool log)
    {
        foreach ((string key, Pending pending) in held)
        {
            if (timeProvider.GetElapsedTime(pending.StartedAt, now) > timeout)
            {
                Take(held, key, out _);
                if (log)
                {
                    Log.PipelineContinuationExpired(logger, pending.Fragments, pending.Length, timeout);
                }
            }
        }
    }

    /// <summary>
    /// Drops what is held longest until the held bytes (buffer capacities) fit their limit and at most <c>maxPending</c>
    /// messages wait and at most as many completed ones are kept; completed messages (kept only to answer a resend) go
    /// first. The entry under <paramref name="keep"/> stays.
    /// </summary>
    private void MakeRoom(string? keep)
    {
        while ((_heldBytes > maxHeldBytes && _completed.Count > 0) || _completed.Count > maxPending)
        {
            Take(_completed, _completed.MinBy(static pair => pair.Value.StartedAt).Key, out _);
        }

        while (_heldBytes > maxHeldBytes || _pending.Count > maxPending)
        {
            KeyValuePair<string, Pending> oldest = _pending.Where(pair => pair.Key != keep).MinBy(static pair => pair.Value.StartedAt);
            if (oldest.Key is null)
            {
                return;
            }

            Take(_pending, oldest.Key, out _);
            Log.PipelineContinuationExpired(logger, oldest.Value.Fragments, oldest.Value.Length, timeout);
        }
    }

    private sealed class Pending(long startedAt)
    {
        private byte[] _bytes = [];

        public long StartedAt { get; } = startedAt;

        public int Fragments { get; set; }

        /// <summary>The last accepted fragment: the pending key its MSH-14 consumed (none for the first) and its MSH-10.</summary>
        public (string? ConsumedKey, string ControlId) LastFragment { get; set; }

        public int Length { get; private set; }

        /// <summary>Gets the bytes this message holds in memory (its buffer's size), which is what the limits count.</summary>
        public int Capacity => _bytes.Length;

        /// <summary>Keeps <paramref name="exact"/> (the assembled message, never written to again) instead of the growable buffer.</summary>
        public void Freeze(byte[] exact)
        {
            _bytes = exact;
            Length = exact.Length;
        }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (Length + bytes.Length > _bytes.Length)
            {
                // The first fragment at its size, then doubling: what is held stays under twice what was received.
                Array.Resize(ref _bytes, Math.Max(Length + bytes.Length, _bytes.Length * 2));
            }

            bytes.CopyTo(_bytes.AsSpan(Length));
            Length += bytes.Length;
        }

        /// <summary>Appends a later fragment without its MSH; a leading ADD segment continues the last segment so far.</summary>
        public void AppendContinuation(ReadOnlySpan<byte> fragment, byte separator)
        {
            int afterHeader = fragment.IndexOfAny((byte)'\r', (byte)'\n');
            ReadOnlySpan<byte> rest = afterHeader < 0 ? default : fragment[afterHeader..].TrimStart("\r\n"u8);
            if (rest.Length >= 3 && rest.StartsWith("ADD"u8) && (rest.Length == 3 || rest[3] == separator))
            {
                // The cut segment goes on where it stopped: drop the segment end written after it, nothing is copied.
                Length = _bytes.AsSpan(0, Length).TrimEnd("\r\n"u8).Length;
                rest = rest[Math.Min(4, rest.Length)..];
            }
            else if (Length > 0 && _bytes[Length - 1] is not ((byte)'\r' or (byte)'\n'))
            {
                Append("\r"u8);
            }

            Append(rest);
        }

        public byte[] ToArray() => _bytes.AsSpan(0, Length).ToArray();
    }
}
