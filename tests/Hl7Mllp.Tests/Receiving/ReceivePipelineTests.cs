using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text;
using Hl7Mllp.Acks;
using Hl7Mllp.Diagnostics;
using Hl7Mllp.Duplicates;
using Hl7Mllp.Messages;
using Hl7Mllp.Receiving;
using Hl7Mllp.Storage;
using Hl7Mllp.Testing.Logging;
using Hl7Mllp.Validation;
using Microsoft.Extensions.Logging;
using static Hl7Mllp.Tests.Receiving.ReceivePipelineTestKit;

namespace Hl7Mllp.Tests.Receiving;

public sealed class ReceivePipelineTests
{
    private readonly InMemoryMessageStore _store = new();
    private readonly InMemoryDuplicateTracker _tracker = new();
    private readonly RecordingLoggerFactory _logs = new();

    private ReceivePipeline Pipeline(ReceivePipelineOptions? options = null, IMessageStore? store = null) =>
        new(options, store ?? _store, _tracker, _logs);

    [Fact]
    public async Task ProcessAsync_ValidMessage_StoredRecordedAndAcknowledgedAA()
    {
        ReceivePipeline pipeline = Pipeline();

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(pipeline, Message("C1"));

        result.Should().Be(new ReceiveResult(ReceiveOutcome.Stored, AckCode.AA, Hl7ErrorCode.MessageAccepted, 0, true));
        ack!.Value.GetValue("MSA.1").Should().Be("AA");
        ack.Value.GetValue("MSA.2").Should().Be("C1");
        ack.Value.GetValue("MSH.3").Should().Be("HIS", "the ACK swaps sender and receiver");
        ack.Value.CountSegments("ERR").Should().Be(0);
        _store.GetParsedMessages().Should().ContainSingle().Which.ControlId.Should().Be("C1");
        _tracker.GetKeys().Should().Equal("LAB|NORTH|C1");
        pipeline.GetCounters().Should().Be(new ReceivePipelineCounters(1, 1, 0, 0, 0, 0, 0, 0));
    }

    [Fact]
    public async Task ProcessAsync_StoredBytes_ExactlyAsReceived()
    {
        byte[] payload = Bytes(Message("C1"));

        await ProcessAsync(Pipeline(), payload);

        _store.GetMessages().Single().ToArray().Should().Equal(payload);
    }

    [Fact]
    public async Task ProcessAsync_ParseFailureWithSalvageableMsh_NakWithParseCodeAndControlId()
    {
        string text = "MSH|^~\\&|LAB|NORTH|HIS|MAIN|20260101||ADT^A01|SALVAGED|P|2.5.1\rP!D|1||" + Sentinel + "\r";

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(Pipeline(), text);

        result.Outcome.Should().Be(ReceiveOutcome.Unparseable);
        result.AckCode.Should().Be(AckCode.AE);
        result.FirstError.Should().Be(Hl7ErrorCode.SegmentSequenceError);
        ack!.Value.GetValue("MSA.1").Should().Be("AE");
        ack.Value.GetValue("MSA.2").Should().Be("SALVAGED");
        ack.Value.GetValue("ERR.3").Should().Be("100");
        _store.Count.Should().Be(0);
        _tracker.Count.Should().Be(0);
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("")]
    [InlineData("\u000b\u001c")]
    [InlineData("PID|1||" + Sentinel)]
    public async Task ProcessAsync_UnsalvageableGarbage_NakWithEmptyMsa2(string garbage)
    {
        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(Pipeline(), garbage);

        result.Outcome.Should().Be(ReceiveOutcome.Unparseable);
        ack!.Value.GetValue("MSA.1").Should().Be("AE");
        ack.Value.GetValue("MSA.2").Should().BeEmpty();
        ack.Value.GetValue("ERR.3").Should().Be("100");
        _store.Count.Should().Be(0);
    }

    [Theory]
    [InlineData("P", "T", false)]
    [InlineData("P", "p", false)]
    [InlineData("P", "P", true)]
    [InlineData("DT", "T", true)]
    [InlineData("DT", "D", true)]
    [InlineData("DT", "P", false)]
    [InlineData("P", "", true)]
    [InlineData("", "X", true)]
    [InlineData(null, "X", true)]
    public async Task ProcessAsync_ProcessingId_SubstringOfConfiguredValueAccepted(string? configured, string processingId, bool accepted)
    {
        ReceivePipeline pipeline = Pipeline(new ReceivePipelineOptions { ProcessingIds = configured });

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(pipeline, Message(processingId: processingId));

        if (accepted)
        {
            result.Outcome.Should().Be(ReceiveOutcome.Stored);
            ack!.Value.GetValue("MSA.1").Should().Be("AA");
        }
        else
        {
            result.Should().Be(new ReceiveResult(ReceiveOutcome.Rejected, AckCode.AR, Hl7ErrorCode.UnsupportedProcessingId, 1, true));
            ack!.Value.GetValue("MSA.1").Should().Be("AR");
            ack.Value.GetValue("ERR.3").Should().Be("202");
            ack.Value.GetValue("ERR.2.1").Should().Be("MSH");
            ack.Value.GetValue("ERR.2.3").Should().Be("11");
            _store.Count.Should().Be(0);
        }
    }

