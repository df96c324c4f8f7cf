namespace Hl7Mllp.Diagnostics;

/// <summary>
/// The event IDs of every log message Hl7Mllp writes. IDs are grouped by area and never reused:
/// 1xxx client, 2xxx listener, 3xxx framing, 4xxx ACK, 5xxx storage, 6xxx validation.
/// </summary>
/// <remarks>Filter or route logs on these numbers; they are stable across releases.</remarks>
public static class Hl7MllpEventIds
{
    // 1xxx client (1000-1099 MllpClient)

    /// <summary>A client connection attempt starts.</summary>
    public const int ClientConnecting = 1000;

    /// <summary>A client connected to a receiver.</summary>
    public const int ClientConnected = 1001;

    /// <summary>A client connection attempt failed.</summary>
    public const int ClientConnectFailed = 1002;

    /// <summary>A client connection was closed.</summary>
    public const int ClientDisconnected = 1003;

    /// <summary>An idle client connection was found closed or unusable before a send and was renewed.</summary>
    public const int ClientDeadConnectionRenewed = 1004;

    /// <summary>No ACK arrived within the client's ACK timeout; the connection was closed.</summary>
    public const int ClientAckTimeout = 1005;

    /// <summary>A reply did not match the message sent, or was unreadable; the connection was closed.</summary>
    public const int ClientProtocolError = 1006;

    /// <summary>A negative ACK arrived for a message the client sent.</summary>
    public const int ClientNakReceived = 1007;

    /// <summary>A client connection broke while a message was written or its ACK awaited.</summary>
    public const int ClientConnectionLost = 1008;

    /// <summary>A heartbeat got no positive, matching ACK; the connection is renewed.</summary>
    public const int ClientHeartbeatFailed = 1009;

    /// <summary>An idle persistent client connection was closed by the inactivity reset.</summary>
    public const int ClientIdleReset = 1010;

    /// <summary>A subscriber to the client's events threw; the exception was ignored.</summary>
    public const int ClientEventHandlerFailed = 1011;

    /// <summary>Debug logging: the bytes a client sent (contains message content).</summary>
    public const int ClientWireSent = 1012;

    /// <summary>Debug logging: the bytes a client received (contains message content).</summary>
    public const int ClientWireReceived = 1013;

    /// <summary>Bytes followed an ACK on a client connection; the connection will be renewed.</summary>
    public const int ClientStrayBytes = 1014;

    /// <summary>A positive ACK arrived for a message the client sent.</summary>
    public const int ClientAckReceived = 1015;

    // 2xxx listener

    /// <summary>A listener started and accepts connections.</summary>
    public const int ListenerStarted = 2000;

    /// <summary>A listener stopped.</summary>
    public const int ListenerStopped = 2001;

    /// <summary>A listener accepted a connection.</summary>
    public const int ConnectionOpened = 2002;

    /// <summary>A listener closed a connection.</summary>
    public const int ConnectionClosed = 2003;

    /// <summary>A connection was refused because the connection limit was reached.</summary>
    public const int ConnectionLimitReached = 2004;

    /// <summary>A connection was refused because its address is not in the allow-list.</summary>
    public const int RemoteAddressNotAllowed = 2005;

    /// <summary>A connection was closed by a timeout (idle, read, frame, TLS handshake).</summary>
    public const int ConnectionTimedOut = 2006;

    /// <summary>A TLS handshake failed.</summary>
    public const int TlsHandshakeFailed = 2007;

    /// <summary>A message handler threw.</summary>
    public const int HandlerFailed = 2008;

    /// <summary>Accepting a connection failed; the accept loop goes on.</summary>
    public const int AcceptFailed = 2009;

    /// <summary>A frame was received and handled.</summary>
    public const int FrameHandled = 2010;

    /// <summary>A connection was closed because the peer broke the framing rules (too large, truncated, junk).</summary>
    public const int ConnectionFramingError = 2011;

    /// <summary>Connections were aborted because the drain time ran out while stopping.</summary>
    public const int DrainTimedOut = 2012;

    /// <summary>A connection event callback threw.</summary>
    public const int ConnectionEventCallbackFailed = 2013;

    /// <summary>An MLLP commit acknowledgement block arrived at a listener and was ignored.</summary>
    public const int CommitBlockIgnored = 2014;

    /// <summary>A socket option could not be set.</summary>
    public const int SocketOptionFailed = 2015;

    /// <summary>A listener is stopping.</summary>
    public const int ListenerStopping = 2016;

    /// <summary>A listener connection failed unexpectedly (not by the peer's doing); only that connection was closed.</summary>
    public const int ConnectionFailed = 2017;

    /// <summary>Listener: a connection's close threw during a stop (a throwing logger or callback); the stop went on.</summary>
    public const int StopConnectionFaulted = 2018;

    /// <summary>A frame over the size limit was answered with a negative ACK (AR or CR, ERR 207) before the connection closed.</summary>
    public const int OversizeFrameAnswered = 2040;

    /// <summary>A frame over the size limit got no answer (no complete MSH segment in its first bytes, or MSH-15 asks for none).</summary>
    public const int OversizeFrameNotAnswered = 2041;

