using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Processes;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>
/// Independent peers: the npm packages <c>node-hl7-client</c> and <c>simple-hl7</c> send to <c>hl7mllp listen</c> and
/// must get correct ACKs. Skipped when node or npm is missing or the packages cannot be installed.
/// </summary>
public sealed class PipelinePeerTests : IDisposable
{
    // Three messages with each library; one line per ACK: "<peer> <MSA-1> <MSA-2>".
    private const string Script = """
        const port = Number(process.argv[2]);
        const msa = (text) => {
          const segment = String(text).split(/\r\n|\r|\n/).find((s) => s.startsWith('MSA'));
          return segment ? segment.split('|').slice(1, 3).join(' ') : 'none';
        };
        const withTimeout = (promise, ms) => Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);
        async function nodeHl7Client() {
          const { Client, Message } = require('node-hl7-client');
          const client = new Client({ host: '127.0.0.1' });
          let pending = null;
          const connection = client.createConnection({ port }, async (response) => {
            console.log('node-hl7-client ' + msa(response.getMessage().toString()));
            if (pending) pending();
          });
          for (let i = 1; i <= 3; i++) {
            const message = new Message({ messageHeader: { msh_9_1: 'ADT', msh_9_2: 'A01', msh_10: 'NODE' + i, msh_11_1: 'P' } });
            const acked = new Promise((resolve) => { pending = resolve; });
            await connection.sendMessage(message);
            await withTimeout(acked, 10000);
          }
          await connection.close();
        }
        async function simpleHl7() {
          const hl7 = require('simple-hl7');
          const client = hl7.Server.createTcpClient('127.0.0.1', port);
          for (let i = 1; i <= 3; i++) {
            const message = new hl7.Message('SIMPLE', 'FAC', 'HIS', 'MAIN', '20260101120000', '', ['ADT', 'A01'], 'SIMPLE' + i, 'P', '2.5');
            message.addSegment('PID', '1', '', 'MRN' + i);
            const ack = await withTimeout(new Promise((resolve, reject) => client.send(message, (err, response) => (err ? reject(err) : resolve(response)))), 10000);
            console.log('simple-hl7 ' + msa(ack.log ? ack.log() : ack));
          }
          if (client.close) { client.close(); }
        }
        (async () => {
          try { await nodeHl7Client(); await simpleHl7(); process.exit(0); }
          catch (error) { console.error(error && error.stack ? error.stack : String(error)); process.exit(1); }
        })();
        """;

    private readonly TempDirectory _temp = new("peers");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Listen_WithoutStore_WarnsThatMessagesAreNotStored()
    {
        // Review finding 7: without --store every message was acknowledged AA and discarded, without a word.
        await using PipelineCliProcess listener = await PipelineCliProcess.StartAsync(null, []);

        await Eventually.AssertAsync(
            () => listener.Process.StandardError.Any(line => line.Contains("messages are acknowledged but not stored (no --store)", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10),
            "the start-up warning goes to stderr");
    }

    [Theory]
    [InlineData("fresh")]
    [InlineData("wild/ADT_*.hl7")]
    public async Task Listen_PersistDupesInAFolderThatDoesNotExistYet_StartsAndKeepsTheKeyFileThere(string store)
    {
        // Review finding 6: --persist-dupes crashed when the store folder did not exist yet, and a wildcard
        // store was taken as a folder name.
        string storePath = _temp.Combine(store);
        await using PipelineCliProcess listener = await PipelineCliProcess.StartAsync(storePath, ["--persist-dupes"]);

        string folder = store.Contains('*', StringComparison.Ordinal) ? Path.GetDirectoryName(storePath)! : storePath;
        Directory.Exists(folder).Should().BeTrue();
        listener.Process.HasExited.Should().BeFalse(listener.Process.StandardError.LastOrDefault() ?? string.Empty);
    }

    [SkippableFact]
    public async Task NodePeers_SendToListen_GetAaWithTheirControlIds()
    {
        await NodePackages.InstallOrSkipAsync(_temp.Path, "node-hl7-client", "simple-hl7");
        string script = _temp.Combine("peers.js");
        await File.WriteAllTextAsync(script, Script);
        await using PipelineCliProcess listener = await PipelineCliProcess.StartAsync(_temp.Combine("store"), ["--processing-ids", "P"]);

        ChildProcessResult run = await ChildProcess.RunAsync("node", [script, listener.EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromMinutes(1));

        run.ExitCode.Should().Be(0, run.StandardError);
        run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Should().Equal(
            "node-hl7-client AA NODE1", "node-hl7-client AA NODE2", "node-hl7-client AA NODE3",
            "simple-hl7 AA SIMPLE1", "simple-hl7 AA SIMPLE2", "simple-hl7 AA SIMPLE3");
        Directory.EnumerateFiles(_temp.Combine("store"), "*.hl7").Should().HaveCount(6);
    }
}
