using Hl7Mllp.Acks;

namespace Hl7Mllp.Sending;

/// <summary>The one thing a transmitter needs from a client: send one message and return its ACK outcome. <see cref="MllpClient"/> in production, a fake in tests.</summary>
internal interface ITransmitterSender
{
    /// <summary>Sends one message; throws for transport failures like <see cref="MllpClient.SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.</summary>
    ValueTask<MllpSendResult> SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    /// <summary>A poll cycle starts: a non-persistent connection opened from now on stays open until <see cref="EndCycleAsync"/>.</summary>
    void BeginCycle()
    {
    }

    /// <summary>The poll cycle ended: close a connection held for it.</summary>
    ValueTask EndCycleAsync() => ValueTask.CompletedTask;

    /// <summary>The schedule turned off: close the connection, persistent or not.</summary>
    ValueTask DisconnectAsync() => ValueTask.CompletedTask;
}

/// <summary>Adapts an <see cref="MllpClient"/> to <see cref="ITransmitterSender"/>.</summary>
internal sealed class MllpClientTransmitterSender(MllpClient client) : ITransmitterSender
{
    public ValueTask<MllpSendResult> SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
        client.SendAsync(message, cancellationToken);

    public void BeginCycle() => client.BeginConnectionHold();

    public ValueTask EndCycleAsync() => client.EndConnectionHoldAsync();

    public ValueTask DisconnectAsync() => client.DisconnectAsync(CancellationToken.None);
}
