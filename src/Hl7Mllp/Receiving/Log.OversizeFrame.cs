using Hl7Mllp.Acks;
using Hl7Mllp.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Receiving;

/// <summary>The listener's log messages about answering a frame over the size limit: codes and sizes, never content.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = Hl7MllpEventIds.OversizeFrameAnswered, Level = LogLevel.Warning,
        Message = "MLLP listener {ListenerName} connection {ConnectionId}: a message over the {MaxFrameBytes}-byte limit was answered {AckCode} with error 207, closing")]
    public static partial void OversizeFrameAnswered(ILogger logger, string listenerName, long connectionId, int maxFrameBytes, AckCode ackCode);

    [LoggerMessage(EventId = Hl7MllpEventIds.OversizeFrameNotAnswered, Level = LogLevel.Debug,
        Message = "MLLP listener {ListenerName} connection {ConnectionId}: frame over the {MaxFrameBytes}-byte limit not answered ({Reason}), closing")]
    public static partial void OversizeFrameNotAnswered(ILogger logger, string listenerName, long connectionId, int maxFrameBytes, string reason);
}
