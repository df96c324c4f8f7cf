using System.Text;
using Hl7Mllp.Testing.Logging;
using Microsoft.Extensions.Logging;
using Xunit.Sdk;

namespace Hl7Mllp.Tests.Testing;

public partial class RecordingLoggerFactoryTests
{
    private const string Sentinel = "PHI-SENTINEL-7f3a";

    [Fact]
    public void Log_SourceGeneratedMessage_RecordsCategoryLevelEventMessageAndState()
    {
        using var factory = new RecordingLoggerFactory();
        var logger = factory.CreateLogger("Hl7Mllp.Receiving.MllpListener");

        FrameReceived(logger, "MSG00001", 42);

        var entry = factory.Entries.Should().ContainSingle().Subject;
        entry.Category.Should().Be("Hl7Mllp.Receiving.MllpListener");
        entry.Level.Should().Be(LogLevel.Debug);
        entry.EventId.Id.Should().Be(2001);
        entry.Message.Should().Be("Frame MSG00001 received, 42 bytes.");
        entry["ControlId"].Should().Be("MSG00001");
        entry["Size"].Should().Be(42);
        entry["Missing"].Should().BeNull();
    }

    [Fact]
    public void WithEventId_SeveralEvents_ReturnsOnlyMatching()
    {
        using var factory = new RecordingLoggerFactory();
        var logger = factory.CreateLogger<RecordingLoggerFactoryTests>();

        FrameReceived(logger, "A", 1);
        logger.LogWarning(new EventId(4001), "NAK sent.");
        FrameReceived(logger, "B", 2);

        factory.WithEventId(2001).Select(e => e["ControlId"]).Should().Equal("A", "B");
        factory.HasEventId(4001).Should().BeTrue();
        factory.HasEventId(9999).Should().BeFalse();
    }

    [Fact]
    public void Log_TraceLevel_IsEnabledAndRecorded()
    {
        using var factory = new RecordingLoggerFactory();
        var logger = factory.CreateLogger("c");

        logger.IsEnabled(LogLevel.Trace).Should().BeTrue();
        logger.LogTrace("trace");

        factory.Entries.Should().ContainSingle(e => e.Level == LogLevel.Trace);
    }

    [Fact]
    public async Task Log_ManyThreads_RecordsEveryEntry()
    {
        using var factory = new RecordingLoggerFactory();
        var logger = factory.CreateLogger("c");

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                FrameReceived(logger, "X", i);
                _ = factory.Entries.Count;
            }
        })));

        factory.Entries.Should().HaveCount(4000);
    }

    [Fact]
    public void Clear_AfterEntries_RemovesEntriesAndScopes()
    {
        using var factory = new RecordingLoggerFactory();
        var logger = factory.CreateLogger("c");
        using (logger.BeginScope("scope"))
        {
            logger.LogInformation("hello");
        }

        factory.Clear();

        factory.Entries.Should().BeEmpty();
        factory.Scopes.Should().BeEmpty();
    }

    [Fact]
    public void AssertNoEntryContains_CleanEntries_Passes()
    {
        using var factory = new RecordingLoggerFactory();
        var logger = factory.CreateLogger("c");
        FrameReceived(logger, "MSG1", 10);
        logger.LogError(new InvalidOperationException("frame too large"), "Failed.");

        var check = () => factory.AssertNoEntryContains(Sentinel);

        check.Should().NotThrow();
    }

    public static TheoryData<string, Action<ILogger>> Leaks => new()
    {
        { "message", logger => logger.LogInformation("Patient " + Sentinel) },
        { "state", logger => FrameReceived(logger, Sentinel, 1) },
        { "exception message", logger => logger.LogError(new FormatException("bad " + Sentinel), "Parse failed.") },
        { "inner exception", logger => logger.LogError(new InvalidOperationException("outer", new FormatException(Sentinel)), "Failed.") },
        { "exception data", logger => logger.LogError(WithData(new InvalidOperationException("x"), Sentinel), "Failed.") },
        { "byte[] state", logger => logger.LogDebug("Payload {Payload}", Encoding.ASCII.GetBytes("MSH|^~\\&|" + Sentinel)) },
        { "memory state", logger => logger.LogDebug("Payload {Payload}", new ReadOnlyMemory<byte>(Encoding.ASCII.GetBytes(Sentinel))) },
        { "collection state", logger => logger.LogDebug("Fields {Fields}", new List<string> { "a", Sentinel }) },
        { "scope", logger => logger.BeginScope("Patient {Name}", Sentinel)?.Dispose() },
        { "lower case", logger => logger.LogInformation(Sentinel.ToLowerInvariant()) },
    };

    [Theory]
    [MemberData(nameof(Leaks))]
    public void AssertNoEntryContains_SentinelLeaked_FailsNamingThePlace(string place, Action<ILogger> leak)
    {
        ArgumentNullException.ThrowIfNull(leak);
        using var factory = new RecordingLoggerFactory();
        leak(factory.CreateLogger("Leaky"));

        var check = () => factory.AssertNoEntryContains(Sentinel);

        check.Should().Throw<XunitException>(place).Which.Message.Should().Contain("Leaky").And.NotContain(Sentinel);
    }

    private static InvalidOperationException WithData(InvalidOperationException exception, string value)
    {
        exception.Data["field"] = value;
        return exception;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Frame {ControlId} received, {Size} bytes.")]
    private static partial void FrameReceived(ILogger logger, string controlId, int size);
}
