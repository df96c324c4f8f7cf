using System.Net;
using System.Net.Sockets;
using System.Text;
using Hl7Mllp.Framing;
using Hl7Mllp.Messages;
using Hl7Mllp.Receiving;
using Hl7Mllp.Storage;

namespace Hl7Mllp.IntegrationTests.Receiving;

/// <summary>RELIABILITY A1 (F22): a frame over the limit is answered with AR/CR and ERR 207 when its MSH can be read, then closed.</summary>
public sealed partial class MllpListenerTests
{
    private const int OversizeLimit = 1024 * 1024;
    private const long OversizeFrameBytes = 20L * 1024 * 1024;
    private const string TooLargeText = "message too large (limit 1048576 bytes)";

    // Both paths: a connection on its own thread (the default) and one on the thread pool.
    [Theory]
    [InlineData(32)]
    [InlineData(0)]
    public async Task A1_MshPrefixedTwentyMebibyteFrame_IsAnsweredArWithErr207ThenClosed(int connectionThreads)
    {
        await using var harness = await ListenerHarness.StartAsync(o =>
        {
            o.Framing.MaxFrameBytes = OversizeLimit;
            o.DedicatedThreadConnections = connectionThreads;
        });
        await using var client = await harness.ConnectAsync();

        var sending = SendOversizeAsync(client, OversizeHeader("BIG-1", "2.5.1"));
        var message = await ReadAnswerAsync(client);

        message.GetValue("MSA.1").Should().Be("AR");
        message.GetValue("MSA.2").Should().Be("BIG-1");
        message.GetValue("MSH.9").Should().Be("ACK^A01^ACK");
        message.GetValue("ERR.3.1").Should().Be("207");
        message.GetValue("ERR.4").Should().Be("E");
        message.GetValue("ERR.8").Should().Be(TooLargeText);
        (await client.WaitForCloseAsync(TimeSpan.FromSeconds(10))).Should().BeTrue();
        (await sending).Should().BeLessThan(OversizeFrameBytes, "the listener stopped reading at the limit and closed");
        await harness.WaitForCloseAsync(MllpConnectionCloseReason.FrameTooLarge);

        await using var next = await harness.ConnectAsync();
        (await next.SendAndReadAckAsync("NEXT")).Should().Be("NEXT");
        harness.Handler.Handled.Should().Equal("NEXT");
    }

