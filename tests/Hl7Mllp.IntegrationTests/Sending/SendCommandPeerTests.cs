using System.Globalization;
using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Corpus;
using Hl7Mllp.Testing.Processes;

namespace Hl7Mllp.IntegrationTests.Sending;

/// <summary>
/// Independent peers for the sender (issue 5): <c>hl7mllp send</c> to a <c>node-hl7-server</c> and to a
/// <c>simple-hl7</c> server, each a Node.js child process on 127.0.0.1. Skipped when node or npm is missing or the
/// packages cannot be installed.
/// </summary>
public sealed class SendCommandPeerTests : IDisposable
{
    // Corpus messages both peers can parse: v2.3 to v2.8, CR and LF terminated, '|' as field separator
    // (simple-hl7 reads MSH-10 as empty from adt_a24_v24_hapi_01.hl7, whose field separator is '^').
    private static readonly string[] CorpusFiles =
    [
        "adt_a01_v23_pyhl7_01.hl7",
        "adt_a01_v28_fhirconv_01.hl7",
        "oru_r01_v251_nodehl7_01.hl7",
        "orm_o01_v251_prs_01.hl7",
        "oru_r01_v24_fhirconv_01.hl7",
    ];

    // node peer.js <node-hl7-server|node-hl7-server-persistent|simple-hl7>: prints "listening <port>" once it
    // accepts connections on 127.0.0.1, then "received <MSH-10>" per message, and answers each with the library's AA.
    private const string Script = """
        const net = require('net');
        const kind = process.argv[2];
        const announce = (server) => server.once('listening', () => console.log('listening ' + server.address().port));
        if (kind.startsWith('node-hl7-server')) {
          const { Server } = require('node-hl7-server');
          const server = new Server({ bindAddress: '127.0.0.1' });
          const inbound = server.createInbound({ port: 0 }, async (req, res) => {
            console.log('received ' + req.getMessage().get('MSH.10').toString());
            // The library builds the ACK but sends it only when the handler asks.
            await res.sendResponse('AA');
            // node-hl7-server 2.5.0 never clears its per-connection buffer after a message, so a second message on
            // the same connection is parsed together with the first and ACKed with the first's MSH-10: close the
            // connection after each ACK (the sender reconnects), unless the test wants to see that behaviour.
            if (kind !== 'node-hl7-server-persistent') { res._socket.end(); }
          });
          announce(inbound._socket);
        } else if (kind === 'simple-hl7') {
          // simple-hl7 listens on every interface (server.listen(port)); keep it on loopback.
          const listen = net.Server.prototype.listen;
          net.Server.prototype.listen = function (port, ...rest) { return listen.call(this, { port, host: '127.0.0.1' }, ...rest); };
          const hl7 = require('simple-hl7');
          const tcp = hl7.Server.createTcpServer((err, req, res) => {
            if (err) { console.error('error ' + err.message); return; }
            console.log('received ' + req.msg.header.getField(8));
            res.end(); // writes the ACK the library built: MSA|AA|<MSH-10>
          });
          tcp.start(0);
          announce(tcp.server);
        } else {
          console.error('unknown peer ' + kind);
          process.exit(2);
        }
        """;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _temp = new("send-peers");

    public void Dispose() => _temp.Dispose();

    [SkippableTheory]
    [InlineData("node-hl7-server")]
    [InlineData("simple-hl7")]
    public async Task Send_CorpusMessagesToNodePeer_EveryMessageAcceptedAndExitsZero(string peer)
    {
        await using ChildProcess server = await StartPeerAsync(peer);
        string[] files = [.. CorpusFiles.Select(CorpusLocator.PathOf)];
        string[] controlIds = [.. CorpusFiles.Select(file => ExpectedTsv.Of(file).Msh10!)];

        var (exitCode, output, error) = await SendCli.RunAsync(["--host", "127.0.0.1", "--port", Port(server), "--ack-timeout", "10", "--connect-timeout", "5", .. files]);

        exitCode.Should().Be(0, "every message was accepted; stdout: {0}; stderr: {1}", output, error);
        foreach (string controlId in controlIds)
        {
            output.Should().Contain(controlId + "\tAccepted\tAA\t");
        }

        output.Should().Contain($"messages={files.Length} sent={files.Length} accepted={files.Length} rejected=0 errors=0");
        await Eventually.AssertAsync(() => Received(server).Contains(controlIds[^1]), Wait);
        string[] received = Received(server);
        received.Where((id, i) => i == 0 || id != received[i - 1]).Should().Equal(controlIds,
            "the peer got every message, in order (a message written as the peer closed is sent again on a new connection)");
    }

    [SkippableFact]
    public async Task Send_NodeHl7ServerKeepingTheConnection_ItsStaleAckIsNotTakenAsAccepted()
    {
        await using ChildProcess server = await StartPeerAsync("node-hl7-server-persistent");
        string[] files = [.. CorpusFiles.Take(3).Select(CorpusLocator.PathOf)];

        var (exitCode, output, _) = await SendCli.RunAsync(["--host", "127.0.0.1", "--port", Port(server), "--ack-timeout", "10", "--connect-timeout", "5", .. files]);

        exitCode.Should().Be(1, "the second ACK carries the first message's MSH-10");
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().StartWith(ExpectedTsv.Of(CorpusFiles[0]).Msh10 + "\tAccepted\tAA\t");
        lines[1].Should().StartWith(ExpectedTsv.Of(CorpusFiles[1]).Msh10 + "\tProtocolError\t").And.Contain("does not match the sent control ID");
        lines[2].Should().StartWith(ExpectedTsv.Of(CorpusFiles[2]).Msh10 + "\tAccepted\tAA\t", "the connection was closed after the mismatch, so the next message starts on a fresh one");
        output.Should().Contain("messages=3 sent=3 accepted=2 rejected=0 errors=1");
    }

    private async Task<ChildProcess> StartPeerAsync(string peer)
    {
        await NodePackages.InstallOrSkipAsync(_temp.Path, "node-hl7-server@2.5.0", "simple-hl7@3.3.0");
        string script = _temp.Combine("peer.js");
        await File.WriteAllTextAsync(script, Script);
        var server = ChildProcess.Start("node", [script, peer], workingDirectory: _temp.Path);
        try
        {
            await server.WaitForOutputAsync(line => line.StartsWith("listening ", StringComparison.Ordinal), Wait);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static string Port(ChildProcess server) =>
        int.Parse(server.StandardOutput.First(line => line.StartsWith("listening ", StringComparison.Ordinal))["listening ".Length..], CultureInfo.InvariantCulture)
            .ToString(CultureInfo.InvariantCulture);

    private static string[] Received(ChildProcess server) =>
        [.. server.StandardOutput.Where(line => line.StartsWith("received ", StringComparison.Ordinal)).Select(line => line["received ".Length..])];
}
