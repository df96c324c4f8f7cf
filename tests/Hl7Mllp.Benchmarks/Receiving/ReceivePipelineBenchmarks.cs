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
/// CPU and allocation per message of the receive pipeline (parse, processing ID, control ID, duplicate check and
/// record, store in memory, ACK), without and with built-in v2.5.1 validation, for the 1.5 KB ADT^A01 the load generator sends. Each call gets a new MSH-10, so the
/// duplicate tracker records a new key every time, as in real traffic. Target: ≤ 2 µs and ≤ 1 KB without validation.
/// </summary>
[MemoryDiagnoser]
public class ReceivePipelineBenchmarks
{
    private const string ControlIdPlaceholder = "MSG0000000000000001";

    private readonly MllpReceiveContext _context = new(connectionId: 1, listenerName: "bench");
    private byte[] _message = [];
    private int _controlIdOffset;
    private long _sequence;
    private ReceivePipeline _pipeline = null!;
    private ReceivePipeline _validating = null!;

    [GlobalSetup]
    public void Setup()
    {
        _message = Encoding.UTF8.GetBytes(LoadMessage());
        _controlIdOffset = _message.AsSpan().IndexOf(Encoding.ASCII.GetBytes(ControlIdPlaceholder));
        _pipeline = new ReceivePipeline(
            new ReceivePipelineOptions { ProcessingIds = "P" },
            new InMemoryMessageStore(keepMessages: false),
            new InMemoryDuplicateTracker());
        _validating = new ReceivePipeline(
            new ReceivePipelineOptions { ProcessingIds = "P", NamedFields = NamedFieldsDefinition.BuiltIn("2.5.1") },
            new InMemoryMessageStore(keepMessages: false),
            new InMemoryDuplicateTracker());
    }

    [GlobalCleanup]
    public void Cleanup() => _context.Dispose();

    /// <summary>The whole pipeline without validation.</summary>
    /// <returns>The ACK length.</returns>
    [Benchmark]
    public async ValueTask<int> PipelineWithoutValidation()
    {
        NextControlId();
        _context.Reset(new ReadOnlySequence<byte>(_message), DateTimeOffset.UnixEpoch);
        await _pipeline.HandleAsync(_context);
        return _context.WrittenResponse.Length;
    }

    /// <summary>The whole pipeline with the built-in v2.5.1 Named Fields validation (all checks).</summary>
    /// <returns>The ACK length.</returns>
    [Benchmark]
    public async ValueTask<int> PipelineWithBuiltIn251Validation()
    {
        NextControlId();
        _context.Reset(new ReadOnlySequence<byte>(_message), DateTimeOffset.UnixEpoch);
        await _validating.HandleAsync(_context);
        return _context.WrittenResponse.Length;
    }

    private void NextControlId()
    {
        // A fixed-width number in place of the placeholder: same length, new key each call.
        long next = ++_sequence;
        next.TryFormat(_message.AsSpan(_controlIdOffset, ControlIdPlaceholder.Length), out _, "D19", CultureInfo.InvariantCulture);
    }

    private static string LoadMessage()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "..", "shared", "tools", "mllp-loadgen", "adt_a01.hl7");
            if (File.Exists(Path.Combine(directory.FullName, "Hl7Mllp.sln")) && File.Exists(candidate))
            {
                return File.ReadAllText(candidate);
            }
        }

        throw new FileNotFoundException("../shared/tools/mllp-loadgen/adt_a01.hl7 not found next to the repository.");
    }
}
