using System.Text;
using Hl7Mllp.Acks;

namespace Hl7Mllp.Sending;

/// <summary>
/// The configured heartbeat with a fresh, unique MSH-10 stamped in place for each send, so a receiver that tracks
/// duplicate control IDs accepts every heartbeat. IDs are <c>HB</c> followed by a time-based number (at most 20
/// characters of ASCII letters and digits, so they never collide with the heartbeat's own delimiters). Not thread-safe: the
/// client sends heartbeats under its send lock, and the buffer is reused.
/// </summary>
internal sealed class HeartbeatMessage
{
    /// <summary>The prefix of every heartbeat control ID.</summary>
    public const string ControlIdPrefix = "HB";

    private readonly TimeBasedAckControlIdGenerator _generator;
    private readonly byte[] _buffer;
    private readonly byte[] _suffix;
    private readonly int _controlIdStart;

    /// <summary>Creates the heartbeat from its configured bytes.</summary>
    /// <param name="message">The configured heartbeat; must have an MSH-10 field.</param>
    /// <param name="timeProvider">The clock for the control IDs.</param>
    /// <exception cref="ArgumentException">The message has no MSH-10 field.</exception>
    public HeartbeatMessage(byte[] message, TimeProvider timeProvider)
    {
        if (!MshHeaderFields.TryLocate(message, 10, out int start, out int length))
        {
            throw new ArgumentException("The heartbeat has no MSH-10 (control ID).", nameof(message));
        }

        _generator = new TimeBasedAckControlIdGenerator(ControlIdPrefix, timeProvider);
        _controlIdStart = start;
        _suffix = message[(start + length)..];
        _buffer = new byte[start + IAckControlIdGenerator.MaxLength + _suffix.Length];
        message.AsSpan(0, start).CopyTo(_buffer);
    }

    /// <summary>Stamps the next control ID into the reused buffer.</summary>
    /// <param name="controlId">The control ID the heartbeat now carries.</param>
    /// <returns>The heartbeat bytes, valid until the next call.</returns>
    public ReadOnlyMemory<byte> Next(out string controlId)
    {
        int written = _generator.WriteNext(_buffer.AsSpan(_controlIdStart, IAckControlIdGenerator.MaxLength));
        controlId = Encoding.ASCII.GetString(_buffer, _controlIdStart, written);
        int end = _controlIdStart + written;
        _suffix.CopyTo(_buffer, end);
        return _buffer.AsMemory(0, end + _suffix.Length);
    }
}
