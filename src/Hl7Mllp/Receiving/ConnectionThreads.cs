namespace Hl7Mllp.Receiving;

/// <summary>
/// The threads that plain-TCP connections run on (<see cref="MllpListenerOptions.DedicatedThreadConnections"/>): at most
/// that many at once, each running one connection's loop to its end. A thread whose connection closed waits up to
/// <see cref="DefaultIdleLifetime"/> for the next connection before it ends, so a sender that connects once per message costs a
/// hand-off between threads per connection, not the start and end of a thread.
/// </summary>
internal sealed class ConnectionThreads
{
    /// <summary>How long a thread without a connection waits for one before it ends, unless the constructor says otherwise.</summary>
    internal static readonly TimeSpan DefaultIdleLifetime = TimeSpan.FromSeconds(30);

    private readonly int _max;
    private readonly TimeSpan _idleLifetime;
    private readonly Lock _lock = new();
    private readonly List<Worker> _idle = [];
    private int _alive;
    private bool _stopped;

    /// <summary>Creates an empty set; threads start as connections need them.</summary>
    /// <param name="max">The most threads alive at once; 0 runs nothing.</param>
    /// <param name="idleLifetime">How long a thread waits for its next connection; <see langword="null"/> for <see cref="DefaultIdleLifetime"/>.</param>
    public ConnectionThreads(int max, TimeSpan? idleLifetime = null)
    {
        _max = max;
        _idleLifetime = idleLifetime ?? DefaultIdleLifetime;
    }

    /// <summary>Gets how many threads are alive: running a connection, or waiting for one (for tests).</summary>
    internal int Alive
    {
        get
        {
            lock (_lock)
            {
                return _alive;
            }
        }
    }

    /// <summary>Gets how many threads wait for a connection (for tests).</summary>
    internal int IdleCount
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on a waiting thread, or on a new one while fewer than the maximum are alive.</summary>
    /// <param name="work">The connection's loop; it must not throw.</param>
    /// <returns><see langword="false"/> when every thread is busy, the set is stopped, or no thread could be started.</returns>
    public bool TryRun(Action work)
    {
        Worker worker;
        lock (_lock)
        {
            if (_stopped)
            {
                return false;
            }

            if (_idle.Count > 0)
            {
                worker = _idle[^1];
                _idle.RemoveAt(_idle.Count - 1);
                worker.Assign(work);
                return true;
            }

            if (_alive >= _max)
            {
                return false;
            }

            _alive++;
        }

        try
        {
            worker = new Worker(this);
            worker.Start(work);
            return true;
        }
        catch (Exception exception) when (exception is OutOfMemoryException or ThreadStartException)
        {
            // The process's thread or memory limit: the caller runs the connection on the pool instead.
            lock (_lock)
            {
                _alive--;
            }

            return false;
        }
    }

    /// <summary>Ends the waiting threads now and every busy one when its connection ends; nothing more is run.</summary>
    public void Stop()
    {
        List<Worker> idle;
        lock (_lock)
        {
            _stopped = true;
            idle = [.. _idle];
            _idle.Clear();
            _alive -= idle.Count;
        }

        foreach (var worker in idle)
        {
            worker.Assign(null);
        }
    }

    /// <summary>Called by a thread whose work ended: it waits for more unless the set is stopped.</summary>
    private bool Park(Worker worker)
    {
        lock (_lock)
        {
            if (_stopped)
            {
                _alive--;
                return false;
            }

            _idle.Add(worker);
            return true;
        }
    }

    /// <summary>Called by a waiting thread whose wait timed out: it ends unless work was handed to it meanwhile.</summary>
    private bool Retire(Worker worker)
    {
        lock (_lock)
        {
            if (!_idle.Remove(worker))
            {
                // Taken by TryRun (or Stop) just as the wait ended: the work is on its way.
                return false;
            }

            _alive--;
            return true;
        }
    }

    private sealed class Worker(ConnectionThreads owner)
    {
        private readonly SemaphoreSlim _signal = new(0);
        private Action? _work;

        public void Start(Action work)
        {
            _work = work;

            // No flowed context: the thread outlives the connection that started it.
            new Thread(Run) { IsBackground = true, Name = "Hl7Mllp connection" }.UnsafeStart();
        }

        /// <summary>Hands over the next work, or <see langword="null"/> to end the thread.</summary>
        public void Assign(Action? work)
        {
            _work = work;
            _signal.Release();
        }

        private void Run()
        {
            while (_work is { } work)
            {
                _work = null;
                work();
                if (!owner.Park(this))
                {
                    break;
                }

                if (_signal.Wait(owner._idleLifetime))
                {
                    continue;
                }

                if (owner.Retire(this))
                {
                    break;
                }

                // The wait timed out just as TryRun or Stop took this thread: their hand-over is on its way.
                _signal.Wait();
            }

            _signal.Dispose();
        }
    }
}
