using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Network;
using static Hl7Mllp.IntegrationTests.Testing.SocketTestExtensions;

namespace Hl7Mllp.IntegrationTests.Testing;

public sealed class FaultProxyTests : IAsyncLifetime
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private RawTcpServer _echo = null!;
    private FaultProxy _proxy = null!;

    public Task InitializeAsync()
    {
        _echo = RawTcpServer.StartEcho();
        _proxy = FaultProxy.Start(_echo.EndPoint);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _echo.DisposeAsync();
    }

    [Fact]
    public async Task PassThrough_EchoRoundTrip_ForwardsBytesAndCounts()
    {
        var data = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        using var client = await ConnectAsync(_proxy.EndPoint);

        await client.SendAllAsync(data);
        var echoed = await client.ReceiveExactlyAsync(data.Length);

        echoed.Should().Equal(data);
        _proxy.AcceptedConnections.Should().Be(1);
        _proxy.ServerToClient.BytesRead.Should().Be(data.Length);
        await Eventually.AssertAsync(() => _proxy.ClientToServer.BytesForwarded == data.Length, Bound, "counted right after each send");
        _proxy.EndPoint.Address.Should().Be(IPAddress.Loopback);
    }

    [Fact]
    public async Task Split_OneByteWithDelay_DeliversSameBytesInSeveralReadsSpreadInTime()
    {
        var reads = new ConcurrentQueue<byte[]>();
        var lastReadAt = 0L;
        await using var target = RawTcpServer.Start(async (socket, token) =>
        {
            var buffer = new byte[1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, token)) > 0)
            {
                reads.Enqueue(buffer[..read]);
                Volatile.Write(ref lastReadAt, Stopwatch.GetTimestamp());
            }
        });
        await using var proxy = FaultProxy.Start(target.EndPoint);
        proxy.ClientToServer.Fault = ProxyFault.Split(1, TimeSpan.FromMilliseconds(30));
        using var client = await ConnectAsync(proxy.EndPoint);
        var frame = Frame("MSH|A|B");
        var sentAt = Stopwatch.GetTimestamp();

        await client.SendAllAsync(frame);
        await Eventually.AssertAsync(() => reads.Sum(r => r.Length) == frame.Length, Bound);

        reads.SelectMany(r => r).Should().Equal(frame);
        reads.Should().HaveCountGreaterThan(1, "only a reader stalled for 270 ms could see the 10 one-byte sends as one read");
        Stopwatch.GetElapsedTime(sentAt, Volatile.Read(ref lastReadAt)).Should().BeGreaterThanOrEqualTo(
            TimeSpan.FromMilliseconds(265), "the 10th byte leaves 9 delays after the 1st");
    }

    [Theory]
    [InlineData("DelayEachWrite")]
    [InlineData("Latency")]
    public async Task DelayFaults_OneMessage_ArrivesIntactNoSoonerThanDelay(string kind)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        _proxy.ServerToClient.Fault = kind == "Latency" ? ProxyFault.Latency(delay) : ProxyFault.DelayEachWrite(delay);
        using var client = await ConnectAsync(_proxy.EndPoint);
        var started = Stopwatch.GetTimestamp();

        await client.SendAllAsync(Frame("ACK"));
        var echoed = await client.ReceiveExactlyAsync(6);

        Stopwatch.GetElapsedTime(started).Should().BeGreaterThanOrEqualTo(delay - TimeSpan.FromMilliseconds(5));
        echoed.Should().Equal(Frame("ACK"));
    }

    [Fact]
    public async Task CloseAfter_OtherDirectionKeepsSending_PeersSeeFinNotReset()
    {
        _proxy.ServerToClient.Fault = ProxyFault.CloseAfter(2);
        using var client = await ConnectAsync(_proxy.EndPoint);

        await client.SendAllAsync([1, 2, 3, 4]);
        var (data, error) = await client.ReceiveToEndAsync();
        for (var i = 0; i < 5; i++)
        {
            await client.SendAsync(new byte[] { 9 });
        }

        data.Should().Equal(1, 2);
        error.Should().BeNull();
        client.Shutdown(SocketShutdown.Send);
        await Eventually.AssertAsync(() => _proxy.OpenConnections == 0, Bound, "both peers have closed");
        _echo.HandlerErrors.Should().BeEmpty("the echo server saw a clean FIN");
    }

    [Fact]
    public async Task Drop_ThenPassThroughAtRuntime_DropsFirstAndForwardsLaterOnSameConnection()
    {
        _proxy.ServerToClient.Fault = ProxyFault.Drop;
        using var client = await ConnectAsync(_proxy.EndPoint);

        await client.SendAllAsync(Frame("first"));
        await Eventually.AssertAsync(() => _proxy.ServerToClient.BytesRead == 8, Bound, "the echo reaches the proxy");
        (await client.StaysSilentAsync(Quiet)).Should().BeTrue();
        _proxy.ServerToClient.BytesForwarded.Should().Be(0);

        _proxy.ServerToClient.Fault = ProxyFault.PassThrough;
        await client.SendAllAsync(Frame("second"));

        (await client.ReceiveExactlyAsync(9)).Should().Equal(Frame("second"));
    }

    [Fact]
    public async Task DuplicateFrames_FrameInTwoWrites_ForwardsWholeFrameTwice()
    {
        _proxy.ServerToClient.Fault = ProxyFault.DuplicateFrames;
        using var client = await ConnectAsync(_proxy.EndPoint);
        var frame = Frame("MSA|AA|1");

        await client.SendAllAsync(frame[..4]);
        (await client.StaysSilentAsync(Quiet)).Should().BeTrue("half a frame is held");
        await client.SendAllAsync(frame[4..]);

        (await client.ReceiveExactlyAsync(frame.Length * 2)).Should().Equal([.. frame, .. frame]);
        await Eventually.AssertAsync(() => _proxy.ServerToClient.BytesForwarded == frame.Length * 2, Bound);
    }

    [Fact]
    public async Task SwapFrames_ThreeFrames_SwapsPairAndReleasesOddFrameAtEndOfStream()
    {
        _proxy.ServerToClient.Fault = ProxyFault.SwapFrames;
        using var client = await ConnectAsync(_proxy.EndPoint);

        await client.SendAllAsync([.. Frame("A1"), .. Frame("A2"), .. Frame("A3")]);
        (await client.ReceiveExactlyAsync(10)).Should().Equal([.. Frame("A2"), .. Frame("A1")]);
        (await client.StaysSilentAsync(Quiet)).Should().BeTrue("the third frame waits for a partner");
        client.Shutdown(SocketShutdown.Send);

        var (rest, error) = await client.ReceiveToEndAsync();
        rest.Should().Equal(Frame("A3"));
        error.Should().BeNull();
    }

    [Fact]
    public async Task SwapFrames_SwitchedOffWhileHolding_ReleasesHeldFrameOnNextRead()
    {
        _proxy.ServerToClient.Fault = ProxyFault.SwapFrames;
        using var client = await ConnectAsync(_proxy.EndPoint);
        await client.SendAllAsync(Frame("A1"));
        (await client.StaysSilentAsync(Quiet)).Should().BeTrue();

        _proxy.ServerToClient.Fault = ProxyFault.PassThrough;
        await client.SendAllAsync(Frame("A2"));

        (await client.ReceiveExactlyAsync(10)).Should().Equal([.. Frame("A1"), .. Frame("A2")]);
    }

    [Fact]
    public async Task Corrupt_PositionInSecondWrite_FlipsOnlyThatByte()
    {
        _proxy.ClientToServer.Fault = ProxyFault.Corrupt(6, 0x20);
        using var client = await ConnectAsync(_proxy.EndPoint);

        await client.SendAllAsync(Encoding.ASCII.GetBytes("abcd"));
        (await client.ReceiveExactlyAsync(4)).Should().Equal(Encoding.ASCII.GetBytes("abcd"));
        await client.SendAllAsync(Encoding.ASCII.GetBytes("efgh"));

        Encoding.ASCII.GetString(await client.ReceiveExactlyAsync(4)).Should().Be("efGh");
    }

    [Fact]
    public async Task ResetAfter_FiveBytes_ForwardsAtMostPrefixThenResetsClient()
    {
        _proxy.ServerToClient.Fault = ProxyFault.ResetAfter(5);
        using var client = await ConnectAsync(_proxy.EndPoint);

        await client.SendAllAsync(Encoding.ASCII.GetBytes("0123456789"));
        var (data, error) = await client.ReceiveToEndAsync();

        error.Should().Be(SocketError.ConnectionReset);
        Encoding.ASCII.GetString(data).Should().BeOneOf(string.Empty, "0", "01", "012", "0123", "01234");
        await Eventually.AssertAsync(() => _proxy.OpenConnections == 0, Bound);
    }

    [Fact]
    public async Task ResetAll_OpenConnection_ClientSeesReset()
    {
        using var client = await ConnectAsync(_proxy.EndPoint);
        await client.SendAllAsync([1]);
        await client.ReceiveExactlyAsync(1);

        _proxy.ResetAll();

        (await client.ReceiveToEndAsync()).Error.Should().Be(SocketError.ConnectionReset);
    }

    [Fact]
    public async Task CloseAfter_FiveBytes_ForwardsExactlyFiveThenFin()
    {
        _proxy.ServerToClient.Fault = ProxyFault.CloseAfter(5);
        using var client = await ConnectAsync(_proxy.EndPoint);

        await client.SendAllAsync(Encoding.ASCII.GetBytes("0123456789"));
        var (data, error) = await client.ReceiveToEndAsync();

        Encoding.ASCII.GetString(data).Should().Be("01234");
        error.Should().BeNull("FIN, not RST");
    }

    [Fact]
    public async Task Blackhole_MessageSent_TargetGetsNothingAndConnectionStaysOpen()
    {
        var received = 0;
        await using var target = RawTcpServer.Start(async (socket, token) =>
        {
            var buffer = new byte[1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, token)) > 0)
            {
                Interlocked.Add(ref received, read);
            }
        });
        await using var proxy = FaultProxy.Start(target.EndPoint);
        proxy.Blackhole();
        using var client = await ConnectAsync(proxy.EndPoint);

        await client.SendAllAsync(Frame("MSH|lost"));
        await Eventually.AssertAsync(() => proxy.ClientToServer.BytesRead == 11, Bound, "the proxy reads the message");

        (await client.StaysSilentAsync(Quiet)).Should().BeTrue("no ACK and no close");
        Volatile.Read(ref received).Should().Be(0);
        proxy.OpenConnections.Should().Be(1);
    }

    [Fact]
    public async Task ClientClose_EchoedStream_PropagatesFinBothWays()
    {
        using var client = await ConnectAsync(_proxy.EndPoint);
        await client.SendAllAsync([1, 2, 3]);

        client.Shutdown(SocketShutdown.Send);
        var (data, error) = await client.ReceiveToEndAsync();

        data.Should().Equal(1, 2, 3);
        error.Should().BeNull();
        await Eventually.AssertAsync(() => _proxy.OpenConnections == 0, Bound);
        _echo.HandlerErrors.Should().BeEmpty();
    }

    [Fact]
    public async Task Connect_TargetDown_ClientConnectionEnds()
    {
        var deadEndPoint = new IPEndPoint(IPAddress.Loopback, FreePort.Next());
        await using var proxy = FaultProxy.Start(deadEndPoint);

        try
        {
            using var client = await ConnectAsync(proxy.EndPoint);
            (await client.ReceiveToEndAsync()).Data.Should().BeEmpty();
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            // The proxy's reset can arrive before the client has seen its connect complete.
        }

        await Eventually.AssertAsync(() => proxy.OpenConnections == 0, Bound);
        proxy.AcceptedConnections.Should().Be(1);
    }

    [Fact]
    public async Task DisposeAsync_OpenConnections_EndsThemAndReturns()
    {
        var proxy = FaultProxy.Start(_echo.EndPoint);
        using var first = await ConnectAsync(proxy.EndPoint);
        using var second = await ConnectAsync(proxy.EndPoint);
        await first.SendAllAsync([7]);
        await first.ReceiveExactlyAsync(1);

        await proxy.DisposeAsync();

        (await first.ReceiveToEndAsync()).Data.Should().BeEmpty();
        (await second.ReceiveToEndAsync()).Data.Should().BeEmpty();
        proxy.OpenConnections.Should().Be(0);
    }

    [Fact]
    public void ProxyFault_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => ProxyFault.Split(0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => ProxyFault.Latency(TimeSpan.FromMilliseconds(-1))).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => ProxyFault.ResetAfter(-1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => ProxyFault.Corrupt(0, 0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => _proxy.ClientToServer.Fault = null!).Should().Throw<ArgumentNullException>();
    }
}
