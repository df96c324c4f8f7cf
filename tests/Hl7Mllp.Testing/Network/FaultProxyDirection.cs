namespace Hl7Mllp.Testing.Network;

/// <summary>One direction of a <see cref="FaultProxy"/>: its current fault and byte counters (over all connections).</summary>
/// <remarks>Thread-safe. A new <see cref="Fault"/> applies from the next read of every live connection and to new ones.</remarks>
public sealed class FaultProxyDirection
{
    private ProxyFault _fault = ProxyFault.PassThrough;
    private long _bytesRead;
    private long _bytesForwarded;

    /// <summary>The fault applied to this direction; default <see cref="ProxyFault.PassThrough"/>.</summary>
    public ProxyFault Fault
    {
        get => Volatile.Read(ref _fault);
        set => Volatile.Write(ref _fault, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>Bytes read from the sending peer.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>Bytes written to the receiving peer (duplicates count twice, dropped bytes not at all).</summary>
    public long BytesForwarded => Interlocked.Read(ref _bytesForwarded);

    internal void AddRead(int count) => Interlocked.Add(ref _bytesRead, count);

    internal void AddForwarded(int count) => Interlocked.Add(ref _bytesForwarded, count);
}