    [Fact]
    public async Task A1_SenderThatReadsOnlyAfterItsWriteFailed_StillGetsTheAr()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.Framing.MaxFrameBytes = OversizeLimit);
        await using var client = await harness.ConnectAsync();

        // A blocking sender: the whole frame first (the write fails once the listener closes), then the ACK.
        long sent = await SendOversizeAsync(client, OversizeHeader("BLOCKING-1", "2.5.1"));
        var message = await ReadAnswerAsync(client);

        sent.Should().BeLessThan(OversizeFrameBytes);
        message.GetValue("MSA.1").Should().Be("AR");
        message.GetValue("MSA.2").Should().Be("BLOCKING-1");
    }

    [Fact]
    public async Task A1_EnhancedModeOversizeFrame_IsAnsweredCr()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.Framing.MaxFrameBytes = OversizeLimit);
        await using var client = await harness.ConnectAsync();

        var sending = SendOversizeAsync(client, OversizeHeader("BIG-CR", "2.5.1", "|||AL|AL"));
        var message = await ReadAnswerAsync(client);

        message.GetValue("MSA.1").Should().Be("CR");
        message.GetValue("MSA.2").Should().Be("BIG-CR");
        message.GetValue("ERR.3.1").Should().Be("207");
        (await client.WaitForCloseAsync(TimeSpan.FromSeconds(10))).Should().BeTrue();
        await sending;
        await harness.WaitForCloseAsync(MllpConnectionCloseReason.FrameTooLarge);
    }

    [Fact]
    public async Task A1_V23OversizeFrame_PutsCodeAndTextInErr1()
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.Framing.MaxFrameBytes = OversizeLimit);
        await using var client = await harness.ConnectAsync();

        var sending = SendOversizeAsync(client, OversizeHeader("OLD-1", "2.3"));
        var message = await ReadAnswerAsync(client);

        message.GetValue("MSA.1").Should().Be("AR");
        message.GetValue("MSA.2").Should().Be("OLD-1");
        message.GetValue("ERR.1.4").Should().Be("207&" + TooLargeText);
        await sending;
    }

    [Fact]
    public async Task A1_ReceivePipelineHandler_OversizeAnswerUsesItsAckTemplate()
    {
        var pipelineOptions = new ReceivePipelineOptions();
        pipelineOptions.Ack.MshTemplate = "MSH|^~\\&|HUB|CENTRAL|||||ACK||P|2.5.1";
        var pipeline = new ReceivePipeline(pipelineOptions, new InMemoryMessageStore());
        var options = new MllpListenerOptions { Endpoints = [new IPEndPoint(IPAddress.Loopback, 0)], Name = "oversize-pipeline" };
        options.Framing.MaxFrameBytes = OversizeLimit;
        await using var listener = new MllpListener(options, pipeline);
        await listener.StartAsync();
        await using var client = await MllpTestClient.ConnectAsync(listener.LocalEndPoint);

        var sending = SendOversizeAsync(client, OversizeHeader("PIPE-BIG", "2.5.1"));
        var message = await ReadAnswerAsync(client);

        message.GetValue("MSH.3").Should().Be("HUB");
        message.GetValue("MSA.1").Should().Be("AR");
        message.GetValue("MSA.2").Should().Be("PIPE-BIG");
        await sending;
        pipeline.GetCounters().Should().BeEquivalentTo(new ReceivePipeline(null, new InMemoryMessageStore()).GetCounters(), "the pipeline never saw the frame");
    }

    [Theory]
    [InlineData("no MSH", "PID|1||123^^^HOSP^MR||DOE^JANE\r")]
    [InlineData("MSH cut by the 1 KiB prefix", "MSH|^~\\&|SND|FAC|RCV|FAC|20260101000000||ADT^A01|")]
    [InlineData("MSH-15 NE: no accept ACK wanted", "MSH|^~\\&|SND|FAC|RCV|FAC|20260101000000||ADT^A01|NE-1|P|2.5.1|||NE|AL\r")]
    public async Task A1_OversizeFrameWithoutAnswerableMsh_IsClosedWithNoBytes(string why, string start)
    {
        await using var harness = await ListenerHarness.StartAsync(o => o.Framing.MaxFrameBytes = OversizeLimit);
        await using var client = await harness.ConnectAsync();

        var sending = SendOversizeAsync(client, start, filler: (byte)'X');
        long received = await ReadUntilClosedAsync(client);

        received.Should().Be(0, why);
        await sending;
        await harness.WaitForCloseAsync(MllpConnectionCloseReason.FrameTooLarge);
    }

    [Fact]
    public async Task A1_TlsOversizeFrame_IsAnsweredArThenClosed()
    {
        await using var harness = await ListenerHarness.StartAsync(o =>
        {
            o.Tls = new MllpServerTlsOptions { Certificate = _pki.Server };
            o.Framing.MaxFrameBytes = OversizeLimit;
        });
        await using var client = await MllpTestClient.ConnectTlsAsync(harness.EndPoint);

        var sending = SendOversizeAsync(client, OversizeHeader("TLS-BIG", "2.5.1"));
        var message = await ReadAnswerAsync(client);

        message.GetValue("MSA.1").Should().Be("AR");
        message.GetValue("MSA.2").Should().Be("TLS-BIG");
        (await client.WaitForCloseAsync(TimeSpan.FromSeconds(10))).Should().BeTrue();
        await sending;
        await harness.WaitForCloseAsync(MllpConnectionCloseReason.FrameTooLarge);
    }

    private static string OversizeHeader(string controlId, string version, string after = "") =>
        $"MSH|^~\\&|SND|FAC|RCV|FAC|20260101000000||ADT^A01^ADT_A01|{controlId}|P|{version}{after}\rPID|1||123^^^HOSP^MR||DOE^JANE\rNTE|1||";

    /// <summary>Writes a start block, <paramref name="start"/>, then filler up to 20 MiB without an end block; returns the bytes written before the listener closed.</summary>
    private static async Task<long> SendOversizeAsync(MllpTestClient client, string start, byte filler = (byte)'A')
    {
        byte[] chunk = new byte[64 * 1024];
        Array.Fill(chunk, filler);
        byte[] first = [MllpFrame.StartBlock, .. Encoding.ASCII.GetBytes(start)];
        long sent = 0;
        try
        {
            await client.Stream.WriteAsync(first);
            sent += first.Length;
            while (sent < OversizeFrameBytes)
            {
                await client.Stream.WriteAsync(chunk);
                sent += chunk.Length;
            }

            await client.Stream.FlushAsync();
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
        {
            // The listener closed the connection while the frame was still being sent.
        }

        return sent;
    }

    /// <summary>Reads the listener's answer to an oversize frame; fails the test when none comes.</summary>
    private static async Task<Hl7Message> ReadAnswerAsync(MllpTestClient client)
    {
        string? ack = await client.ReadFrameAsync(TimeSpan.FromSeconds(20));
        ack.Should().NotBeNull("the listener answers an oversize frame that starts with a whole MSH before it closes");
        return Hl7Message.Parse(ack!);
    }

    /// <summary>Reads raw bytes until the listener closes the connection (EOF or reset); returns how many arrived.</summary>
    private static async Task<long> ReadUntilClosedAsync(MllpTestClient client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[4096];
        long received = 0;
        try
        {
            int read;
            while ((read = await client.Stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received += read;
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException)
        {
        }

        return received;
    }
}
