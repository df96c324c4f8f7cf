using System.Buffers;
using Hl7Mllp.Framing;
using Hl7Mllp.Testing.Buffers;
using static Hl7Mllp.Tests.Framing.FramingTestKit;

namespace Hl7Mllp.Tests.Framing;

public class MllpFrameParserTests
{
    private const string Message = "MSH|^~\\&|A|B|C|D|20260101||ADT^A01|MSG00001|P|2.5\rPID|1||123^^^H||DOE^JOHN\r";

    [Fact]
    public void TryParse_WholeFrame_ReturnsPayloadAndConsumesFrame()
    {
        var parser = new MllpFrameParser();
        var buffer = new ReadOnlySequence<byte>(Frame(Message));

        parser.TryParse(ref buffer, out var frame).Should().BeTrue();

        Text(frame.Payload).Should().Be(Message);
        frame.Kind.Should().Be(MllpFrameKind.Message);
        buffer.IsEmpty.Should().BeTrue();
        parser.BytesConsumed.Should().Be(Message.Length + MllpFrame.Overhead);
        parser.BytesSkipped.Should().Be(0);
    }

    [Fact]
    public void TryParse_EverySplitPoint_SameFrame() // A8, F10: SB alone, FS and CR apart
    {
        var data = Frame(Message);
        for (int split = 0; split <= data.Length; split++)
        {
            var parser = new MllpFrameParser();
            var (frames, leftover) = Feed(parser, SequenceFactory.Chunks(data, split));

            frames.Should().Equal([(MllpFrameKind.Message, Message)], $"split at {split}");
            leftover.Should().Be(0);
        }
    }

    [Fact]
    public void TryParse_SplitBeforeLastByte_WaitsForCarriageReturn()
    {
        var parser = new MllpFrameParser();
        var data = Frame("AB");
        var buffer = new ReadOnlySequence<byte>(data, 0, data.Length - 1);

        parser.TryParse(ref buffer, out _).Should().BeFalse();

        buffer.Length.Should().Be(data.Length - 1, "the unfinished frame stays unconsumed");
    }

    [Fact]
    public void TryParse_EveryMultiSegmentPartition_SameFrames()
    {
        var data = Concat(Frame("AB"), Bytes("\r\n"), Frame("C"));
        foreach (var points in SequenceFactory.AllPartitions(data.Length))
        {
            var atOnce = ParseAll(new MllpFrameParser(), SequenceFactory.Split(data, points));
            var (piecewise, leftover) = Feed(new MllpFrameParser(), SequenceFactory.Chunks(data, points));

            string label = string.Join(",", points);
            atOnce.Should().Equal([(MllpFrameKind.Message, "AB"), (MllpFrameKind.Message, "C")], label);
            piecewise.Should().Equal(atOnce, label);
            leftover.Should().Be(0, label);
        }
    }

    [Fact]
    public void TryParse_EmptySegments_AreIgnored()
    {
        var parser = new MllpFrameParser();
        var buffer = SequenceFactory.Create([], Bytes("\r"), [], Bytes(SB + "A"), [], Bytes("B" + EB), [], Bytes("\r"), []);

        ParseAll(parser, buffer).Should().Equal([(MllpFrameKind.Message, "AB")]);
        parser.BytesSkipped.Should().Be(1);
    }

    [Fact]
    public void TryParse_HundredFramesInOneBuffer_AllInOrder() // A9, F8, F18
    {
        var data = Concat(Enumerable.Range(0, 100).Select(i => Frame($"MSG{i:D3}")).ToArray());
        var parser = new MllpFrameParser();

        var frames = ParseAll(parser, new ReadOnlySequence<byte>(data));

        frames.Select(frame => frame.Payload).Should().Equal(Enumerable.Range(0, 100).Select(i => $"MSG{i:D3}"));
        parser.BytesConsumed.Should().Be(data.Length);
    }

