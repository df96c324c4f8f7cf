using System.Diagnostics.Metrics;
using Hl7Mllp.Acks;
using Hl7Mllp.Diagnostics;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Receiving;

/// <summary>The receive pipeline's instruments on the <c>Hl7Mllp</c> meter. Tags carry codes and outcomes only, never content.</summary>
internal static class ReceivePipelineMetrics
{
    private static readonly Counter<long> Messages = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.pipeline.messages", "{message}", "Messages handled by the receive pipeline, by outcome and ACK code.");

    private static readonly Counter<long> Errors = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.pipeline.errors", "{error}", "Errors reported in negative ACKs, by HL7 error code (table 0357) of the error that decided MSA-1.");

    private static readonly Counter<long> Duplicates = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.pipeline.duplicates", "{message}", "Duplicate messages recognised by the duplicate tracker.");

    private static readonly Counter<long> StoreFailures = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.pipeline.store.failures", "{message}", "Store calls that failed; each was answered with HL7 error 207.");

    public static void Message(ReceiveOutcome outcome, AckCode code)
    {
        if (Messages.Enabled)
        {
            Messages.Add(1, new("hl7mllp.outcome", OutcomeName(outcome)), new("hl7.ack.code", code.ToString()));
        }
    }

    public static void Error(Hl7ErrorCode code)
    {
        if (Errors.Enabled)
        {
            Errors.Add(1, new KeyValuePair<string, object?>("hl7.error.code", (int)code));
        }
    }

    public static void Duplicate() => Duplicates.Add(1);

    public static void StoreFailure() => StoreFailures.Add(1);

    private static string OutcomeName(ReceiveOutcome outcome) => outcome switch
    {
        ReceiveOutcome.Stored => "stored",
        ReceiveOutcome.DuplicateAcknowledged => "duplicate_acknowledged",
        ReceiveOutcome.Rejected => "rejected",
        ReceiveOutcome.Unparseable => "unparseable",
        ReceiveOutcome.Failed => "failed",
        _ => "fragment_held",
    };
}
