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

    [LoggerMessage(EventId = Hl7MllpEventIds.FileStoreTempRecovered, Level = LogLevel.Warning,
        Message = "Temporary file {TempName} left by a crash holds a whole message; kept as {FileName}")]
    public static partial void StoreTempRecovered(ILogger logger, string tempName, string fileName);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileStoreTempDeleted, Level = LogLevel.Warning,
        Message = "Deleted temporary file {TempName} ({ByteCount} bytes) left by a crash: {Reason}; it was never acknowledged")]
    public static partial void StoreTempDeleted(ILogger logger, string tempName, long byteCount, string reason);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileStoreNamesFlushFailed, Level = LogLevel.Error,
        Message = "Flushing directory {Directory} after renames failed ({ErrorType}); the next flush tries again, and the store's recovery renames the files if a crash comes first")]
    public static partial void StoreNamesFlushFailed(ILogger logger, string directory, string errorType, Exception exception);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileSourceDirectoryUnavailable, Level = LogLevel.Error,
        Message = "Input directory {Directory} cannot be listed ({ErrorType}); polling goes on and sends nothing until it is back")]
    public static partial void SourceDirectoryUnavailable(ILogger logger, string directory, string errorType, Exception exception);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileSourceDirectoryAvailable, Level = LogLevel.Information,
        Message = "Input directory {Directory} can be listed again")]
    public static partial void SourceDirectoryAvailable(ILogger logger, string directory);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileSourceFileNotReady, Level = LogLevel.Debug,
        Message = "{FileName} is left for a later poll: {Reason}")]
    public static partial void SourceFileNotReady(ILogger logger, string fileName, string reason);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileSourceFileUnreadable, Level = LogLevel.Error,
        Message = "Could not read {FileName}: {Reason} (attempt {Attempt} of {MaxAttempts})")]
    public static partial void SourceFileUnreadable(ILogger logger, string fileName, string reason, int attempt, int maxAttempts);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileSourceFileRejected, Level = LogLevel.Error,
        Message = "{FileName} cannot be sent: {Reason}; renamed to {FailedName}")]
    public static partial void SourceFileRejected(ILogger logger, string fileName, string reason, string failedName);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileSourceFileFailed, Level = LogLevel.Warning,
        Message = "Sending {FileName} failed ({Outcome}), attempt {Attempt} of {MaxAttempts}; it will be offered again")]
    public static partial void SourceFileFailed(ILogger logger, string fileName, string outcome, int attempt, int maxAttempts);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileSourceFileGivenUp, Level = LogLevel.Error,
        Message = "Sending {FileName} failed ({Outcome}) on attempt {Attempt}, the last; renamed to {FailedName}")]
    public static partial void SourceFileGivenUp(ILogger logger, string fileName, string outcome, int attempt, string failedName);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileSourceFileCompleted, Level = LogLevel.Debug,
        Message = "{FileName} was accepted and {Action}")]
    public static partial void SourceFileCompleted(ILogger logger, string fileName, string action);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileSourceFinishFailed, Level = LogLevel.Error,
        Message = "Could not {Action} {FileName} ({ErrorType}); tried again at the next poll")]
    public static partial void SourceFinishFailed(ILogger logger, string fileName, string action, string errorType, Exception exception);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileSourceStateFailed, Level = LogLevel.Error,
        Message = "Could not read or write the source state file {Path} ({ErrorType}); failure counts are kept in memory")]
    public static partial void SourceStateFailed(ILogger logger, string path, string errorType, Exception exception);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileSourceArchiveCleaned, Level = LogLevel.Information,
        Message = "Removed {Count} archived files older than {Days} days from {Directory}")]
    public static partial void SourceArchiveCleaned(ILogger logger, int count, int days, string directory);

    [LoggerMessage(EventId = Hl7MllpEventIds.FileSourceFlushFailed, Level = LogLevel.Error,
        Message = "Could not flush directory {Directory} ({ErrorType}); the archives or deletes since the last flush survive a crash but not yet a power loss, tried again at the next flush")]
    public static partial void SourceFlushFailed(ILogger logger, string directory, string errorType, Exception exception);
}
