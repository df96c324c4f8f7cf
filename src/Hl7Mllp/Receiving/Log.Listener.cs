using System.Net;
using Hl7Mllp.Acks;
using Hl7Mllp.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Receiving;

/// <summary>The listener's log messages: endpoints, sizes, counts and reasons, never message content.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = Hl7MllpEventIds.ListenerStarted, Level = LogLevel.Information,
        Message = "MLLP listener {ListenerName} listening on {EndPoints} (TLS: {Tls})")]
    public static partial void ListenerStarted(ILogger logger, string listenerName, string endPoints, bool tls);

    [LoggerMessage(EventId = Hl7MllpEventIds.ListenerStopping, Level = LogLevel.Information,
        Message = "MLLP listener {ListenerName} stopping; draining {ConnectionCount} connections for up to {DrainTimeout}")]
    public static partial void ListenerStopping(ILogger logger, string listenerName, int connectionCount, TimeSpan drainTimeout);

    [LoggerMessage(EventId = Hl7MllpEventIds.ListenerStopped, Level = LogLevel.Information,
        Message = "MLLP listener {ListenerName} stopped after {MessagesHandled} messages")]
    public static partial void ListenerStopped(ILogger logger, string listenerName, long messagesHandled);

    [LoggerMessage(EventId = Hl7MllpEventIds.ConnectionOpened, Message = "MLLP listener {ListenerName} connection {ConnectionId} opened from {RemoteEndPoint}")]
    public static partial void ConnectionOpened(ILogger logger, LogLevel level, string listenerName, long connectionId, EndPoint? remoteEndPoint);

    [LoggerMessage(EventId = Hl7MllpEventIds.ConnectionClosed,
        Message = "MLLP listener {ListenerName} connection {ConnectionId} from {RemoteEndPoint} closed: {Reason} after {MessagesHandled} messages, {BytesReceived} bytes")]
    public static partial void ConnectionClosed(ILogger logger, LogLevel level, string listenerName, long connectionId, EndPoint? remoteEndPoint, MllpConnectionCloseReason reason, long messagesHandled, long bytesReceived);

    [LoggerMessage(EventId = Hl7MllpEventIds.ConnectionLimitReached, Level = LogLevel.Warning,
        Message = "MLLP listener {ListenerName} refused a connection from {RemoteEndPoint}: {MaxConnections} connections are open")]
    public static partial void ConnectionLimitReached(ILogger logger, string listenerName, EndPoint? remoteEndPoint, int maxConnections);

    [LoggerMessage(EventId = Hl7MllpEventIds.RemoteAddressNotAllowed, Level = LogLevel.Warning,
        Message = "MLLP listener {ListenerName} refused a connection from {RemoteEndPoint}: address not allowed")]
    public static partial void RemoteAddressNotAllowed(ILogger logger, string listenerName, EndPoint? remoteEndPoint);

    [LoggerMessage(EventId = Hl7MllpEventIds.ConnectionTimedOut, Level = LogLevel.Warning,
        Message = "MLLP listener {ListenerName} connection {ConnectionId} from {RemoteEndPoint} timed out: {Reason}")]
    public static partial void ConnectionTimedOut(ILogger logger, string listenerName, long connectionId, EndPoint? remoteEndPoint, MllpConnectionCloseReason reason);

    [LoggerMessage(EventId = Hl7MllpEventIds.TlsHandshakeFailed, Level = LogLevel.Warning,
        Message = "MLLP listener {ListenerName} connection {ConnectionId} from {RemoteEndPoint}: TLS handshake failed ({ErrorType}: {ErrorMessage})")]
    public static partial void TlsHandshakeFailed(ILogger logger, string listenerName, long connectionId, EndPoint? remoteEndPoint, string errorType, string errorMessage);

    [LoggerMessage(EventId = Hl7MllpEventIds.HandlerFailed, Level = LogLevel.Error,
        Message = "MLLP listener {ListenerName} connection {ConnectionId}: the message handler threw {ExceptionType} for a {PayloadBytes}-byte message; {Action}")]
    public static partial void HandlerFailed(ILogger logger, string listenerName, long connectionId, string exceptionType, long payloadBytes, string action);

    [LoggerMessage(EventId = Hl7MllpEventIds.AcceptFailed, Level = LogLevel.Error,
        Message = "MLLP listener {ListenerName} failed to accept a connection on {EndPoint} ({SocketError}); accepting goes on")]
    public static partial void AcceptFailed(ILogger logger, string listenerName, EndPoint? endPoint, string socketError, Exception exception);

    [LoggerMessage(EventId = Hl7MllpEventIds.FrameHandled, Level = LogLevel.Debug,
        Message = "MLLP listener {ListenerName} connection {ConnectionId}: handled a {PayloadBytes}-byte frame, response {ResponseBytes} bytes")]
    public static partial void FrameHandled(ILogger logger, string listenerName, long connectionId, long payloadBytes, int responseBytes);

    [LoggerMessage(EventId = Hl7MllpEventIds.ConnectionFramingError, Level = LogLevel.Warning,
        Message = "MLLP listener {ListenerName} connection {ConnectionId} from {RemoteEndPoint}: {Violation} at stream offset {Position}; closing")]
    public static partial void ConnectionFramingError(ILogger logger, string listenerName, long connectionId, EndPoint? remoteEndPoint, Framing.MllpFramingViolation violation, long position);

    [LoggerMessage(EventId = Hl7MllpEventIds.DrainTimedOut, Level = LogLevel.Warning,
        Message = "MLLP listener {ListenerName}: {ConnectionCount} connections did not finish within {DrainTimeout}; aborted without a response")]
    public static partial void DrainTimedOut(ILogger logger, string listenerName, int connectionCount, TimeSpan drainTimeout);

    [LoggerMessage(EventId = Hl7MllpEventIds.ConnectionEventCallbackFailed, Level = LogLevel.Error,
        Message = "MLLP listener {ListenerName}: a connection event callback threw {ExceptionType}")]
    public static partial void ConnectionEventCallbackFailed(ILogger logger, string listenerName, string exceptionType, Exception exception);

    [LoggerMessage(EventId = Hl7MllpEventIds.CommitBlockIgnored, Level = LogLevel.Debug,
        Message = "MLLP listener {ListenerName} connection {ConnectionId}: ignored an MLLP {Kind} block")]
    public static partial void CommitBlockIgnored(ILogger logger, string listenerName, long connectionId, Framing.MllpFrameKind kind);

    [LoggerMessage(EventId = Hl7MllpEventIds.SocketOptionFailed, Level = LogLevel.Debug,
        Message = "MLLP listener {ListenerName}: socket option {Option} could not be set ({SocketError})")]
    public static partial void SocketOptionFailed(ILogger logger, string listenerName, string option, string socketError);

    [LoggerMessage(EventId = Hl7MllpEventIds.StopConnectionFaulted, Level = LogLevel.Error,
        Message = "MLLP listener {ListenerName}: a connection's close threw {ExceptionType} during the stop; stopping goes on")]
    public static partial void StopConnectionFaulted(ILogger logger, string listenerName, string exceptionType, Exception exception);

    [LoggerMessage(EventId = Hl7MllpEventIds.ConnectionFailed, Level = LogLevel.Error,
        Message = "MLLP listener {ListenerName} connection {ConnectionId}: unexpected {ExceptionType}; closing the connection")]
    public static partial void ConnectionFailed(ILogger logger, string listenerName, long connectionId, string exceptionType, Exception exception);

    [LoggerMessage(EventId = Hl7MllpEventIds.OversizeFrameAnswered, Level = LogLevel.Warning,
        Message = "MLLP listener {ListenerName} connection {ConnectionId}: a message over the {MaxFrameBytes}-byte limit was answered {AckCode} with error 207, closing")]
    public static partial void OversizeFrameAnswered(ILogger logger, string listenerName, long connectionId, int maxFrameBytes, AckCode ackCode);

    [LoggerMessage(EventId = Hl7MllpEventIds.OversizeFrameNotAnswered, Level = LogLevel.Debug,
        Message = "MLLP listener {ListenerName} connection {ConnectionId}: frame over the {MaxFrameBytes}-byte limit not answered ({Reason}), closing")]
    public static partial void OversizeFrameNotAnswered(ILogger logger, string listenerName, long connectionId, int maxFrameBytes, string reason);
}
