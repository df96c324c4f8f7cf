using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Sending;
using Polly;

namespace Hl7Mllp.Tests.Sending;

/// <summary>The client over an in-memory peer: what goes on the wire, and what is refused before anything is sent.</summary>
public sealed class MllpClientTests
{
    [Fact]
    public async Task SendAsync_Bytes_WritesOneFrameAndReadsMsh10ForTheMatch()
    {
        var peer = new MemoryPeer();
        await using var client = peer.CreateClient();

        var result = await client.SendAsync(Encoding.ASCII.GetBytes(Message("ID-1")));

        result.Status.Should().Be(MllpSendStatus.Accepted);
        peer.Written.Should().ContainSingle().Which.Should().Equal([0x0B, .. Encoding.ASCII.GetBytes(Message("ID-1")), 0x1C, 0x0D]);
    }

    [Theory]
    [InlineData("MSH|^~\\&|A|B|C|D|20260101||ADT^A01|ESC\\F\\APED|P|2.5.1\r", "ESC\\F\\APED")]
    [InlineData("\uFEFFMSH|^~\\&|A|B|C|D|20260101||ADT^A01|BOM|P|2.5.1\r", "BOM")]
    [InlineData("MSH#^~\\&#A#B#C#D#20260101##ADT^A01#HASH#P#2.5.1\r", "HASH")]
    [InlineData("MSH|^~\\&|A|B|C|D|20260101||ADT^A01|LAST", "LAST")]
    public async Task SendAsync_UnusualHeaders_MatchTheAckOnTheUnescapedControlId(string message, string controlId)
    {
        var peer = new MemoryPeer(controlId);
        await using var client = peer.CreateClient();

        var result = await client.SendAsync(Encoding.UTF8.GetBytes(message));

        result.Status.Should().Be(MllpSendStatus.Accepted);
    }

    [Theory]
    [InlineData("MSH|^~\\&|A|B|C|D|20260101||ADT^A01||P|2.5.1\r")]
    [InlineData("MSH|^~\\&|A|B|C|D|20260101||ADT^A01\r")]
    [InlineData("PID|1||123\r")]
    [InlineData("")]
    public async Task SendAsync_NoControlIdOrNoMessage_ThrowsArgumentExceptionAndSendsNothing(string message)
    {
        var peer = new MemoryPeer();
        await using var client = peer.CreateClient();

        var send = () => client.SendAsync(Encoding.ASCII.GetBytes(message)).AsTask();

        await send.Should().ThrowAsync<ArgumentException>();
        peer.Written.Should().BeEmpty();
        client.State.Should().Be(MllpClientState.Disconnected);
    }

    [Fact]
    public async Task SendAsync_PayloadWithBlockByte_ThrowsArgumentException()
    {
        var peer = new MemoryPeer();
        await using var client = peer.CreateClient();

        var send = () => client.SendAsync(Encoding.ASCII.GetBytes(Message("X") + "\u001c")).AsTask();

        await send.Should().ThrowAsync<ArgumentException>();
    }

    [Theory]
    [InlineData(MllpClientEncoding.Utf8, "", new byte[] { 0xC3, 0x9C })]
    [InlineData(MllpClientEncoding.Latin1, "", new byte[] { 0xDC })]
    [InlineData(MllpClientEncoding.Ascii, "", new byte[] { (byte)'?' })]
    [InlineData(MllpClientEncoding.FromMessage, "8859/1", new byte[] { 0xDC })]
    [InlineData(MllpClientEncoding.FromMessage, "UNICODE UTF-8", new byte[] { 0xC3, 0x9C })]
    [InlineData(MllpClientEncoding.FromMessage, "", new byte[] { 0xC3, 0x9C })]
    public async Task SendAsync_String_EncodedPerPolicyAndLineEndsBecomeCr(MllpClientEncoding encoding, string characterSet, byte[] expected)
    {
        var peer = new MemoryPeer();
        await using var client = peer.CreateClient(o => o.Encoding = encoding);
        string text = $"MSH|^~\\&|A|B|C|D|20260101||ADT^A01|ENC|P|2.5.1||||||{characterSet}\r\nPID|1||1||M\u00dcLLER\n";

        await client.SendAsync(text);

        byte[] written = peer.Written.Single();
        written.AsSpan().IndexOf([(byte)'M', .. expected, (byte)'L']).Should().BePositive();
        written.Should().NotContain((byte)'\n');
    }