    [Fact]
    public void TryParse_EmptyPayload_IsAMessageFrame()
    {
        var buffer = new ReadOnlySequence<byte>(Frame(""));

        new MllpFrameParser().TryParse(ref buffer, out var frame).Should().BeTrue();

        frame.Payload.IsEmpty.Should().BeTrue();
        frame.Kind.Should().Be(MllpFrameKind.Message);
    }

    [Theory]
    [InlineData("\x06", MllpFrameKind.CommitAcknowledgement)]
    [InlineData("\x15", MllpFrameKind.NegativeCommitAcknowledgement)]
    [InlineData("\x06\x06", MllpFrameKind.Message)]
    [InlineData("A", MllpFrameKind.Message)]
    public void TryParse_Release2CommitBlocks_RecognisedByKind(string payload, MllpFrameKind expected)
    {
        var data = Frame(payload);
        for (int split = 0; split <= data.Length; split++)
        {
            var (frames, _) = Feed(new MllpFrameParser(), SequenceFactory.Chunks(data, split));

            frames.Should().Equal([(expected, payload)]);
        }
    }

    public static TheoryData<string, bool, bool> BetweenFramesCases() => new()
    {
        // prefix, accepted under SkipWhitespace, accepted under SkipAny
        { "\r", true, true },
        { "\n", true, true },
        { "\r\n", true, true },
        { "\0", true, true },
        { "\0\0\0\0", true, true },
        { "   ", true, true },
        { "\t", true, true },
        { " \r\n\0\t", true, true },
        { "A", false, true },
        { "ABC", false, true },
        { "\r\nX", false, true },
        { "\x1C\r", false, true },
        { "\x06", false, true },
        { "GET / HTTP/1.1\r\n\r\n", false, true },
    };

    [Theory]
    [MemberData(nameof(BetweenFramesCases))]
    public void TryParse_JunkBeforeAndBetweenFrames_SkippedOrRejectedPerPolicy(string junk, bool whitespaceAccepts, bool anyAccepts) // A5, F8
    {
        var data = Concat(Bytes(junk), Frame("ONE"), Bytes(junk), Frame("TWO"));
        foreach (var (policy, accepts) in new[] { (MllpBetweenFramesPolicy.SkipWhitespace, whitespaceAccepts), (MllpBetweenFramesPolicy.SkipAny, anyAccepts) })
        {
            for (int split = 0; split <= data.Length; split++)
            {
                var parser = new MllpFrameParser(new MllpFramingOptions { BetweenFramesPolicy = policy });
                var parse = () => Feed(parser, SequenceFactory.Chunks(data, split));

                if (accepts)
                {
                    parse().Frames.Select(frame => frame.Payload).Should().Equal(["ONE", "TWO"], $"{policy}, split at {split}");
                    parser.BytesSkipped.Should().Be(2 * junk.Length);
                }
                else
                {
                    parse.Should().Throw<MllpFramingException>()
                        .Which.Violation.Should().Be(MllpFramingViolation.UnexpectedByteBetweenFrames);
                }
            }
        }
    }

    [Fact]
    public void TryParse_UnexpectedByte_ReportsItsOffset()
    {
        var buffer = new ReadOnlySequence<byte>(Concat(Frame("A"), Bytes("\r\nZ")));
        var parser = new MllpFrameParser();
        parser.TryParse(ref buffer, out _).Should().BeTrue();

        var parse = () => parser.TryParse(ref buffer, out _);

        var exception = parse.Should().Throw<MllpFramingException>().Which;
        exception.Position.Should().Be(6);
        exception.Message.Should().Contain("0x5A");
    }

