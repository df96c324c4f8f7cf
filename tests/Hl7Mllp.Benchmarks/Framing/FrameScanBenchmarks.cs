using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Hl7Mllp.Framing;

namespace Hl7Mllp.Benchmarks.Framing;

/// <summary>
/// Frame scanning speed (issue 2 target: at least 2 GB/s): the parser over a buffer of many 1.5 KB frames and over
/// one 200 KB frame, in one segment and in the 4 KiB segments of a <see cref="Pipe"/>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class FrameScanBenchmarks
{
    private const int SegmentSize = 4096;

    private ReadOnlySequence<byte> _buffer;
    private MllpFrameParser _parser = null!;

    /// <summary>The frames in the buffer.</summary>
    [Params("1000x1.5KB", "1x200KB")]
    public string Frames { get; set; } = "1000x1.5KB";

    /// <summary>Whether the buffer is a pipe's chain of 4 KiB segments.</summary>
    [Params(false, true)]
    public bool Segmented { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var data = BuildStream(Frames);
        _buffer = Segmented ? Segments(data) : new ReadOnlySequence<byte>(data);
        _parser = new MllpFrameParser();
    }

    /// <summary>Finds every frame in the buffer; returns the payload bytes seen.</summary>
    [Benchmark]
    public long Scan()
    {
        var buffer = _buffer;
        long payloadBytes = 0;
        while (_parser.TryParse(ref buffer, out var frame))
        {
            payloadBytes += frame.Payload.Length;
        }

        return payloadBytes;
    }

    internal static byte[] BuildStream(string frames)
    {
        var (count, payloadLength) = frames == "1x200KB" ? (1, 200 * 1024) : (1000, 1500);
        var payload = Payload(payloadLength);
        var stream = new ArrayBufferWriter<byte>(count * (payloadLength + MllpFrame.Overhead));
        for (int i = 0; i < count; i++)
        {
            MllpFrame.Write(stream, payload);
        }

        return stream.WrittenSpan.ToArray();
    }

    private static byte[] Payload(int length)
    {
        var text = new StringBuilder("MSH|^~\\&|LAB|HOSP|EHR|HOSP|20260101120000||ORU^R01|MSG00001|P|2.5\rPID|1||123456^^^HOSP^MR||DOE^JANE\r");
        while (text.Length < length)
        {
            text.Append("OBX|1|ED|PDF^Report||^AP^PDF^Base64^JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmlsdGVyIC9GbGF0ZURlY29kZT4+CnN0cmVhbQp4nCvkMlAwUDAz\r");
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    private static ReadOnlySequence<byte> Segments(byte[] data)
    {
        // Buffered but never consumed: the pipe's own segments, exactly what MllpFrameReader sees.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, minimumSegmentSize: SegmentSize));
        pipe.Writer.Write(data);
        pipe.Writer.FlushAsync().AsTask().GetAwaiter().GetResult();
        pipe.Reader.TryRead(out var result);
        return result.Buffer;
    }

    /// <summary>Adds a bytes-per-second column computed from the buffer size and the mean time.</summary>
    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn());
    }

    private sealed class ThroughputColumn : IColumn
    {
        public string Id => nameof(ThroughputColumn);

        public string ColumnName => "Throughput";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Statistics;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Bytes scanned per second (buffer length / mean time)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
            if (mean is not > 0)
            {
                return "-";
            }

            string frames = (string)benchmarkCase.Parameters[nameof(Frames)];
            double bytesPerSecond = BuildStream(frames).Length / (mean.Value / 1e9);
            return $"{bytesPerSecond / 1e9:F2} GB/s";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
