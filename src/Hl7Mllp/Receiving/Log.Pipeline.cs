using Hl7Mllp.Acks;
using Hl7Mllp.Diagnostics;
using Hl7Mllp.Messages;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Receiving;

/// <summary>The receive pipeline's log messages: control ID, message type, sizes, codes and exception type names only, never message content.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = Hl7MllpEventIds.MessageAccepted, Level = LogLevel.Debug,
        Message = "Message {ControlId} ({MessageType}, {ByteCount} bytes) on connection {ConnectionId} stored and acknowledged {AckCode}")]
    public static partial void PipelineMessageAccepted(ILogger logger, string controlId, string messageType, int byteCount, long connectionId, AckCode ackCode);

    [LoggerMessage(EventId = Hl7MllpEventIds.MessageRejected, Level = LogLevel.Warning,
        Message = "Message {ControlId} ({MessageType}) on connection {ConnectionId} answered {AckCode}: HL7 error {ErrorCode} at {Location}, {ErrorCount} errors in all")]
    public static partial void PipelineMessageRejected(ILogger logger, string controlId, string messageType, long connectionId, AckCode ackCode, int errorCode, string location, int errorCount);

    [LoggerMessage(EventId = Hl7MllpEventIds.MessageUnparseable, Level = LogLevel.Warning,
        Message = "Frame of {ByteCount} bytes on connection {ConnectionId} is not an HL7 message: HL7 error {ErrorCode} at byte {Position}; {AckCode} {Answer}")]
    public static partial void PipelineMessageUnparseable(ILogger logger, int byteCount, long connectionId, int errorCode, int position, AckCode ackCode, string answer);

    [LoggerMessage(EventId = Hl7MllpEventIds.MessageStoreFailed, Level = LogLevel.Error,
        Message = "Message {ControlId} ({MessageType}) on connection {ConnectionId} could not be stored ({ExceptionType}, HResult {HResult}); answered with error 207 and not recorded")]
    public static partial void PipelineStoreFailed(ILogger logger, string controlId, string messageType, long connectionId, string exceptionType, int hResult);

    [LoggerMessage(EventId = Hl7MllpEventIds.ReceiveStepFailed, Level = LogLevel.Error,
        Message = "Receive step {StepType} failed for message {ControlId} ({MessageType}) on connection {ConnectionId} ({ExceptionType}); answered with error 207")]
    public static partial void PipelineStepFailed(ILogger logger, string stepType, string controlId, string messageType, long connectionId, string exceptionType);

    [LoggerMessage(EventId = Hl7MllpEventIds.DuplicateMessage, Level = LogLevel.Warning,
        Message = "Message {ControlId} ({MessageType}) on connection {ConnectionId} is a duplicate; {Handling}")]
    public static partial void PipelineDuplicate(ILogger logger, string controlId, string messageType, long connectionId, DuplicateHandling handling);

    [LoggerMessage(EventId = Hl7MllpEventIds.DuplicateRecordFailed, Level = LogLevel.Warning,
        Message = "Message {ControlId} was stored but its key could not be recorded ({ExceptionType}); a resend would be stored again")]
    public static partial void PipelineRecordFailed(ILogger logger, string controlId, string exceptionType);

    [LoggerMessage(EventId = Hl7MllpEventIds.AcceptAckSuppressed, Level = LogLevel.Debug,
        Message = "Message {ControlId}: no accept ACK written ({AckCode} not due by MSH-15)")]
    public static partial void PipelineAcceptAckSuppressed(ILogger logger, string controlId, AckCode ackCode);

    [LoggerMessage(EventId = Hl7MllpEventIds.MessageWarningsSuppressed, Level = LogLevel.Warning,
        Message = "{SuppressedCount} per-message warnings were not logged in the last {Period} (at most {Limit} per {Interval}); the counters and metrics include them")]
    public static partial void PipelineWarningsSuppressed(ILogger logger, long suppressedCount, TimeSpan period, int limit, TimeSpan interval);

    [LoggerMessage(EventId = Hl7MllpEventIds.ContinuationFragmentHeld, Level = LogLevel.Debug,
        Message = "Continuation fragment {ControlId} ({ByteCount} bytes) held; {FragmentCount} fragments, {TotalBytes} bytes so far")]
    public static partial void PipelineFragmentHeld(ILogger logger, string controlId, int byteCount, int fragmentCount, int totalBytes);

    [LoggerMessage(EventId = Hl7MllpEventIds.ContinuationReassembled, Level = LogLevel.Debug,
        Message = "Continuation ending with fragment {ControlId} reassembled from {FragmentCount} fragments, {TotalBytes} bytes")]
    public static partial void PipelineReassembled(ILogger logger, string controlId, int fragmentCount, int totalBytes);

    [LoggerMessage(EventId = Hl7MllpEventIds.ContinuationExpired, Level = LogLevel.Warning,
        Message = "Dropped an incomplete continuation of {FragmentCount} fragments ({TotalBytes} bytes) after {Timeout}")]
    public static partial void PipelineContinuationExpired(ILogger logger, int fragmentCount, int totalBytes, TimeSpan timeout);

    /// <summary>How <see cref="PipelineMessageUnparseable"/> ends when the NAK was written.</summary>
    public const string NakSent = "sent";

    /// <summary>How <see cref="PipelineMessageUnparseable"/> ends when MSH-15 asked for no accept ACK on failure.</summary>
    public const string NakNotSent = "not sent (MSH-15 asks for no accept ACK on failure)";

    public static string Describe(Hl7Error error) => error.Location.Length == 0 ? "no location" : error.Location;
}
