namespace Hl7Mllp.Testing.Network;

/// <summary>Cuts a byte stream into MLLP frames (everything up to and including 0x1C 0x0D) for the proxy's frame faults.</summary>
internal sealed class MllpFrameBuffer
{
    private readonly List<byte> _pending = [];
    private byte[]? _held;
    private int _scanFrom = 1;

    /// <summary>Adds bytes; returns the frames to forward now (each twice, or pairwise swapped).</summary>
    public List<byte[]> Append(byte[] data, ProxyFaultKind kind)
    {
        _pending.AddRange(data);
        var output = new List<byte[]>();
        var start = 0;
        for (var i = Math.Max(_scanFrom, 1); i < _pending.Count; i++)
        {
            if (_pending[i - 1] != 0x1C || _pending[i] != 0x0D)
            {
                continue;
            }

            var frame = _pending.GetRange(start, i + 1 - start).ToArray();
            start = i + 1;
            if (kind == ProxyFaultKind.DuplicateFrames)
            {
                output.Add(frame);
                output.Add(frame);
            }
            else if (_held is null)
            {
                _held = frame;
            }
            else
            {
                output.Add(frame);
                output.Add(_held);
                _held = null;
            }
        }

        _pending.RemoveRange(0, start);
        _scanFrom = Math.Max(_pending.Count, 1);
        return output;
    }

    /// <summary>Returns a held frame and any partial frame, in stream order, and empties the buffer.</summary>
    public List<byte[]> Flush()
    {
        var output = new List<byte[]>();
        if (_held is not null)
        {
            output.Add(_held);
            _held = null;
        }

        if (_pending.Count > 0)
        {
            output.Add([.. _pending]);
            _pending.Clear();
        }

        _scanFrom = 1;
        return output;
    }
}
