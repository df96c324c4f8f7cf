namespace Hl7Mllp.Receiving;

/// <summary>
/// A listener's timeouts in <see cref="TimeProvider"/> timestamp units, and the tick of the one timer that enforces
/// them for every connection (the way Kestrel's heartbeat does): a connection records the deadline of each wait in
/// plain fields, and the tick closes those past it. No timer is armed or disarmed per read or write.
/// </summary>
internal sealed class MllpListenerDeadlines
{
    /// <summary>A timeout that is turned off.</summary>
    public const long None = -1;

    // The tick is a tenth of the smallest timeout, within these bounds: a deadline fires at most one tick late.
    internal static readonly TimeSpan MinimumTick = TimeSpan.FromMilliseconds(10);
    internal static readonly TimeSpan MaximumTick = TimeSpan.FromSeconds(1);

    public MllpListenerDeadlines(MllpListenerOptions options, bool tls, TimeProvider timeProvider)
    {
        long frequency = timeProvider.TimestampFrequency;
        Idle = ToTimestamp(options.IdleTimeout, frequency);
        Read = ToTimestamp(options.ReadTimeout, frequency);
        Frame = ToTimestamp(options.FrameTimeout, frequency);
        TlsHandshake = tls ? ToTimestamp(options.TlsHandshakeTimeout, frequency) : None;
        Tick = TickFor(options, tls);
    }

    /// <summary>Gets the idle timeout between frames, or <see cref="None"/>.</summary>
    public long Idle { get; }

    /// <summary>Gets the per-read timeout inside a frame, also the response write timeout, or <see cref="None"/>.</summary>
    public long Read { get; }

    /// <summary>Gets the whole-frame deadline from the frame's first byte, or <see cref="None"/>.</summary>
    public long Frame { get; }

    /// <summary>Gets the TLS handshake timeout, or <see cref="None"/> without TLS.</summary>
    public long TlsHandshake { get; }

    /// <summary>Gets the period of the deadline timer, or <see langword="null"/> when every timeout is off.</summary>
    public TimeSpan? Tick { get; }

    /// <summary>Computes the timer period: a tenth of the smallest timeout in use, between 10 ms and 1 s.</summary>
    /// <param name="options">The listener options.</param>
    /// <param name="tls">Whether connections start with a TLS handshake.</param>
    /// <returns>The period, or <see langword="null"/> when no timeout is in use.</returns>
    internal static TimeSpan? TickFor(MllpListenerOptions options, bool tls)
    {
        TimeSpan smallest = Timeout.InfiniteTimeSpan;
        foreach (var timeout in (ReadOnlySpan<TimeSpan>)[options.IdleTimeout, options.ReadTimeout, options.FrameTimeout, tls ? options.TlsHandshakeTimeout : Timeout.InfiniteTimeSpan])
        {
            if (timeout != Timeout.InfiniteTimeSpan && (smallest == Timeout.InfiniteTimeSpan || timeout < smallest))
            {
                smallest = timeout;
            }
        }

        return smallest == Timeout.InfiniteTimeSpan ? null : TimeSpan.FromTicks(Math.Clamp(smallest.Ticks / 10, MinimumTick.Ticks, MaximumTick.Ticks));
    }

    private static long ToTimestamp(TimeSpan timeout, long frequency) =>
        timeout == Timeout.InfiniteTimeSpan ? None : (long)((Int128)timeout.Ticks * frequency / TimeSpan.TicksPerSecond);
}
