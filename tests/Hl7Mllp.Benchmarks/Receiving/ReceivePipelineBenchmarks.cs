using System.Buffers;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Hl7Mllp.Duplicates;
using Hl7Mllp.Receiving;
using Hl7Mllp.Storage;
using Hl7Mllp.Validation;

namespace Hl7Mllp.Benchmarks.Receiving;

/// <summary>
/// CPU and allocation per message of the receive pipeline as <c>hl7mllp listen --store memory</c> builds it: parse,
/// processing ID, control ID, the in-memory duplicate tracker (10 000 keys, MSH-3 + MSH-4 + MSH-10, full, so every
/// record evicts the oldest key), an in-memory store that only counts, and the ACK; without validation and with
/// <c>--named-fields 2.5.1</c>. Each call gets a new fixed-width MSH-10, as the load generator sends. Messages: the
/// load generator's 1.5 KB ADT^A01 and two corpus messages. Target: ≤ 2 µs and ≤ 1 KB without validation.
/// </summary>
[MemoryDiagnoser]
public class ReceivePipelineBenchmarks
{
    private const int ControlIdLength = 18;

    private readonly MllpReceiveContext _context = new(connectionId: 1, listenerName: "listen");
    private byte[] _message = [];
    private int _controlIdOffset;
    private long _sequence;
    private ReceivePipeline _pipeline = null!;
    private ReceivePipeline _validating = null!;

    /// <summary>Gets or sets the message: <c>loadgen</c> (the load generator's ADT^A01), <c>adt_v251</c> (the same made valid for v2.5.1) or a corpus file name.</summary>
    [Params("loadgen", "adt_v251", "adt_a01_v23_pyhl7_01.hl7", "oru_r01_v251_nhapi_01.hl7")]
    public string Message { get; set; } = "loadgen";

    [GlobalSetup]
    public void Setup()
    {
        _message = WithFixedWidthControlId(Load(Message), out _controlIdOffset);
        _pipeline = Create(null);
        _validating = Create(NamedFieldsDefinition.BuiltIn("2.5.1"));

        // Fill both trackers, so the measured calls run in the steady state of a long run (each record evicts one key).
        for (int i = 0; i < InMemoryDuplicateTrackerOptions.DefaultCapacity; i++)
        {
            _ = PipelineWithoutValidation();
            _ = PipelineWithBuiltIn251Validation();
        }

        Console.WriteLine($"// {Message}: {Describe(_pipeline)} without validation, {Describe(_validating)} with v2.5.1");
    }

    [GlobalCleanup]
    public void Cleanup() => _context.Dispose();

    /// <summary>The whole pipeline without validation.</summary>
    /// <returns>The ACK length.</returns>
    [Benchmark]
    public ValueTask<int> PipelineWithoutValidation() => Handle(_pipeline);

    /// <summary>The whole pipeline with the built-in v2.5.1 Named Fields validation (all checks).</summary>
    /// <returns>The ACK length.</returns>
    [Benchmark]
    public ValueTask<int> PipelineWithBuiltIn251Validation() => Handle(_validating);

    /// <summary>The pipeline's options, store and tracker as <c>ListenCommand</c> creates them by default.</summary>
    private static ReceivePipeline Create(NamedFieldsDefinition? namedFields) => new(
        new ReceivePipelineOptions { NamedFields = namedFields },
        new InMemoryMessageStore(keepMessages: false),
        new InMemoryDuplicateTracker(new InMemoryDuplicateTrackerOptions { Capacity = InMemoryDuplicateTrackerOptions.DefaultCapacity, ConnectionName = "listen" }));

    private async ValueTask<int> Handle(ReceivePipeline pipeline)
    {
        NextControlId();
        _context.Reset(new ReadOnlySequence<byte>(_message), DateTimeOffset.UnixEpoch);
        await pipeline.HandleAsync(_context);
        return _context.WrittenResponse.Length;
    }

    private string Describe(ReceivePipeline pipeline)
    {
        NextControlId();
        _context.Reset(new ReadOnlySequence<byte>(_message), DateTimeOffset.UnixEpoch);
        ReceiveResult result = pipeline.ProcessAsync(_context).AsTask().GetAwaiter().GetResult();
        return $"{result.Outcome} {result.AckCode} ({result.ErrorCount} errors, {_context.WrittenResponse.Length} B ACK)";
    }

    private void NextControlId()
    {
        // A fixed-width number in place of MSH-10: same length, new key each call.
        long next = ++_sequence;
        next.TryFormat(_message.AsSpan(_controlIdOffset, ControlIdLength), out _, "D18", CultureInfo.InvariantCulture);
    }

    /// <summary>The message with MSH-10 replaced by <see cref="ControlIdLength"/> digits; segments end with CR.</summary>
    private static byte[] WithFixedWidthControlId(string text, out int offset)
    {
        text = text.Replace("\r\n", "\r", StringComparison.Ordinal).Replace('\n', '\r').TrimEnd('\r') + "\r";
        char separator = text[3];
        int start = 0;
        for (int field = 1; field < 10; field++)
        {
            start = text.IndexOf(separator, start) + 1;
        }

        int end = text.IndexOf(separator, start);
        string prefix = text[..start];
        offset = Encoding.UTF8.GetByteCount(prefix);
        return Encoding.UTF8.GetBytes(prefix + new string('0', ControlIdLength) + text[end..]);
    }

    private static string Load(string name) => File.ReadAllText(BenchmarkCorpus.MessagePathOf(name));
}
