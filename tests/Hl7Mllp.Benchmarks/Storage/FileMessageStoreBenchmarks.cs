using System.Text;
using BenchmarkDotNet.Attributes;
using Hl7Mllp.Messages;
using Hl7Mllp.Storage;

namespace Hl7Mllp.Benchmarks.Storage;

/// <summary>
/// The file store on a real disk: 256 messages stored by 1 or 8 concurrent writers, with group commit (one syncfs per
/// batch, carrying the previous batch's renames; a directory fsync when nothing new came) and without (one file fsync and one directory fsync per message). The mean is per
/// message; the flushes per message are printed at the end of each case.
/// </summary>
[MemoryDiagnoser]
public class FileMessageStoreBenchmarks
{
    private const int MessagesPerInvoke = 256;
    private ReceivedMessage[] _messages = [];
    private string _directory = string.Empty;
    private FileMessageStore? _store;
    private long _stored;
    private long _fileSyncs;
    private long _directorySyncs;
    private long _fileSystemSyncs;

    [Params(1, 8)]
    public int Writers { get; set; }

    [Params(true, false)]
    public bool GroupCommit { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _messages = [.. Enumerable.Range(0, MessagesPerInvoke).Select(i => new ReceivedMessage(
            Hl7Message.Parse(Encoding.ASCII.GetBytes($"MSH|^~\\&|SND|SFAC|RCV|RFAC|20261125120000||ADT^A01|BENCH{i}|P|2.5\rPID|1||{i}^^^HOSP^MR||DOE^JOHN\rPV1|1|I\r")),
            DateTimeOffset.UtcNow))];
    }

    [IterationSetup]
    public void IterationSetup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "hl7mllp-bench-store-" + Guid.NewGuid().ToString("N"));
        _store = new FileMessageStore(new FileMessageStoreOptions { Path = Path.Join(_directory, "*.hl7"), GroupCommit = GroupCommit });
    }

    [IterationCleanup]
    public void IterationCleanup()
    {
        _stored += MessagesPerInvoke;
        _fileSyncs += _store!.FileSyncs;
        _directorySyncs += _store.DirectorySyncs;
        _fileSystemSyncs += _store.FileSystemSyncs;
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_stored > 0)
        {
            Console.WriteLine($"// fsyncs per message (writers {Writers}, group commit {GroupCommit}): file {(double)_fileSyncs / _stored:F2}, syncfs {(double)_fileSystemSyncs / _stored:F3}, directory {(double)_directorySyncs / _stored:F3}");
        }
    }

    [Benchmark(OperationsPerInvoke = MessagesPerInvoke)]
    public Task Store()
    {
        var perWriter = MessagesPerInvoke / Writers;
        var writers = new Task[Writers];
        for (var w = 0; w < Writers; w++)
        {
            var first = w * perWriter;
            writers[w] = Task.Run(async () =>
            {
                for (var i = first; i < first + perWriter; i++)
                {
                    await _store!.StoreAsync(_messages[i]);
                }
            });
        }

        return Task.WhenAll(writers);
    }
}
