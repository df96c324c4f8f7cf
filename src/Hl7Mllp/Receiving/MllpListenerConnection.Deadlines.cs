using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Hl7Mllp.Receiving;

/// <summary>
/// Deadlines without per-wait timers: before waiting on the peer the connection records when the wait must end and
/// why; the listener's timer (<see cref="MllpListenerDeadlines"/>) calls <see cref="CheckDeadline"/> on every tick
/// and shuts the socket down (and closes it, for a connection on its own thread) once the deadline has passed, so the
/// pending read, write or handshake fails and <see cref="EndWait"/> turns that failure into the recorded close reason.
/// </summary>
internal sealed partial class MllpListenerConnection
{
    // _waitDeadline holds a TimeProvider timestamp or one of these (timestamps stay far below them).
    private const long NotWaiting = long.MaxValue;
    private const long NoDeadline = long.MaxValue - 1;
    private const long Expired = long.MaxValue - 2;

    private long _waitDeadline = NotWaiting;
    private MllpConnectionCloseReason _waitReason;
    private bool _waitingForPeer;
    private MllpConnectionCloseReason? _timedOut;

    /// <summary>Called on every tick of the listener's deadline timer; closes the wait if its deadline has passed.</summary>
    /// <param name="now">The current <see cref="TimeProvider"/> timestamp.</param>
    internal void CheckDeadline(long now)
    {
        long deadline = Volatile.Read(ref _waitDeadline);
        if (deadline < Expired && now >= deadline && Interlocked.CompareExchange(ref _waitDeadline, Expired, deadline) == deadline)
        {
            ShutDownSocket();
        }
    }

    /// <summary>Starts a wait for bytes: the idle timeout between frames; inside one, the per-read or whole-frame deadline, whichever is first.</summary>
    /// <param name="frameUnderWay">Whether bytes of an unfinished frame are buffered.</param>
    internal void BeginReadWait(bool frameUnderWay)
    {
        var deadlines = _listener.Deadlines;
        if (!frameUnderWay)
        {
            // Idle counts from the last traffic (bytes received, or the last message handled), not from when this wait
            // began: the loop may reach its next read a moment after the peer already saw the ACK.
            long idleDeadline = deadlines.Idle == MllpListenerDeadlines.None ? NoDeadline : Volatile.Read(ref _lastActivity) + deadlines.Idle;
            SetWait(idleDeadline, MllpConnectionCloseReason.IdleTimeout, waitingForPeer: true);
            return;
        }

        long now = _timeProvider.GetTimestamp();
        long deadline = deadlines.Read == MllpListenerDeadlines.None ? NoDeadline : now + deadlines.Read;
        var reason = MllpConnectionCloseReason.ReadTimeout;
        long frameStart = _frameStart;
        if (deadlines.Frame != MllpListenerDeadlines.None && frameStart != 0 && frameStart + deadlines.Frame < deadline)
        {
            deadline = frameStart + deadlines.Frame;
            reason = MllpConnectionCloseReason.FrameTimeout;
        }

        SetWait(deadline, reason, waitingForPeer: true);
        if (deadline <= now)
        {
            // A frame already past its deadline (bytes kept it busy until now): do not wait for the next tick.
            CheckDeadline(now);
        }
    }

    /// <summary>Ends the current wait.</summary>
    /// <returns><see langword="true"/> when the wait was cut short: its deadline passed, or (waiting for the peer) a stop was requested.</returns>
    internal bool EndWait()
    {
        if (Interlocked.Exchange(ref _waitDeadline, NotWaiting) == Expired)
        {
            _timedOut = _waitReason;
            return true;
        }

        return _waitingForPeer && Volatile.Read(ref _stopRequested) == 1;
    }

    private void BeginWait(long timeout, MllpConnectionCloseReason reason, bool waitingForPeer) =>
        SetWait(timeout == MllpListenerDeadlines.None ? NoDeadline : _timeProvider.GetTimestamp() + timeout, reason, waitingForPeer);

    private void SetWait(long deadline, MllpConnectionCloseReason reason, bool waitingForPeer)
    {
        _waitReason = reason;
        _waitingForPeer = waitingForPeer;

        // A full fence: the timer sees the reason with the deadline, and a stop requested just before is seen below
        // (RequestStop sets its flag, then looks at the wait: one of the two sides always sees the other).
        Interlocked.Exchange(ref _waitDeadline, deadline);
        if (waitingForPeer && Volatile.Read(ref _stopRequested) == 1)
        {
            ShutDownSocket();
        }
    }

    /// <summary>Called after a stop was requested: a connection waiting for the peer (bytes or handshake) is interrupted.</summary>
    private void InterruptWaitForPeer()
    {
        if (Volatile.Read(ref _waitDeadline) != NotWaiting && Volatile.Read(ref _waitingForPeer))
        {
            ShutDownSocket();
        }
    }

    private void ShutDownSocket()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Already closed or reset: the wait ends anyway.
        }

        if (HasOwnThread)
        {
            // A thread blocked in receive or send is woken by the shutdown on Linux, not on every system; closing the
            // socket wakes it everywhere. The connection closes after an interrupted wait anyway.
            _socket.Dispose();
        }
    }

    private ValueTask WaitForWriteAsync(ValueTask write)
    {
        if (write.IsCompletedSuccessfully)
        {
            write.GetAwaiter().GetResult();
            return ValueTask.CompletedTask;
        }

        BeginWait(_listener.Deadlines.Read, MllpConnectionCloseReason.ReadTimeout, waitingForPeer: false);
        return AwaitWriteAsync(write);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitWriteAsync(ValueTask write)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch
        {
            ThrowIfWaitInterrupted();
            throw;
        }

        ThrowIfWaitInterrupted();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> WaitForWriteAsync(ValueTask<int> write)
    {
        BeginWait(_listener.Deadlines.Read, MllpConnectionCloseReason.ReadTimeout, waitingForPeer: false);
        int written;
        try
        {
            written = await write.ConfigureAwait(false);
        }
        catch
        {
            ThrowIfWaitInterrupted();
            throw;
        }

        ThrowIfWaitInterrupted();
        return written;
    }

    /// <summary>Ends the current wait and throws if it was cut short (see <see cref="EndWait"/>).</summary>
    /// <exception cref="OperationCanceledException">The deadline passed or a stop interrupted the wait.</exception>
    internal void ThrowIfWaitInterrupted()
    {
        if (EndWait())
        {
            throw new OperationCanceledException("The wait was interrupted by its deadline or a stop.");
        }
    }
}
