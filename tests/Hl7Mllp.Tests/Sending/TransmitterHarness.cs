using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Messages;
using Hl7Mllp.Sending;
using Hl7Mllp.Storage;
using Hl7Mllp.Testing.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Hl7Mllp.Tests.Sending;

/// <summary>
/// A transmitter over an in-memory source and a scripted fake sender, on fake time that knows how many timers are
/// pending, so a test can wait until the transmitter is parked at a wait, then advance time. No wall clock is read
/// except the 10-second safety timeout of each wait.
/// </summary>
internal sealed class TransmitterHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TransmitterHarness(TransmitterOptions? options = null, int capacity = 1000, Func<int, string, ValueTask<MllpSendResult>>? script = null, IMessageSource? source = null)
    {
        Time = new TrackingTimeProvider(Start, Changed);
        Completions = [];
        Source = new InMemoryMessageSource(capacity, (message, result) =>
        {
            lock (Completions)
            {
                Completions.Add((message, result));
            }

            Changed();
        }, Time);
        Sender = new FakeSender(script ?? ((_, id) => ValueTask.FromResult(Ack(id, "AA"))), Changed);
        Transmitter = new Transmitter(source ?? Source, Sender, options ?? new TransmitterOptions(), Logs, Time);
    }

    public TrackingTimeProvider Time { get; }

    public InMemoryMessageSource Source { get; }

    public FakeSender Sender { get; }

    public RecordingLoggerFactory Logs { get; } = new();

    public Transmitter Transmitter { get; }

    public List<(OutboundMessage Message, MllpSendResult Result)> Completions { get; }

    public List<string> CompletedIds
    {
        get
        {
            lock (Completions)
            {
                return Completions.Select(c => Hl7Message.Parse(c.Message.Bytes).ControlId).ToList();
            }
        }
    }

    public static byte[] Message(string controlId, int padding = 0) => Encoding.ASCII.GetBytes(
        $"MSH|^~\\&|SEND|FAC|RECV|FAC|20260310120000||ADT^A01^ADT_A01|{controlId}|P|2.5.1\rPID|1||123\r"
        + (padding > 0 ? $"OBX|1|TX|||{new string('p', padding)}\r" : string.Empty));

    public static MllpSendResult Ack(string controlId, string code) =>
        new AckCondition().Evaluate(controlId, Encoding.ASCII.GetBytes($"MSH|^~\\&|RECV|FAC|SEND|FAC|20260310120000||ACK^A01|A{controlId}|P|2.5.1\rMSA|{code}|{controlId}\r"));

    public async Task EnqueueAsync(params string[] controlIds)
    {
        foreach (string id in controlIds)
        {
            await Source.EnqueueAsync(Message(id));
        }
    }

    public Task StartAsync() => Transmitter.StartAsync();

    /// <summary>Waits until the condition holds, re-checking whenever the sender, the source or a timer changes.</summary>
    public async Task UntilAsync(Func<bool> condition, string because)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            Task changed = Volatile.Read(ref _changed).Task;
            if (condition())
            {
                return;
            }

            TimeSpan left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Timed out waiting until {because}.");
            }

            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    /// <summary>Waits until the transmitter is parked at a timer and the sender has been called <paramref name="sends"/> times.</summary>
    public Task IdleAfterAsync(int sends) =>
        UntilAsync(() => Sender.Calls.Count == sends && Time.PendingTimers > 0 && !Sender.InFlight, $"{sends} sends and a pending timer (sends: {Sender.Calls.Count}, timers: {Time.PendingTimers})");

    public async ValueTask DisposeAsync() => await Transmitter.DisposeAsync();

    private void Changed() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>FakeTimeProvider that counts pending timers and reports every change.</summary>
    internal sealed class TrackingTimeProvider(DateTimeOffset start, Action changed) : FakeTimeProvider(start)
    {
        private int _pending;

        public int PendingTimers => Volatile.Read(ref _pending);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var tracked = new TrackedTimer(this);
            Interlocked.Increment(ref _pending);
            tracked.Inner = base.CreateTimer(
                s =>
                {
                    if (period == Timeout.InfiniteTimeSpan)
                    {
                        tracked.Done();
                    }

                    callback(s);
                },
                state,
                dueTime,
                period);
            changed();
            return tracked;
        }

        private sealed class TrackedTimer(TrackingTimeProvider owner) : ITimer
        {
            private int _done;

            public ITimer Inner { get; set; } = null!;

            public void Done()
            {
                if (Interlocked.Exchange(ref _done, 1) == 0)
                {
                    Interlocked.Decrement(ref owner._pending);
                    changed();
                }
            }

            public bool Change(TimeSpan dueTime, TimeSpan period) => Inner.Change(dueTime, period);

            public void Dispose()
            {
                Done();
                Inner.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }

            private void changed() => owner.Notify();
        }

        private void Notify() => changed();
    }

    /// <summary>A sender whose answers come from a script: (call index from 0, MSH-10) → result or exception.</summary>
    internal sealed class FakeSender(Func<int, string, ValueTask<MllpSendResult>> script, Action changed) : ITransmitterSender
    {
        private readonly List<byte[]> _calls = [];
        private readonly List<string> _connectionCalls = [];
        private int _inFlight;

        public IReadOnlyList<byte[]> Calls
        {
            get
            {
                lock (_calls)
                {
                    return [.. _calls];
                }
            }
        }

        public List<string> ControlIds => Calls.Select(c => Hl7Message.Parse(c).ControlId).ToList();

        public bool InFlight => Volatile.Read(ref _inFlight) != 0;

        /// <summary>Gets the connection calls in order: "begin", "end" (of a cycle) and "disconnect" (schedule off).</summary>
        public List<string> ConnectionCalls
        {
            get
            {
                lock (_connectionCalls)
                {
                    return [.. _connectionCalls];
                }
            }
        }

        /// <summary>Gets or sets whether ending a cycle and disconnecting throw, as a client that fails to close would.</summary>
        public bool FailConnectionRelease { get; set; }

        public void BeginCycle() => RecordConnectionCall("begin");

        public ValueTask EndCycleAsync() => ReleaseConnection("end");

        public ValueTask DisconnectAsync() => ReleaseConnection("disconnect");

        public async ValueTask<MllpSendResult> SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            int index;
            lock (_calls)
            {
                index = _calls.Count;
                _calls.Add(message.ToArray());
            }

            Interlocked.Exchange(ref _inFlight, 1);
            changed();
            try
            {
                return await script(index, Hl7Message.Parse(message).ControlId).AsTask().WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Exchange(ref _inFlight, 0);
                changed();
            }
        }

        private ValueTask ReleaseConnection(string call)
        {
            RecordConnectionCall(call);
            return FailConnectionRelease ? ValueTask.FromException(new IOException("close failed")) : ValueTask.CompletedTask;
        }

        private void RecordConnectionCall(string call)
        {
            lock (_connectionCalls)
            {
                _connectionCalls.Add(call);
            }

            changed();
        }
    }
}
