using System.Runtime.CompilerServices;
using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Sending;

namespace Hl7Mllp.IntegrationTests.Sending;

/// <summary>
/// RELIABILITY field failure F17: a client that kept every sent message until its ACK timeout expired, even after the
/// ACK came, grew to gigabytes. Once <see cref="MllpClient.SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/> has
/// returned, the client keeps nothing of the message, whatever the ACK timeout.
/// </summary>
public sealed class MllpClientMemoryTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task F17_MessagesAckedWithALongAckTimeout_AreNotKeptAfterTheSend(bool lowLatency)
    {
        await using var peer = FakeMllpPeer.StartAcking();
        MllpClientOptions options = MllpClientTests.Options(peer);
        options.AckTimeout = TimeSpan.FromHours(1);
        options.LowLatencyAckWait = lowLatency ? TimeSpan.FromMilliseconds(1) : TimeSpan.Zero;
        await using var client = new MllpClient(options);

        var sent = new List<WeakReference>();
        for (int i = 0; i < 20; i++)
        {
            sent.Add(await SendLargeAsync(client, $"F17-{i}"));
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // A stack slot or a reused buffer may still reach the odd recent message; what must never happen is that they pile up.
        sent.Count(reference => reference.IsAlive).Should().BeLessThanOrEqualTo(1, "ACKed messages must not be kept until their ACK timeout");
    }

    /// <summary>Sends a 256 KB message and returns a weak reference to its buffer (not inlined: no local keeps it).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> SendLargeAsync(MllpClient client, string controlId)
    {
        byte[] message = Encoding.ASCII.GetBytes(FakeMllpPeer.Message(controlId) + "OBX|1|ED|PDF||" + new string('A', 256 * 1024) + "\r");
        MllpSendResult result = await client.SendAsync(message);
        result.Status.Should().Be(MllpSendStatus.Accepted);
        return new WeakReference(message);
    }
}
