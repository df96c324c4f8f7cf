using Hl7Mllp.Testing.Network;

namespace Hl7Mllp.IntegrationTests.Testing;

public class RawTcpServerTests
{
    [Fact]
    public async Task Start_TwoClients_RunsHandlerPerConnection()
    {
        await using var server = RawTcpServer.Start((socket, token) => socket.SendAsync(new byte[] { 0x0B }, token).AsTask());

        using var first = await SocketTestExtensions.ConnectAsync(server.EndPoint);
        using var second = await SocketTestExtensions.ConnectAsync(server.EndPoint);

        (await first.ReceiveToEndAsync()).Data.Should().Equal(0x0B);
        (await second.ReceiveToEndAsync()).Data.Should().Equal(0x0B);
        server.AcceptedConnections.Should().Be(2);
        server.HandlerErrors.Should().BeEmpty();
    }

    [Fact]
    public async Task Handler_Throws_ErrorIsCollectedAndServerKeepsAccepting()
    {
        await using var server = RawTcpServer.Start((_, _) => throw new InvalidOperationException("handler bug"));

        using (var first = await SocketTestExtensions.ConnectAsync(server.EndPoint))
        {
            (await first.ReceiveToEndAsync()).Data.Should().BeEmpty();
        }

        using var second = await SocketTestExtensions.ConnectAsync(server.EndPoint);
        (await second.ReceiveToEndAsync()).Data.Should().BeEmpty();

        server.HandlerErrors.Should().HaveCount(2).And.AllBeOfType<InvalidOperationException>();
    }

    [Fact]
    public async Task DisposeAsync_HandlerWaitingForever_CancelsItAndClosesSocket()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = RawTcpServer.Start(async (socket, token) =>
        {
            await using var registration = token.Register(cancelled.SetResult);
            started.SetResult();
            await Task.Delay(Timeout.Infinite, token);
        });
        using var client = await SocketTestExtensions.ConnectAsync(server.EndPoint);
        await started.Task.WaitAsync(SocketTestExtensions.Bound);

        await server.DisposeAsync();

        cancelled.Task.IsCompleted.Should().BeTrue();
        (await client.ReceiveToEndAsync()).Data.Should().BeEmpty();
        server.HandlerErrors.Should().BeEmpty("cancellation on dispose is not an error");
    }
}
