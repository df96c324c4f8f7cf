using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Duplicates;
using Hl7Mllp.Messages;
using Hl7Mllp.Receiving;
using Hl7Mllp.Storage;
using Microsoft.Extensions.Time.Testing;
using static Hl7Mllp.Tests.Receiving.ReceivePipelineTestKit;

namespace Hl7Mllp.Tests.Receiving;

/// <summary>Continuation reassembly (MSH-14, DSC, ADD) in <see cref="ReceivePipeline"/>.</summary>
public sealed class ReceivePipelineContinuationTests
{
    private readonly InMemoryMessageStore _store = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static readonly TimeSpan ReassemblyTimeout = TimeSpan.FromMinutes(5);

    /// <summary>A pipeline with reassembly turned on (it is off by default) unless the options say otherwise.</summary>
    private ReceivePipeline Pipeline(ReceivePipelineOptions? options = null) =>
        new(options ?? new ReceivePipelineOptions { ContinuationTimeout = ReassemblyTimeout }, _store, new InMemoryDuplicateTracker(), timeProvider: _time);

    private static string Header(string controlId, string continuationPointer = "", string sender = "LAB") =>
        $"MSH|^~\\&|{sender}|NORTH|HIS|MAIN|20260101120000||ORU^R01^ORU_R01|{controlId}|P|2.5.1||{continuationPointer}\r";

    [Fact]
    public async Task ProcessAsync_TwoFragments_EachAcknowledgedStoredOnceAssembled()
    {
        ReceivePipeline pipeline = Pipeline();

        (ReceiveResult first, Hl7Message? firstAck) = await ProcessAsync(pipeline, Header("F1") + "PID|1||1\rOBX|1|TX|||one\rDSC|PTR1|F\r");
        _store.Count.Should().Be(0);
        (ReceiveResult last, Hl7Message? lastAck) = await ProcessAsync(pipeline, Header("F2", "PTR1") + "OBX|2|TX|||two\r");

        first.Outcome.Should().Be(ReceiveOutcome.FragmentHeld);
        firstAck!.Value.GetValue("MSA.1").Should().Be("AA");
        firstAck.Value.GetValue("MSA.2").Should().Be("F1");
        last.Outcome.Should().Be(ReceiveOutcome.Stored);
        lastAck!.Value.GetValue("MSA.2").Should().Be("F2", "each fragment's ACK answers that fragment");
        Encoding.UTF8.GetString(_store.GetMessages().Single().Span).Should().Be(Header("F1") + "PID|1||1\rOBX|1|TX|||one\rOBX|2|TX|||two\r");
    }

    [Fact]
    public async Task ProcessAsync_AddSegment_JoinsTheCutSegment()
    {
        ReceivePipeline pipeline = Pipeline();

        await ProcessAsync(pipeline, Header("F1") + "OBX|1|TX|||part one \rDSC|P1|F\r");
        await ProcessAsync(pipeline, Header("F2", "P1") + "ADD|and part two\rDSC|P2|F\r");
        (ReceiveResult last, _) = await ProcessAsync(pipeline, Header("F3", "P2") + "ADD|, three|x\rOBX|2|NM|||5\r");

        last.Outcome.Should().Be(ReceiveOutcome.Stored);
        Hl7Message stored = _store.GetParsedMessages().Single();
        stored.GetValue("OBX.5").Should().Be("part one and part two, three");
        stored.GetValue("OBX.6").Should().Be("x");
        stored.GetValue("OBX[2].5").Should().Be("5");
        stored.ControlId.Should().Be("F1");
    }

    [Fact]
    public async Task ProcessAsync_OtherMessagesInterleaved_ContinuationMatchedByPointerAndSender()
    {
        ReceivePipeline pipeline = Pipeline();

        await ProcessAsync(pipeline, Header("A1", sender: "LAB") + "OBX|1|TX|||lab\rDSC|P|F\r");
        await ProcessAsync(pipeline, Header("B1", sender: "RAD") + "OBX|1|TX|||rad\rDSC|P|F\r");
        (ReceiveResult plain, _) = await ProcessAsync(pipeline, Message("PLAIN"));
        await ProcessAsync(pipeline, Header("B2", "P", sender: "RAD") + "OBX|2|TX|||rad2\r");
        await ProcessAsync(pipeline, Header("A2", "P", sender: "LAB") + "OBX|2|TX|||lab2\r");

        plain.Outcome.Should().Be(ReceiveOutcome.Stored);
        _store.GetParsedMessages().Select(message => message.ControlId + ":" + message.GetValue("OBX[2].5")).Should().Equal("PLAIN:", "B1:rad2", "A1:lab2");
    }