    [Theory]
    [InlineData(MllpBetweenFramesPolicy.SkipWhitespace, ' ')]
    [InlineData(MllpBetweenFramesPolicy.SkipAny, 'x')]
    public void TryParse_BytesBetweenFramesUpToBound_Accepted(MllpBetweenFramesPolicy policy, char filler)
    {
        var options = new MllpFramingOptions { MaxBytesBetweenFrames = 8, BetweenFramesPolicy = policy };
        var data = Concat(Bytes(new string(filler, 8)), Frame("A"), Bytes(new string(filler, 8)), Frame("B"));
        for (int split = 0; split <= data.Length; split++)
        {
            var parser = new MllpFrameParser(options);

            Feed(parser, SequenceFactory.Chunks(data, split)).Frames.Should().HaveCount(2);
            parser.BytesSkipped.Should().Be(16);
        }
    }

    [Theory]
    [InlineData(MllpBetweenFramesPolicy.SkipWhitespace, ' ')]
    [InlineData(MllpBetweenFramesPolicy.SkipAny, 'x')]
    public void TryParse_BytesBetweenFramesPastBound_Throws(MllpBetweenFramesPolicy policy, char filler)
    {
        var options = new MllpFramingOptions { MaxBytesBetweenFrames = 8, BetweenFramesPolicy = policy };
        var data = Concat(Frame("A"), Bytes(new string(filler, 9)), Frame("B"));
        for (int split = 0; split <= data.Length; split++)
        {
            var parser = new MllpFrameParser(options);
            var frames = new List<string>();
            var parse = () => frames.AddRange(Feed(parser, SequenceFactory.Chunks(data, split)).Frames.Select(frame => frame.Payload));

            var exception = parse.Should().Throw<MllpFramingException>().Which;
            exception.Violation.Should().Be(MllpFramingViolation.TooManyBytesBetweenFrames);
            exception.Position.Should().Be(4 + 8);
            parser.BytesSkipped.Should().BeLessThanOrEqualTo(8);
        }
    }

    [Fact]
    public void TryParse_EndlessJunkInOneHugeBuffer_ScansOnlyPastTheBound()
    {
        var options = new MllpFramingOptions { MaxBytesBetweenFrames = 100, BetweenFramesPolicy = MllpBetweenFramesPolicy.SkipAny };
        var buffer = new ReadOnlySequence<byte>(new byte[1_000_000]);
        var parser = new MllpFrameParser(options);

        var parse = () => parser.TryParse(ref buffer, out _);

        parse.Should().Throw<MllpFramingException>().Which.Position.Should().Be(100);
    }

    [Fact]
    public void TryParse_PayloadOfExactlyMaxFrameBytes_Accepted()
    {
        var options = new MllpFramingOptions { MaxFrameBytes = 10 };
        var data = Frame(new string('A', 10));
        for (int split = 0; split <= data.Length; split++)
        {
            Feed(new MllpFrameParser(options), SequenceFactory.Chunks(data, split)).Frames.Should().ContainSingle();
        }
    }

    [Fact]
    public void TryParse_PayloadOneByteOverMaxFrameBytes_ThrowsAtEverySplit() // A1, F22
    {
        var options = new MllpFramingOptions { MaxFrameBytes = 10 };
        var data = Concat(Frame("ok"), Frame("MSH|" + new string('A', 7)));
        for (int split = 0; split <= data.Length; split++)
        {
            var parser = new MllpFrameParser(options);
            var parse = () => Feed(parser, SequenceFactory.Chunks(data, split));

            var exception = parse.Should().Throw<MllpFrameTooLargeException>().Which;
            exception.MaxFrameBytes.Should().Be(10);
            exception.Position.Should().Be(5);
            exception.BytesBuffered.Should().BeGreaterThan(11);
            Text(new ReadOnlySequence<byte>(exception.Prefix)).Should().StartWith("MSH|AAAAAA");
            exception.Message.Should().NotContain("MSH");
        }
    }