    [Fact]
    public async Task ProcessAsync_BlankControlId_RejectedWith101AtMsh10()
    {
        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(Pipeline(), Message(controlId: string.Empty));

        result.Should().Be(new ReceiveResult(ReceiveOutcome.Rejected, AckCode.AE, Hl7ErrorCode.RequiredFieldMissing, 1, true));
        ack!.Value.GetValue("MSA.1").Should().Be("AE");
        ack.Value.GetValue("ERR.3").Should().Be("101");
        ack.Value.GetValue("ERR.2.3").Should().Be("10");
        _store.Count.Should().Be(0);
    }

    [Fact]
    public async Task ProcessAsync_BlankControlIdAllowed_StoredButNotRecorded()
    {
        ReceivePipeline pipeline = Pipeline(new ReceivePipelineOptions { AllowBlankControlId = true });

        (ReceiveResult first, _) = await ProcessAsync(pipeline, Message(controlId: string.Empty));
        (ReceiveResult second, _) = await ProcessAsync(pipeline, Message(controlId: string.Empty));

        first.AckCode.Should().Be(AckCode.AA);
        second.AckCode.Should().Be(AckCode.AA, "a blank control ID has no key, so it is never a duplicate");
        _store.Count.Should().Be(2);
        _tracker.Count.Should().Be(0);
    }

    [Fact]
    public async Task ProcessAsync_DuplicateWithReject_ArWith205AndNotStoredAgain()
    {
        ReceivePipeline pipeline = Pipeline();
        await ProcessAsync(pipeline, Message("DUP"));

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(pipeline, Message("DUP"));

        result.Should().Be(new ReceiveResult(ReceiveOutcome.Rejected, AckCode.AR, Hl7ErrorCode.DuplicateKeyIdentifier, 1, true));
        ack!.Value.GetValue("MSA.1").Should().Be("AR");
        ack.Value.GetValue("MSA.2").Should().Be("DUP");
        ack.Value.GetValue("ERR.3").Should().Be("205");
        ack.Value.GetValue("ERR.2.3").Should().Be("10");
        _store.Count.Should().Be(1);
        pipeline.GetCounters().Duplicates.Should().Be(1);
        pipeline.GetCounters().Rejected.Should().Be(1);
    }

    [Fact]
    public async Task ProcessAsync_DuplicateWithAcknowledgeAgain_NewAckSameMsa2NotStoredAgain()
    {
        ReceivePipeline pipeline = Pipeline(new ReceivePipelineOptions { DuplicateHandling = DuplicateHandling.AcknowledgeAgain });
        (_, Hl7Message? firstAck) = await ProcessAsync(pipeline, Message("DUP"));

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(pipeline, Message("DUP"));

        result.Should().Be(new ReceiveResult(ReceiveOutcome.DuplicateAcknowledged, AckCode.AA, Hl7ErrorCode.MessageAccepted, 0, true));
        ack!.Value.GetValue("MSA.1").Should().Be("AA");
        ack.Value.GetValue("MSA.2").Should().Be("DUP");
        ack.Value.ControlId.Should().NotBe(firstAck!.Value.ControlId, "it is a new ACK");
        _store.Count.Should().Be(1);
        pipeline.GetCounters().Should().Be(new ReceivePipelineCounters(2, 1, 0, 0, 1, 0, 0, 0));
    }

    [Fact]
    public async Task ProcessAsync_DuplicateAcknowledgeAgainButOtherwiseInvalid_StillRejected()
    {
        ReceivePipeline pipeline = Pipeline(new ReceivePipelineOptions { DuplicateHandling = DuplicateHandling.AcknowledgeAgain, ProcessingIds = "P" });
        await ProcessAsync(pipeline, Message("DUP"));

        (ReceiveResult result, _) = await ProcessAsync(pipeline, Message("DUP", processingId: "T"));

        result.AckCode.Should().Be(AckCode.AR);
        result.FirstError.Should().Be(Hl7ErrorCode.UnsupportedProcessingId);
        result.ErrorCount.Should().Be(2);
    }

    [Fact]
    public async Task ProcessAsync_SeveralErrors_EachReportedFirstDecides()
    {
        ReceivePipeline pipeline = Pipeline(new ReceivePipelineOptions { ProcessingIds = "P" });

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(pipeline, Message(controlId: string.Empty, processingId: "T"));

        result.AckCode.Should().Be(AckCode.AR, "202 comes first and 2xx means AR");
        ack!.Value.CountSegments("ERR").Should().Be(2);
        ack.Value.GetValue("ERR[1].3").Should().Be("202");
        ack.Value.GetValue("ERR[2].3").Should().Be("101");
    }

