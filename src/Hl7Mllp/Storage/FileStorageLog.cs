using Hl7Mllp.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Storage;

/// <summary>The file store's and file source's log messages: control IDs, sizes, paths and error codes, never message content.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = Hl7MllpEventIds.FileMessageStored, Level = LogLevel.Debug,
        Message = "Stored message {ControlId} ({ByteCount} bytes) as {FileName}")]
    public static partial void MessageStored(ILogger logger, string controlId, int byteCount, string fileName);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileStoreFailed, Level = LogLevel.Error,
        Message = "Could not store message {ControlId} ({ByteCount} bytes) in {Directory}: {ErrorType} (HRESULT {HResult}); no file was left")]
    public static partial void StoreFailed(ILogger logger, string controlId, int byteCount, string directory, string errorType, int hResult, Exception exception);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileStoreNameTaken, Level = LogLevel.Warning,
        Message = "A file named {FileName} exists already; the message takes the next name")]
    public static partial void StoreNameTaken(ILogger logger, string fileName);
}
