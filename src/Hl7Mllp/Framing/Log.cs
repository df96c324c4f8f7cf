using Hl7Mllp.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Framing;

/// <summary>The framing log messages. Sizes, offsets and violation names only, never payload bytes.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = Hl7MllpEventIds.BytesSkippedOutsideFrame, Level = LogLevel.Debug,
        Message = "Skipped {ByteCount} bytes outside any MLLP frame at stream offset {Position}")]
    public static partial void BytesSkipped(ILogger logger, long byteCount, long position);

    [LoggerMessage(EventId = Hl7MllpEventIds.FrameTooLarge, Level = LogLevel.Warning,
        Message = "MLLP frame at stream offset {Position} exceeded {MaxFrameBytes} bytes ({BytesBuffered} bytes buffered without an end block)")]
    public static partial void FrameTooLarge(ILogger logger, long position, int maxFrameBytes, long bytesBuffered);

    [LoggerMessage(EventId = Hl7MllpEventIds.FrameTruncated, Level = LogLevel.Warning,
        Message = "Peer closed the connection inside an MLLP frame at stream offset {Position} ({BytesBuffered} bytes received)")]
    public static partial void FrameTruncated(ILogger logger, long position, long bytesBuffered);

    [LoggerMessage(EventId = Hl7MllpEventIds.FramingViolation, Level = LogLevel.Warning,
        Message = "MLLP framing violation {Violation} at stream offset {Position}")]
    public static partial void FramingViolation(ILogger logger, MllpFramingViolation violation, long position);

    [LoggerMessage(EventId = Hl7MllpEventIds.FrameAbandoned, Level = LogLevel.Warning,
        Message = "Abandoned a partial MLLP frame of {ByteCount} bytes at stream offset {Position}: {Violation}")]
    public static partial void FrameAbandoned(ILogger logger, long byteCount, long position, MllpFramingViolation violation);
}
