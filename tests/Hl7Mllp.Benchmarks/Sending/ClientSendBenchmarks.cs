using System.Text;
using BenchmarkDotNet.Attributes;
using Hl7Mllp.Acks;
using Hl7Mllp.Sending;
using Polly;

namespace Hl7Mllp.Benchmarks.Sending;

/// <summary>
/// Client CPU and allocation per send: <see cref="MllpClient.SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>
/// of a 1.5 KB ADT^A01 over an in-memory peer that answers each frame with its ACK at once, so every await completes
/// synchronously and only the client's own work is measured. Target: at most 5 µs and 512 B per send.
/// </summary>
[MemoryDiagnoser]
public class ClientSendBenchmarks
{
    private MllpClient _client = null!;
    private MllpClient _clientWithRetry = null!;
    private byte[] _message = null!;

    [GlobalSetup]
    public void Setup()
    {
        string text = "MSH|^~\\&|SENDER|FAC|RECEIVER|FAC|20260101120000||ADT^A01^ADT_A01|MSG00001|P|2.5.1\r"
            + "EVN|A01|20260101120000\r"
            + "PID|1||123456^^^HOSP^MR||DOE^JOHN^Q||19700101|M|||1 MAIN ST^^CITY^ST^12345||555-1234\r"
            + string.Concat(Enumerable.Repeat("OBX|1|TX|NOTE^Note||" + new string('x', 120) + "||||||F\r", 9))
            + "PV1|1|I|WARD^101^A\r";
        _message = Encoding.ASCII.GetBytes(text);
        byte[] ack = Encoding.ASCII.GetBytes("\vMSH|^~\\&|RECEIVER|FAC|SENDER|FAC|20260101120000||ACK^A01^ACK|ACK00001|P|2.5.1\rMSA|AA|MSG00001\r\u001c\r");
        _client = Create(ack, ResiliencePipeline.Empty);
        _clientWithRetry = Create(ack, null);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _client.DisposeAsync();
        await _clientWithRetry.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public async Task<MllpSendStatus> SendNoRetryPipeline() => (await _client.SendAsync(_message)).Status;

    [Benchmark]
    public async Task<MllpSendStatus> SendDefaultRetryPipeline() => (await _clientWithRetry.SendAsync(_message)).Status;

    private static MllpClient Create(byte[] ack, ResiliencePipeline? retry)
    {
        var client = new MllpClient(new MllpClientOptions { Host = "memory", Port = 1, Retry = retry, KeepAlive = { Enabled = false } })
        {
            StreamFactory = _ => new ValueTask<Stream>(new AckingStream(ack)),
        };
        return client;
    }

    /// <summary>A peer that answers every write with one ACK frame, synchronously.</summary>
    private sealed class AckingStream(byte[] ack) : Stream
    {
        private int _pending;

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(_pending, buffer.Length);
            ack.AsSpan(ack.Length - _pending, n).CopyTo(buffer);
            _pending -= n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

        public override void Write(byte[] buffer, int offset, int count) => _pending = ack.Length;

        public override void Write(ReadOnlySpan<byte> buffer) => _pending = ack.Length;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _pending = ack.Length;
            return ValueTask.CompletedTask;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
