using Hl7Mllp.Acks;
using Hl7Mllp.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Sending;

public sealed partial class Transmitter
{
    /// <summary>The transmitter's log messages: IDs, sizes, codes and counts only, never message content.</summary>
    private static partial class Log
    {
        [LoggerMessage(EventId = Hl7MllpEventIds.TransmitterStarted, Level = LogLevel.Information, Message = "Transmitter {Name} started (schedule {Schedule}).")]
        public static partial void Started(ILogger logger, string name, string schedule);

        [LoggerMessage(EventId = Hl7MllpEventIds.TransmitterStopped, Level = LogLevel.Information, Message = "Transmitter {Name} stopped ({Accepted} accepted, {Failed} failed so far).")]
        public static partial void Stopped(ILogger logger, string name, long accepted, long failed);

        [LoggerMessage(EventId = Hl7MllpEventIds.TransmitterMessageAccepted, Level = LogLevel.Debug, Message = "Transmitter {Name}: message {MessageId} (control ID {ControlId}) accepted with {AckCode}.")]
        public static partial void MessageAccepted(ILogger logger, string name, string messageId, string controlId, string ackCode);

        [LoggerMessage(EventId = Hl7MllpEventIds.TransmitterAttemptFailed, Message = "Transmitter {Name}: attempt {Attempt} of {Attempts} for message {MessageId} (control ID {ControlId}) failed: {Status} {AckCode}.")]
        public static partial void AttemptFailed(ILogger logger, LogLevel level, string name, int attempt, int attempts, string messageId, string controlId, MllpSendStatus status, string ackCode, Exception? exception);

        [LoggerMessage(EventId = Hl7MllpEventIds.TransmitterMessageFailed, Level = LogLevel.Warning, Message = "Transmitter {Name}: message {MessageId} (control ID {ControlId}) failed finally ({Status} {AckCode}) and was completed as failed; sending the next one.")]
        public static partial void MessageFailed(ILogger logger, string name, string messageId, string controlId, MllpSendStatus status, string ackCode);

        [LoggerMessage(EventId = Hl7MllpEventIds.TransmitterBlocked, Level = LogLevel.Error, Message = "Transmitter {Name}: message {MessageId} (control ID {ControlId}) failed finally ({Status} {AckCode}) and blocks the queue; trying it again in {RetryIn}.")]
        public static partial void Blocked(ILogger logger, string name, string messageId, string controlId, MllpSendStatus status, string ackCode, TimeSpan retryIn);

        [LoggerMessage(EventId = Hl7MllpEventIds.TransmitterScheduleStarted, Level = LogLevel.Information, Message = "Transmitter {Name}: schedule {Schedule} turned on.")]
        public static partial void ScheduleStarted(ILogger logger, string name, string schedule);

        [LoggerMessage(EventId = Hl7MllpEventIds.TransmitterScheduleStopped, Level = LogLevel.Information, Message = "Transmitter {Name}: schedule {Schedule} turned off.")]
        public static partial void ScheduleStopped(ILogger logger, string name, string schedule);

        [LoggerMessage(EventId = Hl7MllpEventIds.TransmitterSourceFailed, Level = LogLevel.Error, Message = "Transmitter {Name}: the message source failed to {Operation}; polling again after the interval.")]
        public static partial void SourceFailed(ILogger logger, string name, string operation, Exception exception);

        [LoggerMessage(EventId = Hl7MllpEventIds.TransmitterEventHandlerFailed, Level = LogLevel.Error, Message = "Transmitter {Name}: an event handler failed for {Kind}.")]
        public static partial void EventHandlerFailed(ILogger logger, string name, TransmitterEventKind kind, Exception exception);

        [LoggerMessage(EventId = Hl7MllpEventIds.TransmitterMessageSplit, Level = LogLevel.Debug, Message = "Transmitter {Name}: message {MessageId} (control ID {ControlId}, {Bytes} bytes) split into {Fragments} continuation messages.")]
        public static partial void MessageSplit(ILogger logger, string name, string messageId, string controlId, int bytes, int fragments);

        [LoggerMessage(EventId = Hl7MllpEventIds.TransmitterLoopFailed, Level = LogLevel.Error, Message = "Transmitter {Name}: unexpected failure; polling again after the interval.")]
        public static partial void LoopFailed(ILogger logger, string name, Exception exception);
    }
}
