using System.Buffers;
using System.Text;
using Hl7Mllp.Messages;
using Hl7Mllp.Receiving;
using Hl7Mllp.Storage;

namespace Hl7Mllp.Tests.Receiving;

/// <summary>Messages, fakes and an ACK reader for the receive pipeline tests.</summary>
internal static class ReceivePipelineTestKit
{
    public const string Sentinel = "PHI-SENTINEL-4711";

    public static string Message(string controlId = "CTRL1", string processingId = "P", string msh15 = "", string msh16 = "", string charset = "", string version = "2.5.1", string pid = "PID|1||MRN123^^^HOSP||" + Sentinel + "^JANE") =>
        $"MSH|^~\\&|LAB|NORTH|HIS|MAIN|20260101120000||ADT^A01^ADT_A01|{controlId}|{processingId}|{version}|||{msh15}|{msh16}||{charset}\r{pid}\r";

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static async Task<(ReceiveResult Result, Hl7Message? Ack)> ProcessAsync(ReceivePipeline pipeline, byte[] payload, CancellationToken cancellationToken = default)
    {
        using var context = new MllpReceiveContext(connectionId: 7, listenerName: "TEST");
        context.Reset(new ReadOnlySequence<byte>(payload), new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        ReceiveResult result = await pipeline.ProcessAsync(context, cancellationToken);
        Hl7Message? ack = context.WrittenResponse.IsEmpty ? null : Hl7Message.Parse(context.WrittenResponse.ToArray());
        return (result, ack);
    }

    public static Task<(ReceiveResult Result, Hl7Message? Ack)> ProcessAsync(ReceivePipeline pipeline, string payload) => ProcessAsync(pipeline, Bytes(payload));

    /// <summary>A store that throws what it is told to.</summary>
    public sealed class ThrowingStore(Exception exception) : IMessageStore
    {
        public int Calls { get; private set; }

        public ValueTask StoreAsync(ReceivedMessage message, CancellationToken cancellationToken = default)
        {
            Calls++;
            throw exception;
        }
    }

    /// <summary>A store whose first StoreAsync waits until released (or fails with what it is released with); later calls store at once.</summary>
    public sealed class BlockingStore : IMessageStore
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public TaskCompletionSource FirstStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Calls => Volatile.Read(ref _calls);

        public void Release(Exception? failure = null)
        {
            if (failure is null)
            {
                _release.SetResult();
            }
            else
            {
                _release.SetException(failure);
            }
        }

        public async ValueTask StoreAsync(ReceivedMessage message, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                FirstStarted.SetResult();
                await _release.Task;
            }
        }
    }

    /// <summary>A step that runs a delegate.</summary>
    public sealed class DelegateStep(Action<ReceiveStepContext> action) : IReceiveStep
    {
        public ValueTask ExecuteAsync(ReceiveStepContext context, CancellationToken cancellationToken = default)
        {
            action(context);
            return ValueTask.CompletedTask;
        }
    }
}
