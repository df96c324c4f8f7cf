using Hl7Mllp.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Sending;

/// <summary>The client's log messages: endpoints, control IDs, codes, sizes and socket errors, never message content (except the opt-in wire log).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = Hl7MllpEventIds.ClientConnecting, Level = LogLevel.Debug, Message = "Connecting to {EndPoint}")]
    public static partial void Connecting(ILogger logger, string endPoint);

    [LoggerMessage(EventId = Hl7MllpEventIds.ClientConnected, Level = LogLevel.Information,
        Message = "Connected to {EndPoint} ({RemoteAddress}) in {DurationMs} ms, TLS {TlsProtocol} {CipherSuite}")]
    public static partial void Connected(ILogger logger, string endPoint, string? remoteAddress, double durationMs, string tlsProtocol, string cipherSuite);

    [LoggerMessage(EventId = Hl7MllpEventIds.ClientConnectFailed, Message = "Connection to {EndPoint} failed ({Outcome}) after {DurationMs} ms: {Error}")]
    public static partial void ConnectFailed(ILogger logger, LogLevel level, string endPoint, MllpConnectionOutcome outcome, double durationMs, string? error);

    [LoggerMessage(EventId = Hl7MllpEventIds.ClientDisconnected, Level = LogLevel.Information, Message = "Disconnected from {EndPoint}: {Reason}")]
    public static partial void Disconnected(ILogger logger, string endPoint, string reason);

    [LoggerMessage(EventId = Hl7MllpEventIds.ClientDeadConnectionRenewed, Level = LogLevel.Information,
        Message = "Idle connection to {EndPoint} was closed by the peer or had unexpected bytes; renewing it before the send")]
    public static partial void DeadConnectionRenewed(ILogger logger, string endPoint);

    [LoggerMessage(EventId = Hl7MllpEventIds.ClientAckTimeout, Message = "No ACK for message {ControlId} from {EndPoint} within {TimeoutMs} ms; connection closed")]
    public static partial void AckTimeout(ILogger logger, LogLevel level, string controlId, string endPoint, double timeoutMs);

    [LoggerMessage(EventId = Hl7MllpEventIds.ClientProtocolError, Message = "Reply to message {ControlId} from {EndPoint} is not a valid matching ACK ({Reason}); connection closed")]
    public static partial void ProtocolError(ILogger logger, LogLevel level, string controlId, string endPoint, string? reason);

    [LoggerMessage(EventId = Hl7MllpEventIds.ClientNakReceived, Level = LogLevel.Warning, Message = "Message {ControlId} to {EndPoint} got {AckCode} ({Status})")]
    public static partial void NakReceived(ILogger logger, string controlId, string endPoint, string ackCode, Acks.MllpSendStatus status);

    [LoggerMessage(EventId = Hl7MllpEventIds.ClientConnectionLost, Message = "Connection to {EndPoint} broke while sending message {ControlId}: {Error}")]
    public static partial void ConnectionLost(ILogger logger, LogLevel level, string endPoint, string controlId, string error);

    [LoggerMessage(EventId = Hl7MllpEventIds.ClientHeartbeatFailed, Level = LogLevel.Warning, Message = "Heartbeat to {EndPoint} failed: {Error}; renewing the connection")]
    public static partial void HeartbeatFailed(ILogger logger, string endPoint, string error);

    [LoggerMessage(EventId = Hl7MllpEventIds.ClientIdleReset, Level = LogLevel.Information, Message = "Connection to {EndPoint} idle for {IdleMs} ms; closed by the inactivity reset")]
    public static partial void IdleReset(ILogger logger, string endPoint, double idleMs);

    [LoggerMessage(EventId = Hl7MllpEventIds.ClientEventHandlerFailed, Level = LogLevel.Error, Message = "A handler of the client event {Kind} threw; ignored")]
    public static partial void EventHandlerFailed(ILogger logger, Exception exception, MllpClientEventKind kind);

    [LoggerMessage(EventId = Hl7MllpEventIds.ClientWireSent, Level = LogLevel.Debug, Message = "Sent {ByteCount} bytes to {EndPoint}: {Bytes}")]
    public static partial void WireSent(ILogger logger, int byteCount, string endPoint, string bytes);

    [LoggerMessage(EventId = Hl7MllpEventIds.ClientWireReceived, Level = LogLevel.Debug, Message = "Received {ByteCount} bytes from {EndPoint}: {Bytes}")]
    public static partial void WireReceived(ILogger logger, long byteCount, string endPoint, string bytes);

    [LoggerMessage(EventId = Hl7MllpEventIds.ClientStrayBytes, Level = LogLevel.Warning, Message = "{ByteCount} unexpected bytes followed the ACK from {EndPoint}; the connection will be renewed")]
    public static partial void StrayBytes(ILogger logger, long byteCount, string endPoint);

    [LoggerMessage(EventId = Hl7MllpEventIds.ClientAckReceived, Level = LogLevel.Trace, Message = "Message {ControlId} to {EndPoint} got {AckCode} in {DurationMs} ms")]
    public static partial void AckReceived(ILogger logger, string controlId, string endPoint, string ackCode, double durationMs);
}