    [Fact]
    public async Task GetConnectionAttempts_KeepsOnlyTheConfiguredNumber()
    {
        var peer = new MemoryPeer { CloseAfterEachAck = true };
        await using var client = peer.CreateClient(o =>
        {
            o.ConnectionAttemptHistory = 2;
            o.PersistentConnection = false;
        });

        for (int i = 0; i < 5; i++)
        {
            await client.SendAsync(Encoding.ASCII.GetBytes(Message("H")));
        }

        client.GetConnectionAttempts().Should().HaveCount(2).And.OnlyContain(a => a.Outcome == MllpConnectionOutcome.Connected);
    }

    [Fact]
    public async Task EventRaised_BlockedHandler_QueueStaysBoundedAndOldestEventsAreDropped()
    {
        // Review finding 2: the event queue was unbounded, so a blocked handler grew memory with every send.
        var peer = new MemoryPeer();
        await using var client = peer.CreateClient();
        using var release = new ManualResetEventSlim();
        using var blocked = new ManualResetEventSlim();
        client.EventRaised += (_, _) =>
        {
            blocked.Set();
            release.Wait(TimeSpan.FromSeconds(30));
        };

        (await client.SendAsync(Encoding.ASCII.GetBytes(Message("FIRST")))).Status.Should().Be(MllpSendStatus.Accepted);
        blocked.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue("the handler holds the pump");
        for (int i = 0; i < MllpClient.EventQueueCapacity; i++)
        {
            (await client.SendAsync(Encoding.ASCII.GetBytes(Message($"ID-{i}")))).Status.Should().Be(MllpSendStatus.Accepted);
        }

        client.PendingEventCount.Should().Be(MllpClient.EventQueueCapacity);
        client.DroppedEventCount.Should().BeGreaterThanOrEqualTo(MllpClient.EventQueueCapacity - 3, "every send raises two events");
        release.Set();
    }

    [Fact]
    public async Task DisposeAsync_ThenSend_ThrowsObjectDisposed()
    {
        var peer = new MemoryPeer();
        var client = peer.CreateClient();
        await client.DisposeAsync();

        var send = () => client.SendAsync(Encoding.ASCII.GetBytes(Message("D"))).AsTask();

        await send.Should().ThrowAsync<ObjectDisposedException>();
    }

    private static string Message(string controlId) => $"MSH|^~\\&|A|B|C|D|20260101||ADT^A01|{controlId}|P|2.5.1\rPID|1||1\r";

    /// <summary>An in-memory receiver: records each frame written and answers it with an ACK for the expected control ID.</summary>
    private sealed class MemoryPeer(string? controlId = null)
    {
        public string? ControlId { get; } = controlId;

        public List<byte[]> Written { get; } = [];

        public bool CloseAfterEachAck { get; init; }

        public MllpClient CreateClient(Action<MllpClientOptions>? configure = null)
        {
            var options = new MllpClientOptions { Host = "memory", Port = 1, Retry = ResiliencePipeline.Empty };
            configure?.Invoke(options);
            return new MllpClient(options) { StreamFactory = _ => new ValueTask<Stream>(new PeerStream(this)) };
        }

        private sealed class PeerStream(MemoryPeer peer) : Stream
        {
            private byte[] _pending = [];
            private int _offset;

            public override bool CanRead => true;

            public override bool CanWrite => true;

            public override bool CanSeek => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override void Flush()
            {
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                int n = Math.Min(count, _pending.Length - _offset);
                _pending.AsSpan(_offset, n).CopyTo(buffer.AsSpan(offset));
                _offset += n;
                return n;
            }

            public override void Write(byte[] buffer, int offset, int count)
            {
                byte[] frame = buffer.AsSpan(offset, count).ToArray();
                peer.Written.Add(frame);
                string text = Encoding.UTF8.GetString(frame);
                string id = peer.ControlId ?? text.Split('|')[9];
                _pending = [0x0B, .. Encoding.ASCII.GetBytes($"MSH|^~\\&|C|D|A|B|20260101||ACK|X|P|2.5.1\rMSA|AA|{id}\r"), 0x1C, 0x0D];
                _offset = 0;
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }
}
