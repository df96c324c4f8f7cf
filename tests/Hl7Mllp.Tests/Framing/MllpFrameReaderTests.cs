using System.Buffers;
using System.IO.Pipelines;
using Hl7Mllp.Diagnostics;
using Hl7Mllp.Framing;
using Hl7Mllp.Testing.Logging;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using static Hl7Mllp.Tests.Framing.FramingTestKit;

namespace Hl7Mllp.Tests.Framing;

public class MllpFrameReaderTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ReadAsync_FrameWrittenInTwoPiecesAtEverySplit_SameFrame() // A8, F10
    {
        var data = Concat(Frame("MSH|FIRST"), Frame("MSH|SECOND"));
        for (int split = 1; split < data.Length; split++)
        {
            var pipe = InlinePipe();
            var reader = new MllpFrameReader(pipe.Reader);

            await pipe.Writer.WriteAsync(data.AsMemory(0, split));
            var firstRead = reader.ReadAsync();
            await pipe.Writer.WriteAsync(data.AsMemory(split));
            await pipe.Writer.CompleteAsync();
            var first = await firstRead;

            Text(first.Frame.Payload).Should().Be("MSH|FIRST", $"split at {split}");
            (await ReadAllAsync(reader)).Should().Equal(["MSH|SECOND"], $"split at {split}");
        }
    }

    [Fact]
    public async Task ReadAsync_OneByteAtATime_SameFrames() // A8: a proxy that writes 1 byte per send
    {
        var data = Concat(Bytes("\r\n"), Frame("MSH|ONE"), Bytes("\0"), Frame("MSH|TWO"));
        var pipe = InlinePipe();
        var reader = new MllpFrameReader(pipe.Reader);
        var payloads = new List<string>();
        var pending = reader.ReadAsync();

        foreach (byte value in data)
        {
            await pipe.Writer.WriteAsync(new[] { value });
            while (pending.IsCompleted)
            {
                payloads.Add(Text((await pending).Frame.Payload));
                pending = reader.ReadAsync();
            }
        }

        await pipe.Writer.CompleteAsync();
        (await pending).IsCompleted.Should().BeTrue();
        payloads.Should().Equal(["MSH|ONE", "MSH|TWO"]);
        reader.BytesSkipped.Should().Be(3);
        reader.BytesConsumed.Should().Be(data.Length);
    }

    [Fact]
    public async Task ReadAsync_HundredFramesInOneWrite_AllInOrder() // A9, F8, F18
    {
        var expected = Enumerable.Range(0, 100).Select(i => $"MSH|^~\\&|||||||ADT^A01|{i}|P|2.5").ToList();
        var pipe = new Pipe();
        var reader = new MllpFrameReader(pipe.Reader);

        await pipe.Writer.WriteAsync(Concat(expected.Select(Frame).ToArray()));
        await pipe.Writer.CompleteAsync();

        (await ReadAllAsync(reader)).Should().Equal(expected);
    }

    [Fact]
    public async Task ReadAsync_PayloadValidUntilAdvance_ThenNextFrame()
    {
        var pipe = new Pipe();
        var reader = new MllpFrameReader(pipe.Reader);
        await pipe.Writer.WriteAsync(Concat(Frame("A"), Frame("B")));

        var first = await reader.ReadAsync();
        Text(first.Frame.Payload).Should().Be("A");
        reader.Advance();
        reader.Advance();
        var second = await reader.ReadAsync();

        Text(second.Frame.Payload).Should().Be("B");
        second.HasFrame.Should().BeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("\r\n")]
    [InlineData("\0\0 \t")]
    public async Task ReadAsync_CleanClose_Completed(string trailer)
    {
        var pipe = new Pipe();
        var reader = new MllpFrameReader(pipe.Reader);
        await pipe.Writer.WriteAsync(Concat(Frame("A"), Bytes(trailer)));
        await pipe.Writer.CompleteAsync();

        (await ReadAllAsync(reader)).Should().Equal(["A"]);

        reader.BytesSkipped.Should().Be(trailer.Length);
        (await reader.ReadAsync()).IsCompleted.Should().BeTrue("a completed reader stays completed");
    }

    [Fact]
    public async Task ReadAsync_PeerClosesAtEveryPosition_FramesBeforeDeliveredThenTruncatedOrClean() // A10, F13
    {
        var first = Frame("MSH|ONE");
        var data = Concat(first, Bytes("\r\n"), Frame("MSH|TWO"));
        for (int cut = 0; cut <= data.Length; cut++)
        {
            var pipe = new Pipe();
            var logs = new RecordingLoggerFactory();
            var logger = logs.CreateLogger(nameof(MllpFrameReader));
            var reader = new MllpFrameReader(pipe.Reader, logger: logger);
            await pipe.Writer.WriteAsync(data.AsMemory(0, cut));
            await pipe.Writer.CompleteAsync();
            var payloads = new List<string>();
            int inFrameStart = cut > first.Length + 2 ? first.Length + 2 : 0;
            bool midFrame = cut != 0 && cut != first.Length && cut != first.Length + 1 && cut != first.Length + 2 && cut != data.Length;

            var readAll = async () => await ReadAllAsync(reader, payloads);

            if (midFrame)
            {
                var exception = (await readAll.Should().ThrowAsync<MllpTruncatedFrameException>()).Which;
                exception.BytesBuffered.Should().Be(cut - inFrameStart, $"cut at {cut}");
                exception.Position.Should().Be(inFrameStart);
                logs.Entries.Should().Contain(entry => entry.EventId.Id == Hl7MllpEventIds.FrameTruncated);
            }
            else
            {
                await readAll.Should().NotThrowAsync();
            }

            payloads.Should().HaveCount(cut >= data.Length ? 2 : cut >= first.Length ? 1 : 0, $"cut at {cut}");
        }
    }

    [Fact]
    public async Task ReadAsync_SixtyFourMebibytesWithoutEndBlock_ThrowsNearLimitAndStopsBuffering() // A1, F22
    {
        const int Limit = 1024 * 1024;
        const int Chunk = 64 * 1024;
        var pipe = new Pipe();
        var logs = new RecordingLoggerFactory();
        var logger = logs.CreateLogger(nameof(MllpFrameReader));
        var reader = new MllpFrameReader(pipe.Reader, new MllpFramingOptions { MaxFrameBytes = Limit }, logger);
        long written = 0;
        var sender = Task.Run(async () =>
        {
            await pipe.Writer.WriteAsync(new[] { MllpFrame.StartBlock });
            var chunk = new byte[Chunk];
            chunk.AsSpan().Fill((byte)'A');
            while (written < 64L * 1024 * 1024)
            {
                var flush = await pipe.Writer.WriteAsync(chunk);
                written += Chunk;
                if (flush.IsCompleted)
                {
                    break;
                }
            }
        });

        var read = async () => await reader.ReadAsync();

        var exception = (await read.Should().ThrowAsync<MllpFrameTooLargeException>()).Which;
        await pipe.Reader.CompleteAsync();
        await sender;
        output.WriteLine($"limit {Limit}, buffered {exception.BytesBuffered}, sent {written}");
        exception.MaxFrameBytes.Should().Be(Limit);
        exception.BytesBuffered.Should().BeGreaterThan(Limit).And.BeLessThanOrEqualTo(Limit + (4 * Chunk));
        exception.Prefix.Length.Should().Be(1024);
        exception.Prefix.ToArray().Should().OnlyContain(value => value == (byte)'A');
        written.Should().BeLessThan(64L * 1024 * 1024, "the sender was stopped long before it sent everything");
        logs.Entries.Should().Contain(entry => entry.EventId.Id == Hl7MllpEventIds.FrameTooLarge && entry.Level == LogLevel.Warning);
        logs.AssertNoEntryContains("AAAA");
    }

    [Fact]
    public async Task ReadAsync_AfterFramingError_ThrowsInvalidOperation()
    {
        var pipe = new Pipe();
        var reader = new MllpFrameReader(pipe.Reader);
        await pipe.Writer.WriteAsync(Bytes("HELLO"));

        var read = async () => await reader.ReadAsync();

        (await read.Should().ThrowAsync<MllpFramingException>()).Which.Violation.Should().Be(MllpFramingViolation.UnexpectedByteBetweenFrames);
        (await read.Should().ThrowAsync<InvalidOperationException>()).WithInnerException<MllpFramingException>();
    }

    [Fact]
    public async Task ReadAsync_StartBlockInsideFrame_CountsAbandonedAndLogs() // A7, F20
    {
        var pipe = new Pipe();
        var logs = new RecordingLoggerFactory();
        var logger = logs.CreateLogger(nameof(MllpFrameReader));
        var reader = new MllpFrameReader(pipe.Reader, logger: logger);
        await pipe.Writer.WriteAsync(Concat(Bytes(SB + "MSH|ONE|PHI-SENTINEL"), Frame("MSH|TWO")));
        await pipe.Writer.CompleteAsync();

        (await ReadAllAsync(reader)).Should().Equal(["MSH|TWO"]);

        reader.FramesAbandoned.Should().Be(1);
        logs.Entries.Should().ContainSingle(entry => entry.EventId.Id == Hl7MllpEventIds.FrameAbandoned)
            .Which.Message.Should().Contain(nameof(MllpFramingViolation.StartBlockInsideFrame));
        logs.AssertNoEntryContains("PHI-SENTINEL");
    }

    [Fact]
    public async Task ReadAsync_BytesSkipped_LoggedAtDebug()
    {
        var pipe = new Pipe();
        var logs = new RecordingLoggerFactory();
        var logger = logs.CreateLogger(nameof(MllpFrameReader));
        var reader = new MllpFrameReader(pipe.Reader, logger: logger);
        await pipe.Writer.WriteAsync(Concat(Bytes("\0\0"), Frame("A")));
        await pipe.Writer.CompleteAsync();

        await ReadAllAsync(reader);

        logs.Entries.Should().ContainSingle(entry => entry.EventId.Id == Hl7MllpEventIds.BytesSkippedOutsideFrame)
            .Which.Level.Should().Be(LogLevel.Debug);
    }

    [Fact]
    public async Task ReadAsync_CancelPendingReadWhileWaiting_ReturnsCanceledThenContinues()
    {
        var pipe = new Pipe();
        var reader = new MllpFrameReader(pipe.Reader);
        await pipe.Writer.WriteAsync(Bytes(SB + "PART"));

        var pending = reader.ReadAsync();
        pipe.Reader.CancelPendingRead();
        var canceled = await pending;
        await pipe.Writer.WriteAsync(Bytes("IAL" + EB + "\r"));
        var frame = await reader.ReadAsync();

        canceled.IsCanceled.Should().BeTrue();
        canceled.HasFrame.Should().BeFalse();
        Text(frame.Frame.Payload).Should().Be("PARTIAL");
    }

    [Fact]
    public async Task ReadAsync_CancelPendingReadWithFrameBuffered_FrameFirstThenCanceled()
    {
        var pipe = new Pipe();
        var reader = new MllpFrameReader(pipe.Reader);
        await pipe.Writer.WriteAsync(Frame("A"));
        pipe.Reader.CancelPendingRead();

        var first = await reader.ReadAsync();
        Text(first.Frame.Payload).Should().Be("A");
        var second = await reader.ReadAsync();

        second.IsCanceled.Should().BeTrue();
    }

    [Fact]
    public async Task ReadAsync_CanceledToken_ThrowsOperationCanceled()
    {
        var pipe = new Pipe();
        var reader = new MllpFrameReader(pipe.Reader);
        using var cancellation = new CancellationTokenSource();

        var pending = reader.ReadAsync(cancellation.Token);
        await cancellation.CancelAsync();
        var read = async () => await pending;

        await read.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public void Constructor_NullInput_Throws()
    {
        var create = () => new MllpFrameReader(null!);

        create.Should().Throw<ArgumentNullException>();
    }
}
