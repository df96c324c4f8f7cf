using System.Net.Sockets;
using Hl7Mllp.Sending;
using Hl7Mllp.Testing.Network;

namespace Hl7Mllp.Tests.Sending;

/// <summary>The low-latency stream's slow path: replies later than its receive timeout, over a loopback socket pair.</summary>
public sealed class MllpLowLatencyStreamTests : IDisposable
{
    private readonly LoopbackSocketPair _sockets = new();
    private readonly Socket _client;
    private readonly Socket _server;
    private readonly MllpLowLatencyStream _stream;

    public MllpLowLatencyStreamTests()
    {
        _client = _sockets.Client;
        _server = _sockets.Server;
        _stream = new MllpLowLatencyStream(_client, TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
    }

    [Fact]
    public async Task ReadAsync_RepliesSlowerThanTheWait_AllServedByOneWaiterThread()
    {
        var buffer = new byte[16];
        for (byte i = 1; i <= 5; i++)
        {
            // No byte is there yet, so the read must leave the kernel's 1 ms wait for the slow path.
            var read = _stream.ReadAsync(buffer).AsTask();
            await Task.Delay(30);
            read.IsCompleted.Should().BeFalse("nothing has been sent yet");
            _server.Send([i]);

            (await read.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(1);
            buffer[0].Should().Be(i);
        }

        _stream.SlowWaitsOnOwnThread.Should().Be(5, "one waiter thread served every slow read");
    }

    [Fact]
    public async Task ReadAsync_CancelledWhileWaitingSlowly_CancelsAndTheNextReadStillWorks()
    {
        var buffer = new byte[16];
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        var cancelled = () => _stream.ReadAsync(buffer, cancel.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        await cancelled.Should().ThrowAsync<OperationCanceledException>();
        var read = _stream.ReadAsync(buffer).AsTask();
        _server.Send([42]);
        (await read.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(1);
        buffer[0].Should().Be(42);
    }

    [Fact]
    public async Task ReadAsync_PeerClosesWhileWaitingSlowly_ReturnsZero()
    {
        var read = _stream.ReadAsync(new byte[16]).AsTask();
        await Task.Delay(30);

        _server.Shutdown(SocketShutdown.Send);

        (await read.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(0, "end of stream");
    }

    [Fact]
    public async Task ReadAsync_PeerResetsWhileWaitingSlowly_ThrowsIOExceptionAroundTheReset()
    {
        var buffer = new byte[16];
        await ServeOneSlowReadAsync(buffer);
        var read = _stream.ReadAsync(buffer).AsTask();

        // Linger 0: the close sends a reset instead of a FIN.
        _server.LingerState = new LingerOption(true, 0);
        _server.Close();

        var waited = () => read.WaitAsync(TimeSpan.FromSeconds(10));
        (await waited.Should().ThrowAsync<IOException>()).Which.InnerException.Should().BeOfType<SocketException>()
            .Which.SocketErrorCode.Should().Be(SocketError.ConnectionReset);
        _stream.SlowWaitsOnOwnThread.Should().Be(2, "the failed wait was served by the same thread");
    }

    [Fact]
    public async Task ReadAsync_StreamDisposedWhileWaitingSlowly_FailsInsteadOfHanging()
    {
        var buffer = new byte[16];
        await ServeOneSlowReadAsync(buffer);
        var read = _stream.ReadAsync(buffer).AsTask();

        _stream.Dispose();

        var waited = () => read.WaitAsync(TimeSpan.FromSeconds(10));
        (await waited.Should().ThrowAsync<Exception>()).Which.Should().Match(e => e is ObjectDisposedException || e is IOException, "the socket under the wait was closed");
    }

    [Fact]
    public async Task ReadAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var buffer = new byte[16];
        await ServeOneSlowReadAsync(buffer);
        _stream.Dispose();

        var read = async () => await _stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        await read.Should().ThrowAsync<ObjectDisposedException>();
    }

    public void Dispose()
    {
        _stream.Dispose();
        _sockets.Dispose();
    }

    /// <summary>One read that leaves the 1 ms kernel wait (nothing sent yet) and is served by the waiter thread, which then runs.</summary>
    private async Task ServeOneSlowReadAsync(byte[] buffer)
    {
        var read = _stream.ReadAsync(buffer).AsTask();
        _server.Send([1]);
        (await read.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(1);
        _stream.SlowWaitsOnOwnThread.Should().Be(1);
    }
}
