using System.Collections;
using System.Text;
using Microsoft.Extensions.Logging;
using Xunit.Sdk;

namespace Hl7Mllp.Testing.Logging;

/// <summary>An <see cref="ILoggerFactory"/> whose loggers record every entry, for asserting event IDs and the absence of PHI.</summary>
/// <remarks>Thread-safe: loggers may write from any thread while a test reads <see cref="Entries"/>.</remarks>
public sealed class RecordingLoggerFactory : ILoggerFactory
{
    private readonly Lock _lock = new();
    private readonly List<LogEntry> _entries = [];
    private readonly List<LogEntry> _scopes = [];
    private readonly ManualResetEventSlim _holding = new();
    private readonly ManualResetEventSlim _released = new();

    /// <summary>A snapshot of every entry so far, in the order logged.</summary>
    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>A snapshot of every scope begun so far (level <see cref="LogLevel.None"/>, message = state text).</summary>
    public IReadOnlyList<LogEntry> Scopes
    {
        get
        {
            lock (_lock)
            {
                return [.. _scopes];
            }
        }
    }

    /// <summary>
    /// Gets or sets an event ID whose entries are recorded and then thrown as <see cref="InvalidOperationException"/>,
    /// as a broken logging provider would; <see langword="null"/> (the default) throws nothing.
    /// </summary>
    public int? ThrowOnEventId { get; set; }

    /// <summary>
    /// Gets or sets an event ID whose entries are recorded and then hold the logging thread until <see cref="Release"/>
    /// (at most 30 s), as a slow logging provider would; <see langword="null"/> (the default) holds nothing.
    /// </summary>
    public int? HoldOnEventId { get; set; }

    /// <summary>Waits until a thread is held by <see cref="HoldOnEventId"/>; false when none is within <paramref name="timeout"/>.</summary>
    public bool WaitUntilHolding(TimeSpan timeout) => _holding.Wait(timeout);

    /// <summary>Lets the threads held by <see cref="HoldOnEventId"/>, and any later ones, go on.</summary>
    public void Release() => _released.Set();

    /// <summary>Creates a logger for <paramref name="categoryName"/> that records into this factory.</summary>
    public ILogger CreateLogger(string categoryName) => new RecordingLogger(this, categoryName);

    /// <summary>Ignored: this factory only records.</summary>
    public void AddProvider(ILoggerProvider provider)
    {
    }

    /// <summary>Entries whose <see cref="EventId.Id"/> is <paramref name="eventId"/>.</summary>
    public IReadOnlyList<LogEntry> WithEventId(int eventId) => [.. Entries.Where(entry => entry.EventId.Id == eventId)];

    /// <summary>True when at least one entry has event ID <paramref name="eventId"/>.</summary>
    public bool HasEventId(int eventId) => Entries.Any(entry => entry.EventId.Id == eventId);

    /// <summary>Removes every recorded entry and scope.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
            _scopes.Clear();
        }
    }

    /// <summary>
    /// Fails when <paramref name="sentinel"/> (for example <c>PHI-SENTINEL-…</c>) appears, ignoring case, in any recorded
    /// message, exception text (<see cref="Exception.ToString"/>, inner exceptions, <see cref="Exception.Data"/>), state or
    /// scope key or value (including byte arrays and memory decoded as Latin-1, and items of collections) — RELIABILITY A13.
    /// </summary>
    /// <exception cref="XunitException">The sentinel was found; the message says where, without repeating the text.</exception>
    public void AssertNoEntryContains(string sentinel)
    {
        ArgumentException.ThrowIfNullOrEmpty(sentinel);
        var places = new List<string>();
        foreach (var entry in Entries.Concat(Scopes))
        {
            var where = $"{entry.Category} event {entry.EventId.Id} ({entry.Level})";
            if (Contains(entry.Message, sentinel))
            {
                places.Add($"{where}: message");
            }

            if (entry.Exception is not null && ExceptionContains(entry.Exception, sentinel))
            {
                places.Add($"{where}: exception {entry.Exception.GetType().Name}");
            }

            foreach (var pair in entry.State)
            {
                if (Contains(pair.Key, sentinel) || ValueContains(pair.Value, sentinel, depth: 0))
                {
                    places.Add($"{where}: state '{pair.Key}'");
                }
            }
        }

        if (places.Count > 0)
        {
            throw new XunitException($"Sentinel found in {places.Count} log place(s):{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", places)}");
        }
    }

    /// <summary>Lets any held thread go on and releases the wait handles.</summary>
    public void Dispose()
    {
        _released.Set();
        _holding.Dispose();
        _released.Dispose();
    }

    internal void HoldIfAsked(EventId eventId)
    {
        if (HoldOnEventId == eventId.Id)
        {
            _holding.Set();
            _released.Wait(TimeSpan.FromSeconds(30));
        }
    }

    internal void Add(LogEntry entry)
    {
        lock (_lock)
        {
            _entries.Add(entry);
        }
    }

    internal void AddScope(LogEntry scope)
    {
        lock (_lock)
        {
            _scopes.Add(scope);
        }
    }

    private static bool Contains(string? text, string sentinel) =>
        text is not null && text.Contains(sentinel, StringComparison.OrdinalIgnoreCase);

    private static bool ExceptionContains(Exception exception, string sentinel)
    {
        // ToString covers type, message, inner exceptions (also of AggregateException) and stack.
        if (Contains(exception.ToString(), sentinel))
        {
            return true;
        }

        foreach (DictionaryEntry item in exception.Data)
        {
            if (ValueContains(item.Key, sentinel, 0) || ValueContains(item.Value, sentinel, 0))
            {
                return true;
            }
        }

        return exception.InnerException is not null && ExceptionContains(exception.InnerException, sentinel);
    }

    private static bool ValueContains(object? value, string sentinel, int depth) => value switch
    {
        null => false,
        string text => Contains(text, sentinel),
        byte[] bytes => Contains(Encoding.Latin1.GetString(bytes), sentinel),
        ReadOnlyMemory<byte> memory => Contains(Encoding.Latin1.GetString(memory.Span), sentinel),
        Memory<byte> memory => Contains(Encoding.Latin1.GetString(memory.Span), sentinel),
        Exception exception => ExceptionContains(exception, sentinel),
        IEnumerable items when depth < 3 => Contains(value.ToString(), sentinel)
            || items.Cast<object?>().Any(item => ValueContains(item, sentinel, depth + 1)),
        _ => Contains(value.ToString(), sentinel),
    };
}
