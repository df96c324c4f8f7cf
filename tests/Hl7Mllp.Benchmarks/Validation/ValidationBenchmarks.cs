using BenchmarkDotNet.Attributes;
using Hl7Mllp.Messages;
using Hl7Mllp.Validation;

namespace Hl7Mllp.Benchmarks.Validation;

/// <summary>
/// Validation against the built-in v2.5.1 definition with every check, and five typical receive rules (none matches).
/// Messages: <c>adt_v251</c> (<c>tools/messages/adt_a01_v251.hl7</c>, 1.5 KB, the accept path: 0 findings),
/// <c>loadgen</c> (the load generator's ADT^A01, the reject path: 11 findings), a 1.5 KB corpus ORU (1 finding:
/// OBR-3 too long) and the corpus ADT^A01 (v2.3).
/// </summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private readonly List<Hl7Error> _errors = new(128);
    private NamedFieldsValidator _validator = null!;
    private Hl7RuleSet _rules = null!;
    private Hl7Message _message;

    /// <summary>Gets or sets the message: <c>adt_v251</c>, <c>loadgen</c> or a corpus file name.</summary>
    [Params("adt_v251", "loadgen", "oru_r01_v251_nodehl7_01.hl7", "adt_a01_v23_pyhl7_01.hl7")]
    public string Message { get; set; } = "adt_v251";

    [GlobalSetup]
    public void Setup()
    {
        _message = Hl7Message.Parse(File.ReadAllBytes(BenchmarkCorpus.MessagePathOf(Message)));
        _validator = new NamedFieldsValidator(NamedFieldsDefinition.BuiltIn("2.5.1"), ValidationFlags.All);
        _rules = Hl7RuleSet.FromJson("""
            [
              { "when": "PID.3.1 is empty", "code": 101, "text": "PID.3 Patient ID is required" },
              { "when": "MSH.9.1 not in ('ADT', 'ORU')", "code": 200, "text": "MSH.9 Only ADT and ORU are accepted" },
              { "when": "MSH.11 <> 'P' and MSH.11 <> 'T'", "code": 202, "text": "MSH.11 Production or test only" },
              { "when": "PID.7 is not empty and PID.7 not matches '^\\d{8}'", "code": 102, "text": "PID.7 Birth date expected" },
              { "when": "PV1.2 = 'I' and PV1.3.1 is empty", "code": 101, "text": "PV1.3 Inpatients need a location" }
            ]
            """);
        Console.WriteLine($"// Named Fields errors on the sample: {NamedFields()}, rule errors: {Rules()}");
    }

    [Benchmark]
    public int NamedFields()
    {
        _errors.Clear();
        return _validator.Validate(_message, _errors);
    }

    [Benchmark]
    public int Rules()
    {
        _errors.Clear();
        return _rules.Evaluate(_message, _errors);
    }
}
