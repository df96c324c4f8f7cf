using System.Globalization;
using System.Text;
using System.Text.Json;
using Hl7Mllp.Messages;
using Hl7Mllp.Receiving;

namespace Hl7Mllp.Cli.Commands;

/// <summary>The handler of <c>listen</c>: the pipeline, plus one line per message, the message count and the after-store fault point.</summary>
public static partial class ListenCommand
{
    private sealed class ReportingHandler(ReceivePipeline pipeline, TextWriter? output, bool json, long stopAfter) : IMllpMessageHandler
    {
        private readonly Lock _outputLock = new();
        private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _handled;

        public Task Completed => _completed.Task;

        public ValueTask HandleAsync(MllpReceiveContext context, CancellationToken cancellationToken = default)
        {
            // The pipeline completes synchronously unless the store or a step waits: no state machine per message then.
            ValueTask<ReceiveResult> processing = pipeline.ProcessAsync(context, cancellationToken);
            if (!processing.IsCompletedSuccessfully)
            {
                return AwaitAsync(processing, context);
            }

            Report(context, processing.Result);
            return ValueTask.CompletedTask;
        }

        private async ValueTask AwaitAsync(ValueTask<ReceiveResult> processing, MllpReceiveContext context) => Report(context, await processing);

        private void Report(MllpReceiveContext context, ReceiveResult result)
        {
            if (result.Outcome == ReceiveOutcome.Stored && Fault == FaultPoint.AfterStoreBeforeAck)
            {
                // Crash test B1: the message is durable and recorded, the ACK not yet written.
                Environment.FailFast("HL7MLLP_FAULT=after-store-before-ack");
            }

            if (output is not null)
            {
                Write(context, result);
            }

            if (stopAfter > 0 && Interlocked.Increment(ref _handled) >= stopAfter)
            {
                _completed.TrySetResult();
            }
        }

        private void Write(MllpReceiveContext context, ReceiveResult result)
        {
            string controlId = "-";
            string type = "-";
            if (Hl7Message.TryParse(context.GetPayloadMemory(), out Hl7Message message, out _))
            {
                controlId = message.ControlId;
                type = message.TriggerEvent.Length == 0 ? message.MessageType : message.MessageType + "^" + message.TriggerEvent;
            }

            string ack = result.AckWritten ? result.AckCode.ToString() : "none";
            string line = json ? Json(controlId, type, ack, result) : string.Create(CultureInfo.InvariantCulture,
                $"{controlId} {type} {ack} {OutcomeText(result.Outcome)}{(result.FirstError == Hl7ErrorCode.MessageAccepted ? string.Empty : $" error {(int)result.FirstError}")}{(result.ErrorCount > 1 ? $" ({result.ErrorCount} errors)" : string.Empty)}");
            lock (_outputLock)
            {
                output!.WriteLine(line);
                output.Flush();
            }
        }

        private static string Json(string controlId, string type, string ack, ReceiveResult result)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("controlId", controlId);
                writer.WriteString("type", type);
                writer.WriteString("ack", ack);
                writer.WriteString("outcome", OutcomeText(result.Outcome));
                writer.WriteNumber("error", (int)result.FirstError);
                writer.WriteNumber("errors", result.ErrorCount);
                writer.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }

        private static string OutcomeText(ReceiveOutcome outcome) => outcome switch
        {
            ReceiveOutcome.Stored => "stored",
            ReceiveOutcome.DuplicateAcknowledged => "duplicate",
            ReceiveOutcome.Rejected => "rejected",
            ReceiveOutcome.Unparseable => "unparseable",
            ReceiveOutcome.Failed => "failed",
            _ => "fragment",
        };
    }
}
