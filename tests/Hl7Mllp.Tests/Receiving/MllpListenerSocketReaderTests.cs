using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Hl7Mllp.Receiving;

namespace Hl7Mllp.Tests.Receiving;

/// <summary>Buffer management of the plain-TCP reader, over a loopback socket pair (no listener).</summary>
public sealed class MllpListenerSocketReaderTests : IAsyncLifetime
{
    private Socket _client = null!;
    private Socket _server = null!;

    public async Task InitializeAsync()
    {
        using var listen = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listen.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listen.Listen(1);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await _client.ConnectAsync(listen.LocalEndPoint!);
        _server = await listen.AcceptAsync();
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        _server.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ReadAsync_UnconsumedBytesUpToTheLimit_GrowTheBufferThenReleaseItWhenConsumed()
    {
        const int Limit = 300_000;
        var reader = new MllpListenerSocketReader(_server, Limit);
        byte[] sent = [.. Enumerable.Range(0, Limit).Select(i => (byte)i)];
        await _client.SendAsync(sent);

        var result = await reader.ReadAsync();
        while (result.Buffer.Length < Limit)
        {
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = await reader.ReadAsync();
        }

        result.Buffer.IsSingleSegment.Should().BeTrue("one buffer, one segment");
        result.Buffer.ToArray().Should().Equal(sent);
        reader.Capacity.Should().Be(Limit, "the buffer grows to the limit and never past it");

        reader.AdvanceTo(result.Buffer.End);
        reader.Capacity.Should().Be(MllpListenerSocketReader.InitialBufferSize, "a large buffer is released once consumed");
        await _client.SendAsync(new byte[] { 1, 2, 3 });
        (await reader.ReadAsync()).Buffer.ToArray().Should().Equal(1, 2, 3);
        reader.Complete();
    }

    [Fact]
    public async Task ReadAsync_NothingConsumedAtTheLimit_ThrowsInsteadOfGrowing()
    {
        var reader = new MllpListenerSocketReader(_server, 8192);
        await _client.SendAsync(new byte[20_000]);
        _client.Shutdown(SocketShutdown.Send);

        // Bounded: a reader that wrongly grew would reach the peer's end and stop there instead of hanging.
        var read = () => ReadToTheEndAsync(reader);

        await read.Should().ThrowAsync<InvalidOperationException>();
        reader.Capacity.Should().Be(8192);
        reader.Complete();
    }

    [Fact]
    public async Task ReadAsync_PartlyConsumed_KeepsTheRestAndReturnsItWithoutReceiving()
    {
        var reader = new MllpListenerSocketReader(_server, 8192);
        await _client.SendAsync(new byte[] { 1, 2, 3, 4 });
        var first = await reader.ReadAsync();
        while (first.Buffer.Length < 4)
        {
            reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);
            first = await reader.ReadAsync();
        }

        reader.AdvanceTo(first.Buffer.GetPosition(3));
        var second = reader.ReadAsync();

        second.IsCompletedSuccessfully.Should().BeTrue("unexamined bytes are returned at once");
        (await second).Buffer.ToArray().Should().Equal(4);
        reader.Complete();
    }

    [Fact]
    public async Task ReadAsync_PeerClosed_CompletesWithTheBufferedBytes()
    {
        var reader = new MllpListenerSocketReader(_server, 8192);
        await _client.SendAsync(new byte[] { 9 });
        _client.Shutdown(SocketShutdown.Send);

        var result = await reader.ReadAsync();
        while (!result.IsCompleted)
        {
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = await reader.ReadAsync();
        }

        result.Buffer.ToArray().Should().Equal(9);
        reader.Complete();
    }

    [Fact]
    public async Task ReadAsync_PeerResetsMidFrame_ThrowsSocketException()
    {
        var reader = new MllpListenerSocketReader(_server, 8192);
        await _client.SendAsync(new byte[] { 0x0B, (byte)'M' });
        var first = await reader.ReadAsync();
        reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);

        // Linger 0: the close sends a reset, the way a peer that crashes or is killed vanishes.
        _client.LingerState = new LingerOption(true, 0);
        _client.Close();

        var read = () => ReadToTheEndAsync(reader);

        (await read.Should().ThrowAsync<SocketException>()).Which.SocketErrorCode.Should().Be(SocketError.ConnectionReset);
        reader.Complete();
    }

    [Fact]
    public async Task CancelPendingRead_BeforeARead_ThatReadIsCanceledWithTheBufferedBytesAndTheNextIsNot()
    {
        var reader = new MllpListenerSocketReader(_server, 8192);
        await _client.SendAsync(new byte[] { 1, 2 });
        var first = await reader.ReadAsync();
        byte[] buffered = first.Buffer.ToArray();
        reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);

        reader.CancelPendingRead();
        var canceled = await reader.ReadAsync();

        canceled.IsCanceled.Should().BeTrue();
        canceled.Buffer.ToArray().Should().Equal(buffered);
        reader.AdvanceTo(canceled.Buffer.Start, canceled.Buffer.End);
        await _client.SendAsync(new byte[] { 3 });
        var next = await reader.ReadAsync();
        next.IsCanceled.Should().BeFalse();
        next.Buffer.ToArray()[^1].Should().Be(3);
        reader.Complete();
    }

    [Fact]
    public async Task AdvanceTo_PositionOfAnotherBuffer_Throws()
    {
        var reader = new MllpListenerSocketReader(_server, 8192);
        await _client.SendAsync(new byte[] { 1 });
        await reader.ReadAsync();

        var advance = () => reader.AdvanceTo(new ReadOnlySequence<byte>(new byte[1]).Start);

        advance.Should().Throw<InvalidOperationException>();
        reader.Complete();
    }

    /// <summary>Reads without consuming anything until the peer's end, at most 100 reads.</summary>
    private static async Task ReadToTheEndAsync(MllpListenerSocketReader reader)
    {
        for (int i = 0; i < 100; i++)
        {
            var result = await reader.ReadAsync();
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }
}
