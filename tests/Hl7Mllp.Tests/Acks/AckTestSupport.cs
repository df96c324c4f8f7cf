using System.Buffers;
using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Tests.Acks;

/// <summary>A clock that stands still at a given local time (the shared test kit has no fake TimeProvider yet).</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override TimeZoneInfo LocalTimeZone { get; } =
        TimeZoneInfo.CreateCustomTimeZone("Hl7Mllp.Test", now.Offset, "Hl7Mllp test zone", "Hl7Mllp test zone");

    public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
}

/// <summary>Writes A1, A2, … so golden ACKs are stable.</summary>
internal sealed class SequentialControlIds : IAckControlIdGenerator
{
    private int _next;

    public int WriteNext(Span<byte> destination) =>
        Encoding.ASCII.GetBytes($"A{Interlocked.Increment(ref _next)}", destination);
}

/// <summary>Finds the shared corpus in place (<c>../shared/corpus</c> next to the worktree, or <c>HL7MLLP_CORPUS</c>).</summary>
internal static class AckCorpus
{
    private static readonly Lazy<string> Root = new(Locate);

    public static string Directory => Root.Value;

    public static byte[] Read(string file) => File.ReadAllBytes(Path.Combine(Directory, file));

    /// <summary>The rows of expected.tsv: file name and column values by header name.</summary>
    public static IEnumerable<Dictionary<string, string>> Expected()
    {
        string[] lines = File.ReadAllLines(Path.Combine(Directory, "expected.tsv"));
        string[] header = lines[0].Split('\t');
        foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
        {
            string[] cells = line.Split('\t');
            yield return header.Zip(cells).ToDictionary(p => p.First, p => p.Second);
        }
    }

    /// <summary>The single-message files the corpus marks valid.</summary>
    public static IEnumerable<string> ValidMessages() =>
        Expected().Where(r => r["valid"] == "yes" && r["messages"] == "1" && !r["file"].StartsWith("batch_", StringComparison.Ordinal)).Select(r => r["file"]);

    private static string Locate()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("HL7MLLP_CORPUS");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "..", "shared", "corpus");
            if (File.Exists(Path.Combine(dir.FullName, "Hl7Mllp.sln")) && System.IO.Directory.Exists(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new InvalidOperationException("The shared corpus was not found; set HL7MLLP_CORPUS.");
    }
}

/// <summary>Builds ACKs into strings for assertions.</summary>
internal static class AckText
{
    public static readonly DateTimeOffset Now = new(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(1));

    public static AckBuilder Builder(AckBuilderOptions? options = null, DateTimeOffset? now = null) =>
        new(options, new FixedTimeProvider(now ?? Now), new SequentialControlIds());

    public static string Build(AckBuilder builder, string file, AckCode code, params Hl7Error[] errors) =>
        Build(builder, Hl7Message.Parse(AckCorpus.Read(file)), code, errors);

    public static string Build(AckBuilder builder, in Hl7Message message, AckCode code, params Hl7Error[] errors)
    {
        var output = new ArrayBufferWriter<byte>();
        int written = builder.Build(message, code, errors, output);
        written.Should().Be(output.WrittenCount);
        return message.Encoding.GetString(output.WrittenSpan);
    }

    public static string Header(string ack) => ack[..ack.IndexOf('\r', StringComparison.Ordinal)];
}
