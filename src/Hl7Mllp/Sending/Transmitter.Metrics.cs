using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hl7Mllp.Acks;
using Hl7Mllp.Diagnostics;

namespace Hl7Mllp.Sending;

public sealed partial class Transmitter
{
    private const string NameTag = "hl7mllp.transmitter";

    private static readonly Counter<long> Messages = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.transmitter.messages", "{message}", "Messages with a final outcome (tag outcome: accepted, application_error, rejected, protocol_error, timeout, transport_error).");

    private static readonly Counter<long> FailedAttempts = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.transmitter.attempts.failed", "{attempt}", "Failed send attempts, whether or not error-log throttling logged them (tag status).");

    private static readonly ObservableGauge<int> QueueDepth = Hl7MllpTelemetry.Meter.CreateObservableGauge(
        "hl7mllp.transmitter.queue.depth", ObserveDepth, "{message}", "Messages waiting in the source, when it can tell.");

    private static readonly ObservableGauge<double> QueueAge = Hl7MllpTelemetry.Meter.CreateObservableGauge(
        "hl7mllp.transmitter.queue.age", ObserveAge, "s", "Age of the message at the head of the queue (being sent or blocking), when the source tells when it was queued.");

    private static string OutcomeName(MllpSendStatus status) => status switch
    {
        MllpSendStatus.Accepted => "accepted",
        MllpSendStatus.ApplicationError => "application_error",
        MllpSendStatus.Rejected => "rejected",
        MllpSendStatus.ProtocolError => "protocol_error",
        MllpSendStatus.Timeout => "timeout",
        _ => "transport_error",
    };

    private static IEnumerable<Measurement<int>> ObserveDepth()
    {
        foreach (Transmitter transmitter in Running.Keys)
        {
            int depth = transmitter.SafePendingCount();
            if (depth >= 0)
            {
                yield return new Measurement<int>(depth, new KeyValuePair<string, object?>(NameTag, transmitter._name));
            }
        }
    }

    private static IEnumerable<Measurement<double>> ObserveAge()
    {
        foreach (Transmitter transmitter in Running.Keys)
        {
            DateTimeOffset? enqueuedAt;
            lock (transmitter._lock)
            {
                enqueuedAt = transmitter._headEnqueuedAt;
            }

            if (enqueuedAt is { } at)
            {
                double age = Math.Max(0, (transmitter._timeProvider.GetUtcNow() - at).TotalSeconds);
                yield return new Measurement<double>(age, new KeyValuePair<string, object?>(NameTag, transmitter._name));
            }
        }
    }

    private void RecordOutcome(MllpSendStatus status)
    {
        if (Messages.Enabled)
        {
            Messages.Add(1, new TagList { { NameTag, _name }, { "outcome", OutcomeName(status) } });
        }
    }

    private void RecordFailedAttempt(MllpSendStatus status)
    {
        if (FailedAttempts.Enabled)
        {
            FailedAttempts.Add(1, new TagList { { NameTag, _name }, { "status", OutcomeName(status) } });
        }
    }
}
