using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Hl7Mllp.Messages;
using Hl7Mllp.Receiving;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>
/// A trivial handler: answers every message with <c>MSA|AA|&lt;MSH-10&gt;</c> and records the control IDs it handled, in
/// order. Optional delay, gate and failure let tests hold or break a message in flight.
/// </summary>
internal sealed class EchoAckHandler : IMllpMessageHandler
{
    private int _calls;

    public ConcurrentQueue<string> Handled { get; } = new();

    /// <summary>Every call's control ID and whether it ran on a thread-pool thread, in call order.</summary>
    public ConcurrentQueue<(string ControlId, bool OnPoolThread)> Threads { get; } = new();

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Time spent per message, honouring the cancellation token.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, every call waits for it (or for cancellation) before answering.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Whether <see cref="Gate"/> is awaited without the cancellation token, like a handler that ignores it.</summary>
    public bool GateIgnoresCancellation { get; set; }

    /// <summary>The control ID read again from the payload once the gate opened: empty when the payload was taken away meanwhile.</summary>
    public ConcurrentQueue<string> ReadAfterGate { get; } = new();

    /// <summary>Control IDs for which the handler throws (after writing <see cref="WriteBeforeThrow"/>, if set).</summary>
    public HashSet<string> ThrowFor { get; } = [];

    /// <summary>Whether a NAK is written before throwing for an ID in <see cref="ThrowFor"/>.</summary>
    public bool WriteBeforeThrow { get; set; }

    /// <summary>Bytes of padding (an NTE segment) added to every ACK, to make responses that fill the socket buffers.</summary>
    public int ResponsePadding { get; set; }

    public static string Ack(string controlId, string code = "AA") => $"MSH|^~\\&|RCV|FAC|SND|FAC|20260101000000||ACK|A{controlId}|P|2.5\rMSA|{code}|{controlId}\r";

    public async ValueTask HandleAsync(MllpReceiveContext context, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        string controlId = Hl7Message.TryParse(context.GetPayloadMemory(), out var message, out _) ? message.ControlId : string.Empty;
        Threads.Enqueue((controlId, Thread.CurrentThread.IsThreadPoolThread));
        if (Gate is { } gate)
        {
            await (GateIgnoresCancellation ? gate.Task : gate.Task.WaitAsync(cancellationToken));
            ReadAfterGate.Enqueue(Hl7Message.TryParse(context.GetPayloadMemory(), out var again, out _) ? again.ControlId : string.Empty);
        }

        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, cancellationToken);
        }

        if (ThrowFor.Contains(controlId))
        {
            if (WriteBeforeThrow)
            {
                context.Response.Write<byte>(Encoding.ASCII.GetBytes(Ack(controlId, "AE")));
            }

            throw new InvalidOperationException("handler failure for test");
        }

        Handled.Enqueue(controlId);
        context.Response.Write<byte>(Encoding.ASCII.GetBytes(Ack(controlId)));
        if (ResponsePadding > 0)
        {
            context.Response.Write<byte>(Encoding.ASCII.GetBytes($"NTE|{new string('x', ResponsePadding)}\r"));
        }
    }
}
