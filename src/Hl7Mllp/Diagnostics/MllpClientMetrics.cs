using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Hl7Mllp.Diagnostics;

/// <summary>
/// The client's instruments on the <c>Hl7Mllp</c> meter. Tags are low-cardinality: <c>server.address</c> (the
/// configured host), <c>hl7.ack_code</c> (MSA-1) and <c>error.type</c>; never message content.
/// </summary>
internal static class MllpClientMetrics
{
    public const string ServerAddressTag = "server.address";
    public const string AckCodeTag = "hl7.ack_code";
    public const string ErrorTypeTag = "error.type";

    public static readonly Counter<long> MessagesSent = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.client.messages.sent", "{message}", "Messages written to a receiver, retries included.");

    public static readonly Histogram<double> AckDuration = Hl7MllpTelemetry.Meter.CreateHistogram<double>(
        "hl7mllp.client.ack.duration", "s", "Time from the end of a message's write to its ACK.");

    public static readonly Counter<long> Naks = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.client.naks", "{message}", "Negative ACKs received, by ACK code.");

    public static readonly Counter<long> Timeouts = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.client.timeouts", "{timeout}", "ACK timeouts.");

    public static readonly Counter<long> Reconnects = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.client.reconnects", "{connection}", "Connections opened after the client's first one.");

    public static readonly Counter<long> Errors = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.client.errors", "{error}", "Failed sends and connection attempts, by error type, whether logged or suppressed.");

    public static void RecordSent(string server)
    {
        if (MessagesSent.Enabled)
        {
            MessagesSent.Add(1, new KeyValuePair<string, object?>(ServerAddressTag, server));
        }
    }

    public static void RecordAckDuration(string server, TimeSpan elapsed)
    {
        if (AckDuration.Enabled)
        {
            AckDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(ServerAddressTag, server));
        }
    }

    public static void RecordNak(string server, string ackCode)
    {
        if (Naks.Enabled)
        {
            Naks.Add(1, new KeyValuePair<string, object?>(ServerAddressTag, server), new KeyValuePair<string, object?>(AckCodeTag, ackCode));
        }
    }

    public static void RecordTimeout(string server)
    {
        if (Timeouts.Enabled)
        {
            Timeouts.Add(1, new KeyValuePair<string, object?>(ServerAddressTag, server));
        }
    }

    public static void RecordReconnect(string server)
    {
        if (Reconnects.Enabled)
        {
            Reconnects.Add(1, new KeyValuePair<string, object?>(ServerAddressTag, server));
        }
    }

    public static void RecordError(string server, string errorType)
    {
        if (Errors.Enabled)
        {
            Errors.Add(1, new KeyValuePair<string, object?>(ServerAddressTag, server), new KeyValuePair<string, object?>(ErrorTypeTag, errorType));
        }
    }

    public static Activity? StartSend(string server, int port)
    {
        if (!Hl7MllpTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = Hl7MllpTelemetry.ActivitySource.StartActivity("hl7mllp.send", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ServerAddressTag, server);
            activity.SetTag("server.port", port);
            activity.SetTag("network.protocol.name", "mllp");
        }

        return activity;
    }
}