    [Fact]
    public async Task ProcessAsync_RuleHit_NakWithRuleCodeTextAndLocation()
    {
        var options = new ReceivePipelineOptions
        {
            Rules = new Hl7RuleSet([Hl7Rule.Parse("no test patients", "PID.3.1 = 'TEST'", Hl7ErrorCode.TableValueNotFound, "PID.3 Test patients are not accepted")]),
        };

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(Pipeline(options), Message(pid: "PID|1||TEST^^^HOSP||DOE"));

        result.Should().Be(new ReceiveResult(ReceiveOutcome.Rejected, AckCode.AE, Hl7ErrorCode.TableValueNotFound, 1, true));
        ack!.Value.GetValue("ERR.3").Should().Be("103");
        ack.Value.GetValue("ERR.2.1").Should().Be("PID");
        ack.Value.GetValue("ERR.2.3").Should().Be("3");
        ack.Value.GetValue("ERR.8").Should().Contain("Test patients are not accepted");
        _store.Count.Should().Be(0);
    }

    [Fact]
    public async Task ProcessAsync_NamedFieldsFinding_NakWithFindingCodeAndLocation()
    {
        var options = new ReceivePipelineOptions { NamedFields = NamedFieldsDefinition.BuiltIn("2.5.1"), ValidationFlags = ValidationFlags.RequiredFields };

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(Pipeline(options), Message(pid: "PID|1||||DOE^JANE"));

        result.Outcome.Should().Be(ReceiveOutcome.Rejected);
        result.FirstError.Should().Be(Hl7ErrorCode.RequiredFieldMissing);
        ack!.Value.GetValue("MSA.1").Should().Be("AE");
        ack.Value.GetValue("ERR.2.1").Should().Be("PID");
        ack.Value.GetValue("ERR.2.3").Should().Be("3");
        _store.Count.Should().Be(0);
    }

    [Fact]
    public async Task ProcessAsync_NamedFieldsRequired_BlankMsh11Reported()
    {
        var options = new ReceivePipelineOptions { ProcessingIds = "P", NamedFields = NamedFieldsDefinition.BuiltIn("2.5.1"), ValidationFlags = ValidationFlags.RequiredFields };

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(Pipeline(options), Message(processingId: string.Empty));

        result.FirstError.Should().Be(Hl7ErrorCode.RequiredFieldMissing, "a blank MSH-11 passes the processing ID check but not required-field validation");
        Enumerable.Range(1, ack!.Value.CountSegments("ERR")).Select(i => ack.Value.GetValue($"ERR[{i}].2.3")).Should().Contain("11");
    }

    [Fact]
    public async Task ProcessAsync_ValidMessageWithBuiltIn251_Stored()
    {
        var options = new ReceivePipelineOptions { NamedFields = NamedFieldsDefinition.BuiltIn("2.5.1") };

        (ReceiveResult result, _) = await ProcessAsync(Pipeline(options), Message());

        result.Outcome.Should().Be(ReceiveOutcome.Stored);
    }

    [Fact]
    public async Task ProcessAsync_ControlIdRuleAndNamedFields_ReportedInPipelineOrder()
    {
        var options = new ReceivePipelineOptions
        {
            Rules = new Hl7RuleSet([Hl7Rule.Parse("no test patients", "PID.5.1 = 'DOE'", Hl7ErrorCode.UnsupportedMessageType, "PID.5 Rejected by rule")]),
            NamedFields = NamedFieldsDefinition.BuiltIn("2.5.1"),
            ValidationFlags = ValidationFlags.RequiredFields,
        };

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(Pipeline(options), Message(controlId: string.Empty, pid: "PID|1||||DOE^JANE"));

        result.AckCode.Should().Be(AckCode.AE, "101 (control ID) comes first");
        ack!.Value.GetValue("ERR[1].3").Should().Be("101");
        ack.Value.GetValue("ERR[2].3").Should().Be("200");
        ack.Value.GetValue("ERR[3].3").Should().Be("101");
    }

    [Fact]
    public async Task ProcessAsync_WarningFromStepThenError_ErrorDecides()
    {
        var options = new ReceivePipelineOptions();
        options.Steps.Add(new DelegateStep(context =>
        {
            context.AddError(new Hl7Error(Hl7ErrorCode.OtherError, "just a note") { Severity = Hl7Severity.Warning });
            context.AddError(Hl7Error.At("PID.3", Hl7ErrorCode.TableValueNotFound, "Unknown patient class"));
        }));

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(Pipeline(options), Message());

        result.Should().Be(new ReceiveResult(ReceiveOutcome.Rejected, AckCode.AE, Hl7ErrorCode.TableValueNotFound, 2, true));
        ack!.Value.GetValue("ERR[2].2.1").Should().Be("PID");
        ack.Value.GetValue("ERR[2].2.3").Should().Be("3");
        _store.Count.Should().Be(0);
    }

