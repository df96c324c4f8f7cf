namespace Hl7Mllp.Receiving;

/// <summary>The counts behind <see cref="ReceivePipelineCounters"/>, one per <see cref="ReceivePipelineCounterCells"/> slot.</summary>
internal enum ReceivePipelineCounter
{
    Received,
    Stored,
    Rejected,
    Unparseable,
    Duplicates,
    StoreFailures,
    StepFailures,
    AcceptAcksSuppressed,
}

/// <summary>
/// The pipeline's counters, striped by processor: every connection counts each message, and one shared field would
/// bounce its cache line (and the pipeline's hot read-only fields beside it) between cores on every message. Each
/// processor increments its own cache line; a snapshot adds the stripes up.
/// </summary>
/// <remarks>Increments stay atomic (a thread can move to another processor mid-update); they are uncontended in practice. Thread-safe.</remarks>
internal sealed class ReceivePipelineCounterCells
{
    private const int CounterCount = 8;

    // 16 longs (128 bytes) per stripe, the counters in its second half, and 64 bytes after the last: no two stripes
    // (nor the array's header) share a cache line, however the array is aligned.
    private const int Stride = 16;

    private readonly long[] _cells;
    private readonly int _stripeMask;

    public ReceivePipelineCounterCells()
    {
        int stripes = (int)Math.Min(64u, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));
        _stripeMask = stripes - 1;
        _cells = new long[(stripes * Stride) + CounterCount];
    }

    public void Increment(ReceivePipelineCounter counter) =>
        Interlocked.Increment(ref _cells[((Thread.GetCurrentProcessorId() & _stripeMask) * Stride) + Stride / 2 + (int)counter]);

    public long Read(ReceivePipelineCounter counter)
    {
        long total = 0;
        for (int stripe = 0; stripe <= _stripeMask; stripe++)
        {
            total += Volatile.Read(ref _cells[(stripe * Stride) + Stride / 2 + (int)counter]);
        }

        return total;
    }
}
