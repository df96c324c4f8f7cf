using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Hl7Mllp.Diagnostics;

/// <summary>
/// The one name under which Hl7Mllp publishes metrics and traces. Subscribe to it with
/// OpenTelemetry (<c>AddMeter("Hl7Mllp")</c>, <c>AddSource("Hl7Mllp")</c>) or a <see cref="MeterListener"/>.
/// </summary>
/// <remarks>No message content (PHI) is ever put into a metric tag or a span attribute.</remarks>
public static class Hl7MllpTelemetry
{
    /// <summary>The name of the <see cref="Meter"/> and of the <see cref="ActivitySource"/>: <c>Hl7Mllp</c>.</summary>
    public const string Name = "Hl7Mllp";

    /// <summary>The library's meter; instruments are created once, from the parts that record them.</summary>
    internal static readonly Meter Meter = new(Name, typeof(Hl7MllpTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>The library's activity source: one span per send and per received message.</summary>
    internal static readonly ActivitySource ActivitySource = new(Name, typeof(Hl7MllpTelemetry).Assembly.GetName().Version?.ToString());
}
