namespace Hl7Mllp.Duplicates;

/// <summary>
/// The N most recently recorded keys as bytes: a ring of N slots (the oldest is overwritten) indexed by a chained
/// hash table over the slots. Look-up, record and eviction are O(1) and allocate nothing once every slot has held a
/// key at least as long as the one it receives (a slot keeps its buffer). Not thread-safe: the tracker locks.
/// </summary>
/// <remarks>The hash is <see cref="HashCode"/> over the bytes, seeded per process, so a peer cannot choose keys that collide.</remarks>
internal sealed class DuplicateKeyTable
{
    private const int MinKeyBuffer = 32;
    private const int None = -1;

    private readonly int[] _buckets;
    private readonly int[] _chain;
    private readonly int[] _hashes;
    private readonly byte[]?[] _keys;
    private readonly int[] _lengths;
    private readonly long[] _recordedAt;
    private int _next;

    public DuplicateKeyTable(int capacity)
    {
        Capacity = capacity;
        _buckets = new int[capacity == 0 ? 1 : (int)Math.Min(1 << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity))];
        _buckets.AsSpan().Fill(None);
        _chain = new int[capacity];
        _hashes = new int[capacity];
        _keys = new byte[capacity][];
        _lengths = new int[capacity];
        _recordedAt = new long[capacity];
    }

    /// <summary>Gets how many keys are kept at most.</summary>
    public int Capacity { get; }

    /// <summary>Gets how many keys are kept now.</summary>
    public int Count { get; private set; }

    public static int Hash(ReadOnlySpan<byte> key)
    {
        var hash = default(HashCode);
        hash.AddBytes(key);
        return hash.ToHashCode();
    }

    /// <summary>Finds a key's slot; <see langword="false"/> when it is not kept.</summary>
    public bool TryFind(ReadOnlySpan<byte> key, int hash, out int slot)
    {
        for (slot = _buckets[hash & (_buckets.Length - 1)]; slot != None; slot = _chain[slot])
        {
            if (_hashes[slot] == hash && key.SequenceEqual(_keys[slot].AsSpan(0, _lengths[slot])))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Gets when the key in a slot was recorded (Unix milliseconds).</summary>
    public long RecordedAt(int slot) => _recordedAt[slot];

    /// <summary>Records a key: refreshes its time when it is kept, else adds it in place of the oldest.</summary>
    public void Record(ReadOnlySpan<byte> key, long recordedAt) => Record(key, Hash(key), recordedAt);

    /// <summary>Records a key whose <see cref="Hash"/> is known.</summary>
    public void Record(ReadOnlySpan<byte> key, int hash, long recordedAt)
    {
        if (TryFind(key, hash, out int existing))
        {
            _recordedAt[existing] = recordedAt;
            return;
        }

        int slot = _next;
        if (_keys[slot] is not null)
        {
            Unlink(slot);
        }
        else
        {
            Count++;
        }

        byte[]? buffer = _keys[slot];
        if (buffer is null || buffer.Length < key.Length)
        {
            buffer = _keys[slot] = new byte[Math.Max(MinKeyBuffer, key.Length)];
        }

        key.CopyTo(buffer);
        _lengths[slot] = key.Length;
        _hashes[slot] = hash;
        _recordedAt[slot] = recordedAt;
        ref int bucket = ref _buckets[hash & (_buckets.Length - 1)];
        _chain[slot] = bucket;
        bucket = slot;
        _next = slot + 1 == Capacity ? 0 : slot + 1;
    }

    /// <summary>Gets the kept keys, oldest first, with when each was recorded.</summary>
    public IEnumerable<(ReadOnlyMemory<byte> Key, long RecordedAt)> OldestFirst()
    {
        for (int i = 0; i < Capacity; i++)
        {
            int slot = (_next + i) % Capacity;
            if (_keys[slot] is byte[] key)
            {
                yield return (key.AsMemory(0, _lengths[slot]), _recordedAt[slot]);
            }
        }
    }

    private void Unlink(int slot)
    {
        ref int link = ref _buckets[_hashes[slot] & (_buckets.Length - 1)];
        while (link != slot)
        {
            link = ref _chain[link];
        }

        link = _chain[slot];
    }
}