    [Fact]
    public void TryParse_IncompleteFrameAtLimit_WaitsThenThrowsOnNextByte()
    {
        var options = new MllpFramingOptions { MaxFrameBytes = 4 };
        var parser = new MllpFrameParser(options);
        var buffer = new ReadOnlySequence<byte>(Bytes(SB + "ABCD"));

        parser.TryParse(ref buffer, out _).Should().BeFalse();

        buffer = new ReadOnlySequence<byte>(Bytes(SB + "ABCDE"));
        var parse = () => parser.TryParse(ref buffer, out _);
        parse.Should().Throw<MllpFrameTooLargeException>().Which.BytesBuffered.Should().Be(6);
    }

    [Fact]
    public void TryParse_HugePrefix_KeepsOnlyOneKibibyte()
    {
        var options = new MllpFramingOptions { MaxFrameBytes = 5000 };
        var buffer = new ReadOnlySequence<byte>(Bytes(SB + new string('A', 6000)));

        var parse = () => new MllpFrameParser(options).TryParse(ref buffer, out _);

        parse.Should().Throw<MllpFrameTooLargeException>().Which.Prefix.Length.Should().Be(MllpFrameTooLargeException.MaxPrefixBytes);
    }

    [Fact]
    public void TryParse_StartBlockInsideFrame_AbandonsFirstAndDeliversSecondIntact() // A7, F20
    {
        var data = Concat(Bytes(SB + "MSH|FIRST-UNFINISHED"), Frame("MSH|SECOND"), Frame("MSH|THIRD"));
        for (int split = 0; split <= data.Length; split++)
        {
            var parser = new MllpFrameParser();

            var (frames, leftover) = Feed(parser, SequenceFactory.Chunks(data, split));

            frames.Select(frame => frame.Payload).Should().Equal(["MSH|SECOND", "MSH|THIRD"], $"split at {split}");
            parser.FramesAbandoned.Should().Be(1);
            parser.BytesDiscarded.Should().Be(1 + "MSH|FIRST-UNFINISHED".Length);
            parser.BytesSkipped.Should().Be(0);
            leftover.Should().Be(0);
        }
    }

    [Fact]
    public void TryParse_EndBlockWithoutCarriageReturnStrict_AbandonsAndResyncsAtNextStartBlock() // A7
    {
        var data = Concat(Bytes(SB + "BROKEN" + EB + "tail of it"), Frame("GOOD"));
        for (int split = 0; split <= data.Length; split++)
        {
            var parser = new MllpFrameParser();

            var (frames, _) = Feed(parser, SequenceFactory.Chunks(data, split));

            frames.Should().Equal([(MllpFrameKind.Message, "GOOD")], $"split at {split}");
            parser.FramesAbandoned.Should().Be(1);
            parser.BytesDiscarded.Should().Be(8);
            parser.BytesSkipped.Should().Be("tail of it".Length, "the rest of a broken frame is skipped up to the next start block");
        }
    }

    [Fact]
    public void TryParse_EndBlockFollowedByStartBlockStrict_SecondFrameIntact()
    {
        var data = Concat(Bytes(SB + "BROKEN" + EB), Frame("GOOD"));
        var parser = new MllpFrameParser();

        ParseAll(parser, new ReadOnlySequence<byte>(data)).Should().Equal([(MllpFrameKind.Message, "GOOD")]);
        parser.FramesAbandoned.Should().Be(1);
    }

    [Fact]
    public void TryParse_EndBlockWithoutCarriageReturnLenient_DeliversOnEndBlockAlone() // A6
    {
        var options = new MllpFramingOptions { RequireCarriageReturnAfterEndBlock = false };
        var data = Concat(Bytes(SB + "ONE" + EB), Bytes(SB + "TWO" + EB + "\r"), Bytes(SB + "THREE" + EB + "\r\n"));
        for (int split = 0; split <= data.Length; split++)
        {
            var parser = new MllpFrameParser(options);

            var (frames, leftover) = Feed(parser, SequenceFactory.Chunks(data, split));

            frames.Select(frame => frame.Payload).Should().Equal(["ONE", "TWO", "THREE"], $"split at {split}");
            parser.FramesAbandoned.Should().Be(0);
            parser.BytesSkipped.Should().Be(1, "only the LF; a CR right after the end block belongs to the frame");
            leftover.Should().Be(0);
        }
    }