    [Fact]
    public async Task ProcessAsync_PointerMatchesNothing_RejectedWith100AtMsh14()
    {
        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(Pipeline(), Header("X", "NOPE") + "OBX|1\r");

        result.Should().Be(new ReceiveResult(ReceiveOutcome.Rejected, AckCode.AE, Hl7ErrorCode.SegmentSequenceError, 1, true));
        ack!.Value.GetValue("ERR.2.3").Should().Be("14");
        _store.Count.Should().Be(0);
    }

    [Fact]
    public async Task ProcessAsync_FragmentAfterTimeout_PendingDroppedAndOrphanRejected()
    {
        ReceivePipeline pipeline = Pipeline(new ReceivePipelineOptions { ContinuationTimeout = TimeSpan.FromMinutes(1) });
        await ProcessAsync(pipeline, Header("F1") + "OBX|1\rDSC|P1|F\r");

        _time.Advance(TimeSpan.FromMinutes(2));
        (ReceiveResult late, _) = await ProcessAsync(pipeline, Header("F2", "P1") + "OBX|2\r");

        late.Outcome.Should().Be(ReceiveOutcome.Rejected);
        _store.Count.Should().Be(0);
    }

    [Fact]
    public async Task ProcessAsync_AssembledTooLarge_DroppedAndRejected()
    {
        ReceivePipeline pipeline = Pipeline(new ReceivePipelineOptions { ContinuationTimeout = ReassemblyTimeout, MaxContinuationBytes = 300 });
        await ProcessAsync(pipeline, Header("F1") + "OBX|1|TX|||" + new string('a', 100) + "\rDSC|P1|F\r");

        (ReceiveResult result, _) = await ProcessAsync(pipeline, Header("F2", "P1") + "OBX|2|TX|||" + new string('b', 200) + "\r");

        result.Outcome.Should().Be(ReceiveOutcome.Rejected);
        result.FirstError.Should().Be(Hl7ErrorCode.SegmentSequenceError);
        _store.Count.Should().Be(0);
    }

    [Fact]
    public async Task ProcessAsync_ReassemblyOff_FragmentHandledAsItIs()
    {
        ReceivePipeline pipeline = Pipeline(new ReceivePipelineOptions { ContinuationTimeout = TimeSpan.Zero });

        (ReceiveResult result, _) = await ProcessAsync(pipeline, Header("F1") + "OBX|1\rDSC|P1|F\r");

        result.Outcome.Should().Be(ReceiveOutcome.Stored);
        _store.GetParsedMessages().Single().CountSegments("DSC").Should().Be(1);
    }

    [Fact]
    public async Task ProcessAsync_EmptyDsc_NotAContinuation()
    {
        (ReceiveResult result, _) = await ProcessAsync(Pipeline(), Header("D1") + "OBX|1\rDSC||F\r");

        result.Outcome.Should().Be(ReceiveOutcome.Stored);
    }

