namespace Hl7Mllp.Diagnostics;

/// <summary>
/// The event IDs of every log message Hl7Mllp writes. IDs are grouped by area and never reused:
/// 1xxx client, 2xxx listener, 3xxx framing, 4xxx ACK, 5xxx storage, 6xxx validation.
/// </summary>
/// <remarks>Filter or route logs on these numbers; they are stable across releases.</remarks>
public static class Hl7MllpEventIds
{
    // 3xxx framing

    /// <summary>Bytes outside any MLLP frame were skipped.</summary>
    public const int BytesSkippedOutsideFrame = 3000;

    /// <summary>A frame grew past the configured maximum size.</summary>
    public const int FrameTooLarge = 3001;

    /// <summary>The peer closed the connection in the middle of a frame.</summary>
    public const int FrameTruncated = 3002;

    /// <summary>A frame broke the MLLP rules (start block inside a frame, end block not followed by CR).</summary>
    public const int FramingViolation = 3003;

    /// <summary>A partial frame was abandoned (start block inside it, or end block without CR) and parsing resynchronized.</summary>
    public const int FrameAbandoned = 3004;

    // 15xx transmitter (source -> client -> outcome)

    /// <summary>A transmitter started.</summary>
    public const int TransmitterStarted = 1500;

    /// <summary>A transmitter stopped.</summary>
    public const int TransmitterStopped = 1501;

    /// <summary>A message was accepted by the receiver and completed at the source.</summary>
    public const int TransmitterMessageAccepted = 1502;

    /// <summary>A send attempt failed (timeout, transport error, protocol error, negative ACK); logged as an error unless throttled.</summary>
    public const int TransmitterAttemptFailed = 1503;

    /// <summary>A message failed finally and was completed at the source as failed (policy Skip).</summary>
    public const int TransmitterMessageFailed = 1504;

    /// <summary>A message failed finally and blocks the queue (policy Block); it is tried again after the polling interval.</summary>
    public const int TransmitterBlocked = 1505;

    /// <summary>The transmitter's schedule turned on.</summary>
    public const int TransmitterScheduleStarted = 1506;

    /// <summary>The transmitter's schedule turned off.</summary>
    public const int TransmitterScheduleStopped = 1507;

    /// <summary>The message source failed to poll or to complete a message; the transmitter polls again after the polling interval.</summary>
    public const int TransmitterSourceFailed = 1508;

    /// <summary>A transmitter event handler threw; the exception was ignored.</summary>
    public const int TransmitterEventHandlerFailed = 1509;

    /// <summary>A message larger than the continuation limit was split into fragments.</summary>
    public const int TransmitterMessageSplit = 1510;

    /// <summary>The transmitter loop failed unexpectedly and restarts after the polling interval.</summary>
    public const int TransmitterLoopFailed = 1511;
}
