using System.Buffers;
using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Messages;
using Hl7Mllp.Testing.Corpus;
using Microsoft.Extensions.Time.Testing;

namespace Hl7Mllp.Tests.Acks;

/// <summary>Writes A1, A2, … so golden ACKs are stable.</summary>
internal sealed class SequentialControlIds : IAckControlIdGenerator
{
    private int _next;

    public int WriteNext(Span<byte> destination) =>
        Encoding.ASCII.GetBytes($"A{Interlocked.Increment(ref _next)}", destination);
}

/// <summary>Builds ACKs into strings for assertions.</summary>
internal static class AckText
{
    public static readonly DateTimeOffset Now = new(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(1));

    public static AckBuilder Builder(AckBuilderOptions? options = null, DateTimeOffset? now = null) =>
        new(options, Clock(now ?? Now), new SequentialControlIds());

    /// <summary>A stopped clock at <paramref name="now"/> whose local zone has that offset, so MSH-7 shows it.</summary>
    public static FakeTimeProvider Clock(DateTimeOffset now)
    {
        var clock = new FakeTimeProvider(now);
        clock.SetLocalTimeZone(TimeZoneInfo.CreateCustomTimeZone("Hl7Mllp.Test", now.Offset, "Hl7Mllp test zone", "Hl7Mllp test zone"));
        return clock;
    }

    public static string Build(AckBuilder builder, string file, AckCode code, params Hl7Error[] errors) =>
        Build(builder, Hl7Message.Parse(CorpusLocator.ReadBytes(file)), code, errors);

    public static string Build(AckBuilder builder, in Hl7Message message, AckCode code, params Hl7Error[] errors)
    {
        var output = new ArrayBufferWriter<byte>();
        int written = builder.Build(message, code, errors, output);
        written.Should().Be(output.WrittenCount);
        return message.Encoding.GetString(output.WrittenSpan);
    }

    public static string Header(string ack) => ack[..ack.IndexOf('\r', StringComparison.Ordinal)];
}
