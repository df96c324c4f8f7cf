using Hl7Mllp.Acks;

namespace Hl7Mllp.Sending;

/// <summary>The one thing a transmitter needs from a client: send one message and return its ACK outcome. <see cref="MllpClient"/> in production, a fake in tests.</summary>
internal interface ITransmitterSender
{
    /// <summary>Sends one message; throws for transport failures like <see cref="MllpClient.SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.</summary>
    ValueTask<MllpSendResult> SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken);
}

/// <summary>Adapts an <see cref="MllpClient"/> to <see cref="ITransmitterSender"/>.</summary>
internal sealed class MllpClientTransmitterSender(MllpClient client) : ITransmitterSender
{
    public ValueTask<MllpSendResult> SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
        client.SendAsync(message, cancellationToken);
}
