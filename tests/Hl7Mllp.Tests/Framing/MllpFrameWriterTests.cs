using System.Buffers;
using System.IO.Pipelines;
using Hl7Mllp.Framing;
using Hl7Mllp.Testing.Buffers;
using static Hl7Mllp.Tests.Framing.FramingTestKit;

namespace Hl7Mllp.Tests.Framing;

public class MllpFrameWriterTests
{
    [Fact]
    public async Task WriteAsync_Memory_WritesStartBlockPayloadTrailer()
    {
        var pipe = new Pipe();
        var writer = new MllpFrameWriter(pipe.Writer);

        await writer.WriteAsync(Bytes("MSH|A"));
        await pipe.Writer.CompleteAsync();

        (await ReadAllBytesAsync(pipe.Reader)).Should().Equal(Frame("MSH|A"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4093)]
    [InlineData(4094)]
    [InlineData(200_000)]
    public async Task WriteAsync_RoundTripThroughReader_PayloadIntact(int length)
    {
        var payload = Enumerable.Range(0, length).Select(i => (byte)('A' + (i % 26))).ToArray();
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var writer = new MllpFrameWriter(pipe.Writer);
        var reader = new MllpFrameReader(pipe.Reader);

        await writer.WriteAsync(payload);
        await writer.WriteAsync(SequenceFactory.Split(payload, length / 3, length / 2));
        await pipe.Writer.CompleteAsync();

        var first = await reader.ReadAsync();
        first.Frame.Payload.ToArray().Should().Equal(payload);
        var second = await reader.ReadAsync();
        second.Frame.Payload.ToArray().Should().Equal(payload);
        (await reader.ReadAsync()).IsCompleted.Should().BeTrue();
    }

    [Theory]
    [InlineData(true, MllpFrameKind.CommitAcknowledgement)]
    [InlineData(false, MllpFrameKind.NegativeCommitAcknowledgement)]
    public async Task WriteCommitAcknowledgementAsync_RoundTrip_ReadAsCommitBlock(bool positive, MllpFrameKind expected)
    {
        var pipe = new Pipe();
        var writer = new MllpFrameWriter(pipe.Writer);
        var reader = new MllpFrameReader(pipe.Reader);

        await writer.WriteCommitAcknowledgementAsync(positive);

        (await reader.ReadAsync()).Frame.Kind.Should().Be(expected);
    }

    [Fact]
    public async Task WriteAsync_ConcurrentWriters_FramesNeverInterleave()
    {
        const int Writers = 8;
        const int FramesEach = 25;
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var writer = new MllpFrameWriter(pipe.Writer);
        var reader = new MllpFrameReader(pipe.Reader);

        // Payloads of 20 KB span several pipe segments, so an unserialized writer would interleave them.
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < FramesEach; i++)
            {
                await writer.WriteAsync(Bytes($"W{w}F{i:D2}:" + new string((char)('a' + w), 20_000)));
            }
        })));
        await pipe.Writer.CompleteAsync();
        var payloads = await ReadAllAsync(reader);

        payloads.Should().HaveCount(Writers * FramesEach);
        foreach (string payload in payloads)
        {
            char fill = (char)('a' + (payload[1] - '0'));
            payload.Length.Should().Be(6 + 20_000);
            payload.AsSpan(6).ContainsAnyExcept(fill).Should().BeFalse("frame {0} holds another writer's bytes", payload[..6]);
        }

        for (int w = 0; w < Writers; w++)
        {
            payloads.Where(p => p.StartsWith($"W{w}F", StringComparison.Ordinal)).Select(p => p[..5])
                .Should().Equal(Enumerable.Range(0, FramesEach).Select(i => $"W{w}F{i:D2}"), "each writer's frames keep their order");
        }
    }

    [Theory]
    [InlineData("MSH|\x0B|")]
    [InlineData("MSH|\x1C|")]
    public async Task WriteAsync_PayloadWithBlockByte_ThrowsAndWritesNothing(string payload)
    {
        var pipe = new Pipe();
        var writer = new MllpFrameWriter(pipe.Writer);

        var write = async () => await writer.WriteAsync(Bytes(payload));
        var writeSequence = async () => await writer.WriteAsync(SequenceFactory.Split(Bytes(payload), 2));

        (await write.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("offset 4").And.NotContain("MSH");
        await writeSequence.Should().ThrowAsync<ArgumentException>();
        await pipe.Writer.CompleteAsync();
        (await ReadAllBytesAsync(pipe.Reader)).Should().BeEmpty();
    }

    [Fact]
    public async Task WriteAsync_ReaderCompleted_ThrowsMllpException()
    {
        var pipe = new Pipe();
        var writer = new MllpFrameWriter(pipe.Writer);
        await pipe.Reader.CompleteAsync();

        var write = async () => await writer.WriteAsync(Bytes("MSH|A"));

        await write.Should().ThrowAsync<MllpException>();
    }

    [Fact]
    public async Task WriteAsync_FlushCanceled_ThrowsOperationCanceled()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4, resumeWriterThreshold: 2));
        var writer = new MllpFrameWriter(pipe.Writer);

        var pending = writer.WriteAsync(Bytes("MSH|A")).AsTask();
        pipe.Writer.CancelPendingFlush();
        var write = async () => await pending;

        await write.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public void Write_BufferWriter_CommitAcknowledgementBytes()
    {
        var buffer = new ArrayBufferWriter<byte>();

        MllpFrame.WriteCommitAcknowledgement(buffer, positive: true);
        MllpFrame.WriteCommitAcknowledgement(buffer, positive: false);
        MllpFrame.Write(buffer, Bytes("X"));

        buffer.WrittenSpan.ToArray().Should().Equal(0x0B, 0x06, 0x1C, 0x0D, 0x0B, 0x15, 0x1C, 0x0D, 0x0B, (byte)'X', 0x1C, 0x0D);
    }

    private static async Task<byte[]> ReadAllBytesAsync(PipeReader reader)
    {
        while (true)
        {
            var result = await reader.ReadAsync();
            if (result.IsCompleted)
            {
                var bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
