using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;

namespace Hl7Mllp.Diagnostics;

/// <summary>
/// The listener's instruments on the <c>Hl7Mllp</c> meter and its span per received message. Every instrument carries
/// the listener's name as <c>hl7mllp.listener.name</c>; counts and sizes only, never message content.
/// </summary>
internal static class ListenerMetrics
{
    public const string ListenerNameTag = "hl7mllp.listener.name";
    public const string ReasonTag = "reason";
    public const string ReceiveActivityName = "hl7mllp.receive";

    public static readonly UpDownCounter<long> ActiveConnections = Hl7MllpTelemetry.Meter.CreateUpDownCounter<long>(
        "hl7mllp.listener.connections.active", "{connection}", "Connections open on a listener, TLS handshakes included.");

    public static readonly Counter<long> RejectedConnections = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.listener.connections.rejected", "{connection}", "Connections refused at once (connection limit or allow-list), by reason.");

    public static readonly Counter<long> FramesReceived = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.listener.frames.received", "{frame}", "Message frames received and passed to the handler.");

    public static readonly Counter<long> BytesReceived = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.listener.bytes.received", "By", "Bytes received on listener connections (after TLS decryption).");

    public static readonly Counter<long> FramesOversized = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.listener.frames.oversized", "{frame}", "Frames that grew past MaxFrameBytes; each closed its connection.");

    public static readonly Counter<long> FramesTruncated = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.listener.frames.truncated", "{frame}", "Partial frames dropped because the peer closed or reset the connection.");

    public static readonly Counter<long> Timeouts = Hl7MllpTelemetry.Meter.CreateCounter<long>(
        "hl7mllp.listener.timeouts", "{timeout}", "Connections closed by a timeout, by reason (idle, read, frame, tls_handshake).");

    public static void Add(Counter<long> counter, long value, string listenerName)
    {
        if (counter.Enabled)
        {
            counter.Add(value, new KeyValuePair<string, object?>(ListenerNameTag, listenerName));
        }
    }

    public static void Add(UpDownCounter<long> counter, long value, string listenerName)
    {
        if (counter.Enabled)
        {
            counter.Add(value, new KeyValuePair<string, object?>(ListenerNameTag, listenerName));
        }
    }

    public static void AddWithReason(Counter<long> counter, string listenerName, string reason)
    {
        if (counter.Enabled)
        {
            counter.Add(1, new KeyValuePair<string, object?>(ListenerNameTag, listenerName), new KeyValuePair<string, object?>(ReasonTag, reason));
        }
    }

    /// <summary>Starts the span of one received message, or returns <see langword="null"/> when nobody listens.</summary>
    public static Activity? StartReceive(string listenerName, long connectionId, EndPoint? remoteEndPoint, EndPoint? localEndPoint, long payloadBytes)
    {
        var source = Hl7MllpTelemetry.ActivitySource;
        if (!source.HasListeners())
        {
            return null;
        }

        var activity = source.StartActivity(ReceiveActivityName, ActivityKind.Server);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("network.protocol.name", "mllp");
            activity.SetTag(ListenerNameTag, listenerName);
            activity.SetTag("hl7mllp.connection.id", connectionId);
            activity.SetTag("messaging.message.body.size", payloadBytes);
            if (remoteEndPoint is IPEndPoint remote)
            {
                activity.SetTag("client.address", remote.Address.ToString());
                activity.SetTag("client.port", remote.Port);
            }

            if (localEndPoint is IPEndPoint local)
            {
                activity.SetTag("server.port", local.Port);
            }
        }

        return activity;
    }
}