    // 2500-2999 receive pipeline and duplicate trackers

    /// <summary>A message was stored and acknowledged positively.</summary>
    public const int MessageAccepted = 2500;

    /// <summary>A message was answered with a negative ACK (the first error's code decides AE or AR).</summary>
    public const int MessageRejected = 2501;

    /// <summary>A frame's payload could not be parsed as an HL7 message.</summary>
    public const int MessageUnparseable = 2502;

    /// <summary>The message store threw; the message was answered with 207 and not recorded.</summary>
    public const int MessageStoreFailed = 2503;

    /// <summary>A custom receive step threw; the message was answered with 207.</summary>
    public const int ReceiveStepFailed = 2504;

    /// <summary>A duplicate message (same key as one received before) arrived.</summary>
    public const int DuplicateMessage = 2505;

    /// <summary>The duplicate tracker could not record a stored message's key.</summary>
    public const int DuplicateRecordFailed = 2506;

    /// <summary>No accept ACK was written because MSH-15 asked for none in this case.</summary>
    public const int AcceptAckSuppressed = 2507;

    /// <summary>Per-message warnings (rejections, duplicates, unparseable frames) were left out of the log by the warning limit; how many and over how long.</summary>
    public const int MessageWarningsSuppressed = 2508;

    /// <summary>A continuation fragment was received and held for reassembly.</summary>
    public const int ContinuationFragmentHeld = 2520;

    /// <summary>Continuation fragments were reassembled into one message.</summary>
    public const int ContinuationReassembled = 2521;

    /// <summary>An incomplete continuation was dropped after its timeout.</summary>
    public const int ContinuationExpired = 2522;

    /// <summary>Duplicate keys were loaded from their file.</summary>
    public const int DuplicateKeysLoaded = 2550;

    /// <summary>Duplicate keys were saved to their file.</summary>
    public const int DuplicateKeysSaved = 2551;

    /// <summary>Duplicate keys could not be saved to their file.</summary>
    public const int DuplicateKeysSaveFailed = 2552;

    /// <summary>A temporary key file left by an interrupted save was deleted.</summary>
    public const int DuplicateKeysTemporaryFileDeleted = 2553;

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

    // 5xxx storage: 5000-5099 file store, 5100-5199 file source

    /// <summary>The file store kept a message (debug).</summary>
    public const int FileMessageStored = 5000;

    /// <summary>The file store could not keep a message (disk full, I/O error); no file was left and the message is not acknowledged.</summary>
    public const int FileStoreFailed = 5001;

    /// <summary>The file store found its next file name taken (a file left by an earlier run) and took the one after.</summary>
    public const int FileStoreNameTaken = 5002;

    /// <summary>When the file store opened, a temporary file left by a crash held a whole message and was renamed to its final name.</summary>
    public const int FileStoreTempRecovered = 5003;

    /// <summary>When the file store opened, a temporary file left by a crash was incomplete (never acknowledged) and was deleted.</summary>
    public const int FileStoreTempDeleted = 5004;

    /// <summary>Flushing the store directory after renames failed; the messages were durable already and recovery covers the names.</summary>
    public const int FileStoreNamesFlushFailed = 5005;

    /// <summary>The file source cannot list its input directory (missing, unreadable); it keeps polling.</summary>
    public const int FileSourceDirectoryUnavailable = 5100;

    /// <summary>The file source can list its input directory again.</summary>
    public const int FileSourceDirectoryAvailable = 5101;

    /// <summary>A file may still be being written and was left for a later poll (debug).</summary>
    public const int FileSourceFileNotReady = 5102;

    /// <summary>A file could not be read; counted as a failed attempt.</summary>
    public const int FileSourceFileUnreadable = 5103;

    /// <summary>A file can never be sent (no MSH, several messages or a batch without splitting, too large) and was renamed with the fail extension.</summary>
    public const int FileSourceFileRejected = 5104;

    /// <summary>Sending a file failed; it will be offered again.</summary>
    public const int FileSourceFileFailed = 5105;

    /// <summary>Sending a file failed for the last time; it was renamed with the fail extension.</summary>
    public const int FileSourceFileGivenUp = 5106;

    /// <summary>An accepted file was archived or deleted (debug).</summary>
    public const int FileSourceFileCompleted = 5107;

    /// <summary>Archiving, deleting or renaming a completed file failed; it is tried again at the next poll.</summary>
    public const int FileSourceFinishFailed = 5108;

    /// <summary>The file source's state file could not be read or written.</summary>
    public const int FileSourceStateFailed = 5109;

    /// <summary>Archived files older than Archive Days were removed.</summary>
    public const int FileSourceArchiveCleaned = 5110;

    /// <summary>Flushing the input or archive directory after archives or deletes failed; tried again at the next flush.</summary>
    public const int FileSourceFlushFailed = 5111;

    // 6xxx validation

    /// <summary>A rule's <c>matches</c> regular expression ran past its timeout; the message got a 207 finding.</summary>
    public const int RuleMatchTimedOut = 6000;

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