    [Fact]
    public async Task ProcessAsync_OnlyWarnings_StoredAndAcceptedWithErr()
    {
        var options = new ReceivePipelineOptions();
        options.Steps.Add(new DelegateStep(context => context.AddError(new Hl7Error(Hl7ErrorCode.OtherError, "note") { Severity = Hl7Severity.Warning })));

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(Pipeline(options), Message());

        result.Outcome.Should().Be(ReceiveOutcome.Stored);
        ack!.Value.GetValue("MSA.1").Should().Be("AA");
        ack.Value.CountSegments("ERR").Should().Be(1);
    }

    [Fact]
    public async Task ProcessAsync_StepSeesEarlierErrorsAndCanSkipStore()
    {
        var options = new ReceivePipelineOptions();
        IReadOnlyList<Hl7Error>? seen = null;
        options.Steps.Add(new DelegateStep(context =>
        {
            seen = [.. context.Errors];
            context.Message.Message.ControlId.Should().Be("C9");
            context.Connection.ListenerName.Should().Be("TEST");
            context.SkipStore = true;
        }));

        (ReceiveResult result, _) = await ProcessAsync(Pipeline(options), Message("C9"));

        seen.Should().BeEmpty();
        result.Outcome.Should().Be(ReceiveOutcome.Stored);
        _store.Count.Should().Be(0, "the step took over storage");
        _tracker.GetKeys().Should().Equal("LAB|NORTH|C9");
    }

    [Fact]
    public async Task ProcessAsync_StepThrows_207NakNothingStoredOrRecordedNoContentLogged()
    {
        var options = new ReceivePipelineOptions();
        options.Steps.Add(new DelegateStep(_ => throw new InvalidOperationException("boom " + Sentinel)));
        ReceivePipeline pipeline = Pipeline(options);

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(pipeline, Message("S1"));

        result.Should().Be(new ReceiveResult(ReceiveOutcome.Failed, AckCode.AR, Hl7ErrorCode.ApplicationInternalError, 1, true));
        ack!.Value.GetValue("ERR.3").Should().Be("207");
        ack.Value.GetValue("MSA.2").Should().Be("S1");
        _store.Count.Should().Be(0);
        _tracker.Count.Should().Be(0);
        pipeline.GetCounters().StepFailures.Should().Be(1);
        _logs.Entries.Should().Contain(entry => entry.EventId.Id == Hl7MllpEventIds.ReceiveStepFailed && entry.Message.Contains("InvalidOperationException"));
        _logs.AssertNoEntryContains(Sentinel);
    }

    [Fact]
    public async Task ProcessAsync_StoreThrows_207NakNothingRecordedCountedLoggedWithoutContent()
    {
        var store = new ThrowingStore(new IOException("No space left on device: " + Sentinel));
        ReceivePipeline pipeline = Pipeline(store: store);

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(pipeline, Message("F1"));

        result.Should().Be(new ReceiveResult(ReceiveOutcome.Failed, AckCode.AR, Hl7ErrorCode.ApplicationInternalError, 1, true));
        ack!.Value.GetValue("MSA.1").Should().Be("AR");
        ack.Value.GetValue("MSA.2").Should().Be("F1");
        ack.Value.GetValue("ERR.3").Should().Be("207");
        _tracker.Count.Should().Be(0, "a message that was not stored must not count as received");
        pipeline.GetCounters().StoreFailures.Should().Be(1);
        _logs.Entries.Should().ContainSingle(entry => entry.EventId.Id == Hl7MllpEventIds.MessageStoreFailed).Which.Message.Should().Contain("IOException");
        _logs.AssertNoEntryContains(Sentinel);
    }

    [Fact]
    public async Task ProcessAsync_StoreFailsThenResend_StoredOnceTheStoreRecovers()
    {
        var flaky = new FlakyStore(_store, failures: 1);
        ReceivePipeline pipeline = Pipeline(store: flaky);

        (ReceiveResult first, _) = await ProcessAsync(pipeline, Message("R1"));
        (ReceiveResult second, _) = await ProcessAsync(pipeline, Message("R1"));

        first.Outcome.Should().Be(ReceiveOutcome.Failed);
        second.Outcome.Should().Be(ReceiveOutcome.Stored, "the failed attempt was not recorded, so the resend is no duplicate");
        _store.Count.Should().Be(1);
    }

    [Fact]
    public async Task ProcessAsync_CancelledDuringStore_ThrowsAndWritesNoAck()
    {
        using var cancellation = new CancellationTokenSource();
        var store = new CancellingStore(cancellation);
        ReceivePipeline pipeline = Pipeline(store: store);
        using var context = new MllpReceiveContext();
        context.Reset(new ReadOnlySequence<byte>(Bytes(Message())), DateTimeOffset.UnixEpoch);

        Func<Task> process = async () => await pipeline.ProcessAsync(context, cancellation.Token);

        await process.Should().ThrowAsync<OperationCanceledException>();
        context.WrittenResponse.Length.Should().Be(0);
        _tracker.Count.Should().Be(0);
    }

