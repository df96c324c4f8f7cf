using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Testing.Logging;

/// <summary>An <see cref="ILogger"/> that records every entry, at every level, into its <see cref="RecordingLoggerFactory"/>.</summary>
/// <remarks>Thread-safe. Scopes are recorded too (their state is checked for PHI), but not attached to entries.</remarks>
public sealed class RecordingLogger : ILogger
{
    private readonly RecordingLoggerFactory _factory;

    internal RecordingLogger(RecordingLoggerFactory factory, string category)
    {
        _factory = factory;
        Category = category;
    }

    /// <summary>The category this logger was created with.</summary>
    public string Category { get; }

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        _factory.AddScope(new LogEntry(Category, LogLevel.None, default, state.ToString() ?? string.Empty, null, ToPairs(state)));
        return null;
    }

    /// <summary>Always true: tests see Trace and Debug entries too, so PHI checks cover every level.</summary>
    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        _factory.Add(new LogEntry(Category, logLevel, eventId, formatter(state, exception), exception, ToPairs(state)));
        _factory.HoldIfAsked(eventId);
        if (_factory.ThrowOnEventId == eventId.Id)
        {
            throw new InvalidOperationException($"logging provider failure for event {eventId.Id} (test)");
        }
    }

    private static List<KeyValuePair<string, object?>> ToPairs<TState>(TState state) =>
        state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? [.. pairs]
            : [new KeyValuePair<string, object?>("State", state)];
}
