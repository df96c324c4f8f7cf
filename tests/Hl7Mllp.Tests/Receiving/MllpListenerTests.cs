using System.Net;
using System.Net.Sockets;
using System.Text;
using Hl7Mllp.Receiving;
using Hl7Mllp.Testing;

namespace Hl7Mllp.Tests.Receiving;

/// <summary>The listener's own-thread wiring that the loopback tests cannot see (they have no access to internals).</summary>
public sealed class MllpListenerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task StopAsync_WithAConnectionThreadWaitingForWork_EndsThatThread()
    {
        var handler = new ThreadRecordingHandler();
        var options = new MllpListenerOptions { Endpoints = [new IPEndPoint(IPAddress.Loopback, 0)], Name = "threads" };
        await using var listener = new MllpListener(options, handler);
        await listener.StartAsync();
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await client.ConnectAsync(listener.LocalEndPoint);
            await client.SendAsync(Encoding.ASCII.GetBytes("\vMSH|^~\\&|A|B|C|D|20240101||ADT^A01|T1|P|2.5\r\u001c\r"));
            await handler.Thread.Task.WaitAsync(Wait);
        }

        await Eventually.AssertAsync(() => listener.ConnectionThreads.IdleCount == 1, Wait, "the closed connection's thread waits for the next one");
        var thread = await handler.Thread.Task;
        thread.IsThreadPoolThread.Should().BeFalse("plain-TCP connections run on threads of their own");

        await listener.StopAsync();

        listener.ConnectionThreads.Alive.Should().Be(0, "the stop ends the waiting thread");
        thread.Join(Wait).Should().BeTrue("the waiting thread ended at the stop, not after its idle lifetime");
    }

    private sealed class ThreadRecordingHandler : IMllpMessageHandler
    {
        public TaskCompletionSource<Thread> Thread { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask HandleAsync(MllpReceiveContext context, CancellationToken cancellationToken = default)
        {
            Thread.TrySetResult(System.Threading.Thread.CurrentThread);
            return ValueTask.CompletedTask;
        }
    }
}