    [Fact]
    public async Task ProcessAsync_TrackerRecordFails_StillAcknowledgedBecauseStored()
    {
        var pipeline = new ReceivePipeline(null, _store, new FailingRecordTracker(), _logs);

        (ReceiveResult result, _) = await ProcessAsync(pipeline, Message("T1"));

        result.Outcome.Should().Be(ReceiveOutcome.Stored);
        _store.Count.Should().Be(1);
        _logs.Entries.Should().Contain(entry => entry.EventId.Id == Hl7MllpEventIds.DuplicateRecordFailed);
    }

    [Fact]
    public async Task ProcessAsync_NoTracker_DuplicatesNotDetected()
    {
        var pipeline = new ReceivePipeline(null, _store);

        await ProcessAsync(pipeline, Message("X"));
        (ReceiveResult second, _) = await ProcessAsync(pipeline, Message("X"));

        second.Outcome.Should().Be(ReceiveOutcome.Stored);
        _store.Count.Should().Be(2);
    }

    // RELIABILITY B6: enhanced mode, per MSH-15 (accept ACK) on success and on failure.
    [Theory]
    [InlineData("AL", "NE", true, "CA")]
    [InlineData("AL", "AL", true, "CA")]
    [InlineData("SU", "AL", true, "CA")]
    [InlineData("ER", "AL", true, null)]
    [InlineData("NE", "AL", true, null)]
    [InlineData("", "AL", true, "CA")]
    [InlineData("AL", "", false, "CE")]
    [InlineData("ER", "", false, "CE")]
    [InlineData("SU", "", false, null)]
    [InlineData("NE", "NE", false, null)]
    public async Task ProcessAsync_EnhancedMode_AcceptAckPerMsh15(string msh15, string msh16, bool valid, string? expected)
    {
        ReceivePipeline pipeline = Pipeline();

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(pipeline, Message(controlId: valid ? "E1" : string.Empty, msh15: msh15, msh16: msh16));

        result.Outcome.Should().Be(valid ? ReceiveOutcome.Stored : ReceiveOutcome.Rejected);
        result.AckWritten.Should().Be(expected is not null);
        if (expected is null)
        {
            ack.Should().BeNull();
            pipeline.GetCounters().AcceptAcksSuppressed.Should().Be(1);
        }
        else
        {
            ack!.Value.GetValue("MSA.1").Should().Be(expected);
        }

        _store.Count.Should().Be(valid ? 1 : 0, "the commit happens whether or not an accept ACK is sent");
    }

    // An unparsable message whose MSH can be read follows MSH-15 like any other failure, as the oversize-frame answer does.
    [Theory]
    [InlineData("AL", "", "CE")]
    [InlineData("ER", "AL", "CE")]
    [InlineData("", "AL", "CE")]
    [InlineData("NE", "AL", null)]
    [InlineData("SU", "", null)]
    public async Task ProcessAsync_UnparseableEnhancedMode_AcceptAckPerMsh15(string msh15, string msh16, string? expected)
    {
        ReceivePipeline pipeline = Pipeline();

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(pipeline, Message("U1", msh15: msh15, msh16: msh16) + "P!D|1||" + Sentinel + "\r");

        result.Should().Be(new ReceiveResult(ReceiveOutcome.Unparseable, AckCode.CE, Hl7ErrorCode.SegmentSequenceError, 1, expected is not null));
        LogEntry logged = _logs.WithEventId(Hl7MllpEventIds.MessageUnparseable).Should().ContainSingle("the rejection is logged whether or not it is answered").Subject;
        logged["AckCode"].Should().Be(AckCode.CE);
        if (expected is null)
        {
            ack.Should().BeNull();
            pipeline.GetCounters().AcceptAcksSuppressed.Should().Be(1);
            logged.Message.Should().Contain("not sent").And.Contain("MSH-15");
        }
        else
        {
            ack!.Value.GetValue("MSA.1").Should().Be(expected);
            ack.Value.GetValue("MSA.2").Should().Be("U1");
            pipeline.GetCounters().AcceptAcksSuppressed.Should().Be(0);
        }

        pipeline.GetCounters().Unparseable.Should().Be(1);
        _store.Count.Should().Be(0);
        _logs.AssertNoEntryContains(Sentinel);
    }

    [Fact]
    public async Task ProcessAsync_EnhancedModeStoreFails_CommitReject()
    {
        ReceivePipeline pipeline = Pipeline(store: new ThrowingStore(new IOException("disk")));

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(pipeline, Message(msh15: "AL", msh16: "AL"));

        result.AckCode.Should().Be(AckCode.CR);
        ack!.Value.GetValue("MSA.1").Should().Be("CR");
        ack.Value.GetValue("ERR.3").Should().Be("207");
    }

    [Fact]
    public async Task BuildApplicationAck_AfterCommit_WritesAaOrAe()
    {
        ReceivePipeline pipeline = Pipeline();
        Hl7Message message = Hl7Message.Parse(Message("APP1", msh15: "AL", msh16: "AL"));
        var output = new ArrayBufferWriter<byte>();

        AckCode code = pipeline.BuildApplicationAck(message, [], output);
        AckCode failed = pipeline.BuildApplicationAck(message, [Hl7Error.At("PID.3", Hl7ErrorCode.RequiredFieldMissing, "MRN missing")], new ArrayBufferWriter<byte>());

        code.Should().Be(AckCode.AA);
        failed.Should().Be(AckCode.AE);
        AckMode.Determine(message).IsApplicationAckDue(success: true).Should().BeTrue();
        Hl7Message.Parse(output.WrittenMemory).GetValue("MSA.2").Should().Be("APP1");
    }

