using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Testing.Logging;

/// <summary>One entry captured by a <see cref="RecordingLogger"/>.</summary>
/// <param name="Category">Logger category (usually the full type name).</param>
/// <param name="Level">Log level.</param>
/// <param name="EventId">Event ID (see <c>Hl7MllpEventIds</c>).</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Exception">The exception passed to the logger, if any.</param>
/// <param name="State">State key/values (for <c>[LoggerMessage]</c>: the placeholders and <c>{OriginalFormat}</c>).</param>
public sealed record LogEntry(
    string Category,
    LogLevel Level,
    EventId EventId,
    string Message,
    Exception? Exception,
    IReadOnlyList<KeyValuePair<string, object?>> State)
{
    /// <summary>Returns the value of state key <paramref name="key"/>, or null when absent.</summary>
    public object? this[string key] => State.FirstOrDefault(pair => pair.Key == key).Value;
}
