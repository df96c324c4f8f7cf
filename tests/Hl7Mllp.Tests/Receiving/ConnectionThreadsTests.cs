using Hl7Mllp.Receiving;
using Hl7Mllp.Testing;

namespace Hl7Mllp.Tests.Receiving;

public sealed class ConnectionThreadsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TryRun_AfterTheFirstWorkEnded_ReusesItsThread()
    {
        var threads = new ConnectionThreads(4);
        var first = new TaskCompletionSource<(int Id, bool Pool)>();
        var second = new TaskCompletionSource<(int Id, bool Pool)>();

        threads.TryRun(() => first.SetResult((Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread))).Should().BeTrue();
        var one = await first.Task.WaitAsync(Wait);
        await Eventually.AssertAsync(() => IsParked(threads), Wait, "the thread waits for more work");
        threads.TryRun(() => second.SetResult((Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread))).Should().BeTrue();
        var two = await second.Task.WaitAsync(Wait);

        one.Pool.Should().BeFalse("connections run on threads of their own");
        two.Id.Should().Be(one.Id, "the waiting thread took the next work instead of a new thread starting");
        threads.Alive.Should().Be(1);
        threads.Stop();
    }

    [Fact]
    public async Task TryRun_WithEveryThreadBusy_RefusesUntilOneIsFree()
    {
        var threads = new ConnectionThreads(2);
        using var gate = new ManualResetEventSlim();
        var started = new CountdownEvent(2);

        threads.TryRun(() => { started.Signal(); gate.Wait(); }).Should().BeTrue();
        threads.TryRun(() => { started.Signal(); gate.Wait(); }).Should().BeTrue();
        started.Wait(Wait).Should().BeTrue();

        threads.TryRun(() => { }).Should().BeFalse("both threads are busy");
        gate.Set();
        await Eventually.AssertAsync(() => threads.TryRun(() => { }), Wait, "a thread is free again");
        threads.Alive.Should().BeLessThanOrEqualTo(2);
        threads.Stop();
    }

    [Fact]
    public void TryRun_WithNoThreadsAllowed_RunsNothing()
    {
        var threads = new ConnectionThreads(0);
        var ran = false;

        threads.TryRun(() => ran = true).Should().BeFalse();

        ran.Should().BeFalse();
        threads.Alive.Should().Be(0);
    }

    [Fact]
    public async Task IdleThread_EndsAfterItsLifetime()
    {
        var threads = new ConnectionThreads(4, TimeSpan.FromMilliseconds(50));
        var done = new TaskCompletionSource();

        threads.TryRun(done.SetResult).Should().BeTrue();
        await done.Task.WaitAsync(Wait);

        await Eventually.AssertAsync(() => threads.Alive == 0, Wait, "the idle thread ended");
        var again = new TaskCompletionSource();
        threads.TryRun(again.SetResult).Should().BeTrue("a new thread starts when none waits");
        await again.Task.WaitAsync(Wait);
        threads.Stop();
    }

    [Fact]
    public async Task Stop_EndsWaitingThreadsAtOnceAndBusyOnesWhenTheirWorkEnds()
    {
        // One thread waits for work and one is busy when the set stops (a TryRun after the first thread parked would
        // reuse it, leaving nothing waiting): both must run in parallel first.
        var threads = new ConnectionThreads(4);
        using var idleGate = new ManualResetEventSlim();
        using var busyGate = new ManualResetEventSlim();
        var idleThread = new TaskCompletionSource<Thread>();
        var busyThread = new TaskCompletionSource<Thread>();
        threads.TryRun(() => { idleThread.SetResult(Thread.CurrentThread); idleGate.Wait(); }).Should().BeTrue();
        threads.TryRun(() => { busyThread.SetResult(Thread.CurrentThread); busyGate.Wait(); }).Should().BeTrue();
        var idle = await idleThread.Task.WaitAsync(Wait);
        var busy = await busyThread.Task.WaitAsync(Wait);
        idleGate.Set();
        await Eventually.AssertAsync(() => threads.Alive == 2 && threads.IdleCount == 1, Wait, "one thread waits, one is busy");

        threads.Stop();

        threads.Alive.Should().Be(1, "the waiting thread ended; the busy one still runs its work");
        threads.IdleCount.Should().Be(0);
        idle.Join(Wait).Should().BeTrue("the waiting thread ended at the stop, not after its idle lifetime");
        busy.IsAlive.Should().BeTrue("the busy thread still runs its work");
        threads.TryRun(() => { }).Should().BeFalse("nothing runs after a stop");
        busyGate.Set();
        busy.Join(Wait).Should().BeTrue("the busy thread ended after its work");
        threads.Alive.Should().Be(0);
    }

    [Fact]
    public async Task TryRun_RacingThreadsWhoseWaitEndsAtOnce_RunsEveryAcceptedWorkOnce()
    {
        // A zero idle lifetime makes every parked thread retire at once, racing each hand-over: a work taken by a thread
        // that retired would never run, one handed over twice would run twice, and Alive would drift from the truth.
        var threads = new ConnectionThreads(4, TimeSpan.Zero);
        int ran = 0;
        int accepted = 0;
        for (int i = 0; i < 5_000; i++)
        {
            if (threads.TryRun(() => Interlocked.Increment(ref ran)))
            {
                accepted++;
            }
        }

        accepted.Should().BePositive();
        await Eventually.AssertAsync(() => Volatile.Read(ref ran) >= accepted && threads.Alive == 0, Wait, "every accepted work ran and every thread retired");
        Volatile.Read(ref ran).Should().Be(accepted, "no work ran twice");
        threads.IdleCount.Should().Be(0);
        threads.Stop();
    }

    // A thread that finished its work is parked when it can be handed the next one: TryRun then starts no new thread.
    private static bool IsParked(ConnectionThreads threads) => threads.Alive == 1 && threads.IdleCount == 1;
}