    [Fact]
    public async Task ProcessAsync_DefaultOptions_FragmentStoredDurablyBeforeItsAck()
    {
        // Review finding 1: reassembly was on by default, so a DSC fragment was answered AA while held in memory only.
        var pipeline = new ReceivePipeline(null, _store, new InMemoryDuplicateTracker(), timeProvider: _time);

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(pipeline, Header("F1") + "OBX|1\rDSC|P1|F\r");

        result.Outcome.Should().Be(ReceiveOutcome.Stored);
        ack!.Value.GetValue("MSA.1").Should().Be("AA");
        _store.GetParsedMessages().Single().ControlId.Should().Be("F1");
        new ReceivePipelineOptions().ContinuationTimeout.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public async Task ProcessAsync_FragmentResentAfterLostAck_AcknowledgedAgainAndAppendedOnce()
    {
        // Review finding 2: a fragment resent because its ACK was lost was rejected as an orphan (AE 100).
        ReceivePipeline pipeline = Pipeline();
        await ProcessAsync(pipeline, Header("F1") + "OBX|1|TX|||one\rDSC|P1|F\r");
        string second = Header("F2", "P1") + "OBX|2|TX|||two\rDSC|P2|F\r";
        await ProcessAsync(pipeline, second);

        (ReceiveResult resent, Hl7Message? resentAck) = await ProcessAsync(pipeline, second);
        (ReceiveResult last, _) = await ProcessAsync(pipeline, Header("F3", "P2") + "OBX|3|TX|||three\r");

        resent.Outcome.Should().Be(ReceiveOutcome.FragmentHeld);
        resentAck!.Value.GetValue("MSA.1").Should().Be("AA");
        resentAck.Value.GetValue("MSA.2").Should().Be("F2");
        last.Outcome.Should().Be(ReceiveOutcome.Stored);
        Hl7Message stored = _store.GetParsedMessages().Single();
        stored.CountSegments("OBX").Should().Be(3, "the resent fragment is not appended twice");
        stored.GetValue("OBX[3].5").Should().Be("three");
    }

    [Fact]
    public async Task ProcessAsync_OtherFragmentWithConsumedPointer_StillOrphan()
    {
        ReceivePipeline pipeline = Pipeline();
        await ProcessAsync(pipeline, Header("F1") + "OBX|1\rDSC|P1|F\r");
        await ProcessAsync(pipeline, Header("F2", "P1") + "OBX|2\rDSC|P2|F\r");

        (ReceiveResult other, _) = await ProcessAsync(pipeline, Header("X2", "P1") + "OBX|2\rDSC|P2|F\r");

        other.Outcome.Should().Be(ReceiveOutcome.Rejected, "only the same control ID is a resend");
    }

    [Fact]
    public async Task ProcessAsync_LastFragmentResentAfterLostAck_AssembledAgainAndAcknowledgedAsDuplicate()
    {
        ReceivePipeline pipeline = Pipeline(new ReceivePipelineOptions { ContinuationTimeout = ReassemblyTimeout, DuplicateHandling = DuplicateHandling.AcknowledgeAgain });
        await ProcessAsync(pipeline, Header("F1") + "OBX|1|TX|||one\rDSC|P1|F\r");
        string last = Header("F2", "P1") + "OBX|2|TX|||two\r";
        await ProcessAsync(pipeline, last);

        (ReceiveResult resent, Hl7Message? ack) = await ProcessAsync(pipeline, last);

        resent.Outcome.Should().Be(ReceiveOutcome.DuplicateAcknowledged, "the whole message was stored when the last fragment first arrived");
        ack!.Value.GetValue("MSA.1").Should().Be("AA");
        ack.Value.GetValue("MSA.2").Should().Be("F2");
        _store.Count.Should().Be(1);
    }

    [Fact]
    public async Task ProcessAsync_LastFragmentResentWithDuplicatesRejected_AnsweredLikeAnyResend()
    {
        ReceivePipeline pipeline = Pipeline();
        await ProcessAsync(pipeline, Header("F1") + "OBX|1|TX|||one\rDSC|P1|F\r");
        string last = Header("F2", "P1") + "OBX|2|TX|||two\r";
        await ProcessAsync(pipeline, last);

        (ReceiveResult resent, _) = await ProcessAsync(pipeline, last);

        resent.FirstError.Should().Be(Hl7ErrorCode.DuplicateKeyIdentifier, "a resent message meets the duplicate check, not the orphan rule");
        _store.Count.Should().Be(1);
    }

    [Fact]
    public async Task ProcessAsync_OtherControlIdOnCompletedPointer_StillOrphan()
    {
        ReceivePipeline pipeline = Pipeline();
        await ProcessAsync(pipeline, Header("F1") + "OBX|1\rDSC|P1|F\r");
        await ProcessAsync(pipeline, Header("F2", "P1") + "OBX|2\r");

        (ReceiveResult other, _) = await ProcessAsync(pipeline, Header("X2", "P1") + "OBX|2\r");

        other.Outcome.Should().Be(ReceiveOutcome.Rejected);
        other.FirstError.Should().Be(Hl7ErrorCode.SegmentSequenceError);
        _store.Count.Should().Be(1);
    }

    [Fact]
    public async Task ProcessAsync_HeldBytesOverLimit_OldestPendingDropped()
    {
        ReceivePipeline pipeline = Pipeline(new ReceivePipelineOptions { ContinuationTimeout = ReassemblyTimeout, MaxHeldContinuationBytes = 400 });
        await ProcessAsync(pipeline, Header("A1", sender: "LAB") + "OBX|1|TX|||" + new string('a', 150) + "\rDSC|PA|F\r");
        _time.Advance(TimeSpan.FromSeconds(1));
        await ProcessAsync(pipeline, Header("B1", sender: "RAD") + "OBX|1|TX|||" + new string('b', 150) + "\rDSC|PB|F\r");

        (ReceiveResult a, _) = await ProcessAsync(pipeline, Header("A2", "PA", sender: "LAB") + "OBX|2\r");
        (ReceiveResult b, _) = await ProcessAsync(pipeline, Header("B2", "PB", sender: "RAD") + "OBX|2\r");

        a.Outcome.Should().Be(ReceiveOutcome.Rejected, "the older continuation was dropped to keep the held bytes under the limit");
        b.Outcome.Should().Be(ReceiveOutcome.Stored);
        _store.GetParsedMessages().Single().ControlId.Should().Be("B1");
    }

    [Fact]
    public async Task ProcessAsync_OneFragmentOverHeldLimit_RejectedAsTooLarge()
    {
        ReceivePipeline pipeline = Pipeline(new ReceivePipelineOptions { ContinuationTimeout = ReassemblyTimeout, MaxHeldContinuationBytes = 100 });

        (ReceiveResult result, _) = await ProcessAsync(pipeline, Header("F1") + "OBX|1|TX|||" + new string('a', 150) + "\rDSC|P1|F\r");

        result.Outcome.Should().Be(ReceiveOutcome.Rejected);
        result.FirstError.Should().Be(Hl7ErrorCode.SegmentSequenceError);
    }

    [Fact]
    public async Task ProcessAsync_SegmentCutAcrossManyFragments_JoinedInOrder()
    {
        ReceivePipeline pipeline = Pipeline();
        await ProcessAsync(pipeline, Header("F0") + "OBX|1|TX|||c0\rDSC|P0|F\r");
        for (int i = 1; i < 40; i++)
        {
            await ProcessAsync(pipeline, Header($"F{i}", $"P{i - 1}") + $"ADD|c{i}\rDSC|P{i}|F\r");
        }

        (ReceiveResult last, _) = await ProcessAsync(pipeline, Header("F40", "P39") + "ADD|c40|x\r");

        last.Outcome.Should().Be(ReceiveOutcome.Stored);
        Hl7Message stored = _store.GetParsedMessages().Single();
        stored.GetValue("OBX.5").Should().Be(string.Concat(Enumerable.Range(0, 41).Select(i => $"c{i}")));
        stored.GetValue("OBX.6").Should().Be("x");
    }

    [Fact]
    public async Task ProcessAsync_SenderReusesItsPointers_HeldBytesDoNotLeak()
    {
        // Review finding: an entry replaced under the same key (pointers reused per message, a first fragment resent)
        // stayed counted, until the count alone evicted every other sender's continuation.
        var options = new ReceivePipelineOptions { ContinuationTimeout = ReassemblyTimeout, MaxHeldContinuationBytes = 2_000 };
        ReceivePipeline pipeline = Pipeline(options);
        for (int i = 0; i < 50; i++)
        {
            await ProcessAsync(pipeline, Header($"A{i}") + "OBX|1|TX|||" + new string('a', 100) + "\rDSC|1|F\r");
            await ProcessAsync(pipeline, Header($"B{i}", "1") + "OBX|2|TX|||b\r");
        }

        await ProcessAsync(pipeline, Header("OTHER1", sender: "RAD") + "OBX|1|TX|||r\rDSC|X|F\r");
        await ProcessAsync(pipeline, Header("A50") + "OBX|1|TX|||" + new string('a', 100) + "\rDSC|1|F\r");
        (ReceiveResult other, _) = await ProcessAsync(pipeline, Header("OTHER2", "X", sender: "RAD") + "OBX|2|TX|||r2\r");

        other.Outcome.Should().Be(ReceiveOutcome.Stored, "one sender reusing its pointers must not push out another's continuation");
        _store.Count.Should().Be(51);
    }

    [Fact]
    public async Task ProcessAsync_ManyCompletedContinuations_KeptForResendsUpToMaxPending()
    {
        var options = new ReceivePipelineOptions { ContinuationTimeout = ReassemblyTimeout, MaxPendingContinuations = 4, DuplicateHandling = DuplicateHandling.AcknowledgeAgain };
        ReceivePipeline pipeline = Pipeline(options);
        for (int i = 0; i < 10; i++)
        {
            await ProcessAsync(pipeline, Header($"F{i}") + "OBX|1\rDSC|P" + i + "|F\r");
            await ProcessAsync(pipeline, Header($"L{i}", $"P{i}") + "OBX|2\r");
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        (ReceiveResult newest, _) = await ProcessAsync(pipeline, Header("L9", "P9") + "OBX|2\r");
        (ReceiveResult oldest, _) = await ProcessAsync(pipeline, Header("L0", "P0") + "OBX|2\r");

        newest.Outcome.Should().Be(ReceiveOutcome.DuplicateAcknowledged, "a recent last fragment's resend is still recognised");
        oldest.Outcome.Should().Be(ReceiveOutcome.Rejected, "only the most recent completed messages are kept, by count as well as by bytes");
        _store.Count.Should().Be(10);
    }
}