    [Fact]
    public void TryParse_LenientEndBlockAtBufferEnd_DeliversWithoutWaiting()
    {
        var parser = new MllpFrameParser(new MllpFramingOptions { RequireCarriageReturnAfterEndBlock = false });
        var buffer = new ReadOnlySequence<byte>(Bytes(SB + "ACK" + EB));

        parser.TryParse(ref buffer, out var frame).Should().BeTrue();

        Text(frame.Payload).Should().Be("ACK");
    }

    [Fact]
    public void TryParse_LenientEndBlockThenJunk_JunkJudgedByPolicy()
    {
        var parser = new MllpFrameParser(new MllpFramingOptions { RequireCarriageReturnAfterEndBlock = false });
        var buffer = new ReadOnlySequence<byte>(Bytes(SB + "A" + EB + "X"));
        parser.TryParse(ref buffer, out _).Should().BeTrue();

        var parse = () => parser.TryParse(ref buffer, out _);

        parse.Should().Throw<MllpFramingException>().Which.Violation.Should().Be(MllpFramingViolation.UnexpectedByteBetweenFrames);
    }

    [Fact]
    public void TryParse_LargeFrameArrivingInPieces_ResumesWhereItStopped()
    {
        // The same start position is handed back each time, as a PipeReader does after AdvanceTo(start, end).
        var data = Frame(new string('A', 100_000));
        var parser = new MllpFrameParser();
        for (int length = 1; length < data.Length; length += 7919)
        {
            var partial = new ReadOnlySequence<byte>(data, 0, length);
            parser.TryParse(ref partial, out _).Should().BeFalse();
            partial.Length.Should().Be(length);
        }

        var whole = new ReadOnlySequence<byte>(data);
        parser.TryParse(ref whole, out var frame).Should().BeTrue();
        frame.Payload.Length.Should().Be(100_000);
    }

    [Fact]
    public void TryParse_UnrelatedBufferAfterNeedMore_RescansFromStart()
    {
        var parser = new MllpFrameParser();
        var first = new ReadOnlySequence<byte>(Bytes(SB + "AAAA"));
        parser.TryParse(ref first, out _).Should().BeFalse();

        // A buffer that does not start where the unfinished frame did must not be trusted to hold what was scanned.
        var other = new ReadOnlySequence<byte>(Bytes(SB + "B" + SB + "C" + EB + "\r"));
        ParseAll(parser, other).Should().Equal([(MllpFrameKind.Message, "C")]);
        parser.FramesAbandoned.Should().Be(1);
    }

    [Fact]
    public void Reset_AfterNeedMore_ForgetsTheUnfinishedFrame()
    {
        var parser = new MllpFrameParser(new MllpFramingOptions { RequireCarriageReturnAfterEndBlock = false });
        var first = new ReadOnlySequence<byte>(Bytes(SB + "A" + EB));
        parser.TryParse(ref first, out _).Should().BeTrue();

        parser.Reset();
        var next = new ReadOnlySequence<byte>(Bytes("\r" + SB + "B" + EB));

        ParseAll(parser, next).Should().Equal([(MllpFrameKind.Message, "B")]);
        parser.BytesSkipped.Should().Be(1, "after Reset a CR is no longer taken as the end of the previous frame");
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsListingEveryProblem()
    {
        var options = new MllpFramingOptions { MaxFrameBytes = 0, MaxBytesBetweenFrames = -1, BetweenFramesPolicy = (MllpBetweenFramesPolicy)7 };

        var create = () => new MllpFrameParser(options);

        create.Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("MaxFrameBytes").And.Contain("MaxBytesBetweenFrames").And.Contain("BetweenFramesPolicy");
    }
}