    // RELIABILITY A11: the message's own character set; bytes are stored exactly as received.
    [Fact]
    public async Task ProcessAsync_Utf8Declared_StoredVerbatimAndDecodedAsUtf8()
    {
        byte[] payload = Bytes(Message(charset: "UNICODE UTF-8", pid: "PID|1||1||Gérard^Zoë"));

        (ReceiveResult result, _) = await ProcessAsync(Pipeline(), payload);

        result.Outcome.Should().Be(ReceiveOutcome.Stored);
        Hl7Message stored = _store.GetParsedMessages().Single();
        stored.GetValue("PID.5.1").Should().Be("Gérard");
        _store.GetMessages().Single().ToArray().Should().Equal(payload);
    }

    [Fact]
    public async Task ProcessAsync_Latin1Declared_StoredVerbatimAndDecodedAsLatin1()
    {
        byte[] payload = Encoding.Latin1.GetBytes(Message(charset: "8859/1", pid: "PID|1||1||Gérard"));

        (ReceiveResult result, _) = await ProcessAsync(Pipeline(new ReceivePipelineOptions { RejectInvalidText = true }), payload);

        result.Outcome.Should().Be(ReceiveOutcome.Stored, "0xE9 is valid Latin-1 although it is not valid UTF-8");
        _store.GetParsedMessages().Single().GetValue("PID.5.1").Should().Be("Gérard");
        _store.GetMessages().Single().ToArray().Should().Equal(payload);
    }

    [Fact]
    public async Task ProcessAsync_InvalidUtf8_AcceptedByDefaultRejectedWith102WhenAsked()
    {
        byte[] text = Bytes(Message(charset: "UNICODE UTF-8", pid: "PID|1||1||X"));
        byte[] payload = [.. text[..^2], 0xC3, 0x28, (byte)'\r'];

        (ReceiveResult lenient, _) = await ProcessAsync(new ReceivePipeline(null, _store), payload);
        (ReceiveResult strict, Hl7Message? ack) = await ProcessAsync(new ReceivePipeline(new ReceivePipelineOptions { RejectInvalidText = true }, _store), payload);

        lenient.Outcome.Should().Be(ReceiveOutcome.Stored);
        strict.Should().Be(new ReceiveResult(ReceiveOutcome.Rejected, AckCode.AE, Hl7ErrorCode.DataTypeError, 1, true));
        ack!.Value.GetValue("ERR.2.3").Should().Be("18");
    }

    [Fact]
    public async Task ProcessAsync_Utf16_Unparseable()
    {
        byte[] payload = Encoding.Unicode.GetBytes(Message());

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(Pipeline(), payload);

        result.Outcome.Should().Be(ReceiveOutcome.Unparseable);
        ack!.Value.GetValue("MSA.1").Should().Be("AE");
    }

    // RELIABILITY A12: hostile messages are answered, never thrown.
    public static TheoryData<string, string> HostileMessages() => new()
    {
        { "no MSH", "EVN|A01\rPID|1||" + Sentinel + "\r" },
        { "LF separators", Message("LF1").Replace('\r', '\n') },
        { "odd MSH-2", "MSH|^^^^|LAB|N|H|M|2026||ADT^A01|ODD|P|2.5.1\r" },
        { "truncated MSH", "MSH|^~" },
        { "deep escapes", Message("ESC", pid: "PID|1||" + string.Concat(Enumerable.Repeat("\\X00\\\\E\\\\.br\\", 20_000))) },
        { "10^6 repetitions", Message("REP", pid: "PID|1||" + new string('~', 1_000_000)) },
        { "10^5 segments", Message("SEG") + string.Concat(Enumerable.Repeat("NTE|1||" + Sentinel + "\r", 100_000)) },
    };

    [Theory]
    [MemberData(nameof(HostileMessages))]
    public async Task ProcessAsync_HostileMessage_AnsweredWithoutException(string name, string text)
    {
        var options = new ReceivePipelineOptions { RejectInvalidText = true, ProcessingIds = "P" };

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(Pipeline(options), text);

        ack.Should().NotBeNull(name);
        ack!.Value.GetValue("MSA.1").Should().BeOneOf("AA", "AE", "AR");
        result.AckCode.ToString().Should().Be(ack.Value.GetValue("MSA.1"));
        _logs.AssertNoEntryContains(Sentinel);
    }

