using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Tests.Framing;

/// <summary>Keeps every log entry (event ID, level, rendered text) so tests can assert on them.</summary>
internal sealed class RecordingLogger : ILogger
{
    public List<(int EventId, LogLevel Level, string Message)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Entries)
        {
            Entries.Add((eventId.Id, logLevel, formatter(state, exception)));
        }
    }
}
