using Hl7Mllp.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Duplicates;

/// <summary>The duplicate trackers' log messages: counts and file paths only, never keys (they carry control IDs and sender names in bulk).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = Hl7MllpEventIds.DuplicateKeysLoaded, Level = LogLevel.Information,
        Message = "Loaded {Count} duplicate keys from {Path}")]
    public static partial void DuplicateKeysLoaded(ILogger logger, int count, string path);

    [LoggerMessage(EventId = Hl7MllpEventIds.DuplicateKeysSaved, Level = LogLevel.Information,
        Message = "Saved {Count} duplicate keys to {Path}")]
    public static partial void DuplicateKeysSaved(ILogger logger, int count, string path);

    [LoggerMessage(EventId = Hl7MllpEventIds.DuplicateKeysSaveFailed, Level = LogLevel.Error,
        Message = "Could not save the duplicate keys to {Path}: {ExceptionType}")]
    public static partial void DuplicateKeysSaveFailed(ILogger logger, string path, string exceptionType);

    [LoggerMessage(EventId = Hl7MllpEventIds.DuplicateKeysTemporaryFileDeleted, Level = LogLevel.Warning,
        Message = "Deleted {Path}, left over from an interrupted save")]
    public static partial void DuplicateKeysTemporaryFileDeleted(ILogger logger, string path);
}