    // RELIABILITY A13: no message content in any log line, on any path.
    [Fact]
    public async Task ProcessAsync_EveryPath_SentinelNeverLogged()
    {
        var options = new ReceivePipelineOptions { ProcessingIds = "P", DuplicateHandling = DuplicateHandling.Reject };
        ReceivePipeline good = Pipeline(options);
        ReceivePipeline failing = Pipeline(options, new ThrowingStore(new IOException(Sentinel)));

        await ProcessAsync(good, Message("A"));
        await ProcessAsync(good, Message("A"));
        await ProcessAsync(good, Message("B", processingId: "T"));
        await ProcessAsync(good, Message(string.Empty));
        await ProcessAsync(good, "MSH|^~\\&|" + Sentinel + "\rZ!Z|" + Sentinel);
        await ProcessAsync(good, Sentinel);
        await ProcessAsync(failing, Message("C"));

        _logs.Entries.Should().HaveCountGreaterThanOrEqualTo(6);
        _logs.AssertNoEntryContains(Sentinel);
    }

    [Fact]
    public async Task ProcessAsync_ManyStepErrors_CappedAtMaxErrors()
    {
        var options = new ReceivePipelineOptions { MaxErrors = 3 };
        options.Steps.Add(new DelegateStep(context =>
        {
            for (int i = 0; i < 50; i++)
            {
                context.AddError(new Hl7Error(Hl7ErrorCode.DataTypeError, "bad"));
            }
        }));

        (ReceiveResult result, Hl7Message? ack) = await ProcessAsync(Pipeline(options), Message());

        result.ErrorCount.Should().Be(3);
        ack!.Value.CountSegments("ERR").Should().Be(3);
    }

