using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Hl7Mllp.Acks;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Benchmarks.Acks;

/// <summary>ACK build for the 1.5 KB ADT^A01 of the corpus (v2.3), with and without one ERR, and ACK evaluation on the send side.</summary>
[MemoryDiagnoser]
public class AckBuildBenchmarks
{
    private readonly AckBuilder _builder = new();
    private readonly AckCondition _condition = new();
    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private readonly Hl7Error[] _noErrors = [];
    private readonly Hl7Error[] _oneError = [Hl7Error.At("PID.3", Hl7ErrorCode.RequiredFieldMissing, "Required field missing")];
    private byte[] _adt = [];
    private Hl7Message _message;
    private byte[] _ack = [];
    private string _controlId = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _adt = File.ReadAllBytes(BenchmarkCorpus.PathOf("adt_a01_v23_pyhl7_01.hl7"));
        _message = Hl7Message.Parse(_adt);
        _controlId = _message.ControlId;
        _ack = Encoding.ASCII.GetBytes($"MSH|^~\\&|AIG||HNAM_PM|HNA500|20250304050607||ACK^A01|1742|P|2.3\rMSA|AA|{_controlId}\r");
    }

    [Benchmark(Baseline = true)]
    public int BuildAa()
    {
        _output.ResetWrittenCount();
        return _builder.Build(_message, AckCode.AA, _noErrors, _output);
    }

    [Benchmark]
    public int BuildAeWithOneErr()
    {
        _output.ResetWrittenCount();
        return _builder.Build(_message, AckCode.AE, _oneError, _output);
    }

    /// <summary>What a receiver does per frame: parse the 1.5 KB message, then build the ACK.</summary>
    [Benchmark]
    public int ParseAndBuildAa()
    {
        _output.ResetWrittenCount();
        Hl7Message message = Hl7Message.Parse(_adt);
        return _builder.Build(message, AckCode.AA, _noErrors, _output);
    }

    [Benchmark]
    public MllpSendResult EvaluateAa() => _condition.Evaluate(_controlId, _ack);
}