    // RELIABILITY E2: counters on the Hl7Mllp meter.
    [Fact]
    public async Task ProcessAsync_Meter_CountsOutcomesCodesAndFailures()
    {
        var measurements = new List<(string Name, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (instrument.Meter.Name == Hl7MllpTelemetry.Name && instrument.Name.StartsWith("hl7mllp.pipeline.", StringComparison.Ordinal))
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(tag => tag.Key, tag => tag.Value)));
            }
        });
        listener.Start();
        ReceivePipeline pipeline = Pipeline();
        ReceivePipeline failing = Pipeline(store: new ThrowingStore(new IOException("disk")));
        string id = Guid.NewGuid().ToString("N")[..16];

        await ProcessAsync(pipeline, Message(id));
        await ProcessAsync(pipeline, Message(id));
        await ProcessAsync(failing, Message(id + "F"));
        await ProcessAsync(pipeline, "garbage");

        lock (measurements)
        {
            measurements.Should().Contain(m => m.Name == "hl7mllp.pipeline.messages" && (string)m.Tags["hl7mllp.outcome"]! == "stored" && (string)m.Tags["hl7.ack.code"]! == "AA");
            measurements.Should().Contain(m => m.Name == "hl7mllp.pipeline.duplicates");
            measurements.Should().Contain(m => m.Name == "hl7mllp.pipeline.errors" && (int)m.Tags["hl7.error.code"]! == 205);
            measurements.Should().Contain(m => m.Name == "hl7mllp.pipeline.store.failures");
            measurements.Should().Contain(m => m.Name == "hl7mllp.pipeline.messages" && (string)m.Tags["hl7mllp.outcome"]! == "unparseable");
        }
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsListingEveryProblem()
    {
        var options = new ReceivePipelineOptions { MaxErrors = 0, DuplicateHandling = (DuplicateHandling)9, Ack = null!, Parse = null! };

        Action create = () => _ = new ReceivePipeline(options, _store);

        create.Should().Throw<ArgumentException>().WithMessage("*MaxErrors*DuplicateHandling*Ack*Parse*");
    }

    [Fact]
    public void Constructor_InvalidWarningLimit_ThrowsNamingBoth()
    {
        var options = new ReceivePipelineOptions { MaxWarningsPerInterval = -1, WarningLogInterval = TimeSpan.Zero };

        Action create = () => _ = new ReceivePipeline(options, _store);

        create.Should().Throw<ArgumentException>().WithMessage("*MaxWarningsPerInterval*WarningLogInterval*");
    }

    [Fact]
    public async Task ProcessAsync_RejectionsPastWarningLimit_LoggedUpToLimitThenOneSummaryNextInterval()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new ReceivePipelineOptions { ProcessingIds = "P", MaxWarningsPerInterval = 2, WarningLogInterval = TimeSpan.FromSeconds(10) };
        var pipeline = new ReceivePipeline(options, _store, _tracker, _logs, time);

        for (int i = 0; i < 5; i++)
        {
            (ReceiveResult result, _) = await ProcessAsync(pipeline, Message($"T{i}", processingId: "T"));
            result.AckCode.Should().Be(AckCode.AR, "the limit only affects logging, never the ACK");
        }

        await ProcessAsync(pipeline, "NOT HL7 " + Sentinel);
        int rejectedBefore = _logs.WithEventId(Hl7MllpEventIds.MessageRejected).Count;
        time.Advance(TimeSpan.FromSeconds(10));
        await ProcessAsync(pipeline, Message("T9", processingId: "T"));

        rejectedBefore.Should().Be(2);
        _logs.HasEventId(Hl7MllpEventIds.MessageUnparseable).Should().BeFalse("the unparseable frame came past the limit");
        LogEntry summary = _logs.WithEventId(Hl7MllpEventIds.MessageWarningsSuppressed).Should().ContainSingle().Subject;
        summary.Level.Should().Be(LogLevel.Warning);
        summary["SuppressedCount"].Should().Be(4L);
        _logs.WithEventId(Hl7MllpEventIds.MessageRejected).Should().HaveCount(3);
        pipeline.GetCounters().Rejected.Should().Be(6, "counters count every message");
        _logs.AssertNoEntryContains(Sentinel);
    }

    [Fact]
    public async Task ProcessAsync_DefaultOptions_EveryRejectionLogged()
    {
        var pipeline = new ReceivePipeline(new ReceivePipelineOptions { ProcessingIds = "P" }, _store, _tracker, _logs);

        for (int i = 0; i < 30; i++)
        {
            await ProcessAsync(pipeline, Message($"T{i}", processingId: "T"));
        }

        _logs.WithEventId(Hl7MllpEventIds.MessageRejected).Should().HaveCount(30);
        _logs.HasEventId(Hl7MllpEventIds.MessageWarningsSuppressed).Should().BeFalse();
    }

    [Fact]
    public void Constructor_NullStore_Throws()
    {
        Action create = () => _ = new ReceivePipeline(null, null!);

        create.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task HandleAsync_WritesTheSameAckAsProcessAsync()
    {
        ReceivePipeline pipeline = Pipeline();
        using var context = new MllpReceiveContext();
        context.Reset(new ReadOnlySequence<byte>(Bytes(Message("H1"))), DateTimeOffset.UnixEpoch);

        await pipeline.HandleAsync(context);

        Hl7Message.Parse(context.WrittenResponse).GetValue("MSA.2").Should().Be("H1");
        _store.Count.Should().Be(1);
    }

    private sealed class FlakyStore(IMessageStore inner, int failures) : IMessageStore
    {
        private int _failures = failures;

        public ValueTask StoreAsync(ReceivedMessage message, CancellationToken cancellationToken = default) =>
            _failures-- > 0 ? throw new IOException("transient") : inner.StoreAsync(message, cancellationToken);
    }

    private sealed class CancellingStore(CancellationTokenSource cancellation) : IMessageStore
    {
        public ValueTask StoreAsync(ReceivedMessage message, CancellationToken cancellationToken = default)
        {
            cancellation.Cancel();
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class FailingRecordTracker : IDuplicateTracker
    {
        public ValueTask<bool> IsDuplicateAsync(ReceivedMessage message, CancellationToken cancellationToken = default) => new(false);

        public ValueTask RecordAsync(ReceivedMessage message, CancellationToken cancellationToken = default) => throw new IOException("journal");
    }

    [Fact]
    public async Task ProcessAsync_ResendWhileFirstStillStoring_WaitsThenRejectedAsDuplicateStoredOnce()
    {
        // Review finding 3: the duplicate check and the record were not atomic, so a resend on a second connection
        // while the first was still in StoreAsync passed the check and was stored twice.
        var store = new BlockingStore();
        (Task<(ReceiveResult Result, Hl7Message? Ack)> first, Task<(ReceiveResult Result, Hl7Message? Ack)> second) = await ResendWhileStoringAsync(store);
        second.IsCompleted.Should().BeFalse("the resend waits while the first is in flight");
        store.Release();

        (await first).Result.Outcome.Should().Be(ReceiveOutcome.Stored);
        (await second).Result.Should().Be(new ReceiveResult(ReceiveOutcome.Rejected, AckCode.AR, Hl7ErrorCode.DuplicateKeyIdentifier, 1, true));
        store.Calls.Should().Be(1);
    }

    [Fact]
    public async Task ProcessAsync_ResendWhileFirstFails_ResendStored()
    {
        var store = new BlockingStore();
        (Task<(ReceiveResult Result, Hl7Message? Ack)> first, Task<(ReceiveResult Result, Hl7Message? Ack)> second) = await ResendWhileStoringAsync(store);
        store.Release(new IOException("disk full"));

        (await first).Result.Outcome.Should().Be(ReceiveOutcome.Failed);
        (await second).Result.Outcome.Should().Be(ReceiveOutcome.Stored, "the key is released when the first fails");
        store.Calls.Should().Be(2);
        _tracker.GetKeys().Should().ContainSingle();
    }

    /// <summary>Sends C1 into a store that holds it, then sends C1 again while the first is still in StoreAsync.</summary>
    private async Task<(Task<(ReceiveResult Result, Hl7Message? Ack)> First, Task<(ReceiveResult Result, Hl7Message? Ack)> Second)> ResendWhileStoringAsync(BlockingStore store)
    {
        ReceivePipeline pipeline = Pipeline(store: store);
        Task<(ReceiveResult Result, Hl7Message? Ack)> first = ProcessAsync(pipeline, Message("C1"));
        await store.FirstStarted.Task;
        return (first, ProcessAsync(pipeline, Message("C1")));
    }
}
