using Hl7Mllp.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Validation;

/// <summary>Source-generated log messages of the validation area (6xxx). No message content is logged.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = Hl7MllpEventIds.RuleMatchTimedOut, Level = LogLevel.Warning,
        Message = "Rule {RuleName} ran past its {TimeoutMilliseconds} ms regular expression timeout; the message gets a 207 finding.")]
    public static partial void RuleMatchTimedOut(ILogger logger, string ruleName, double timeoutMilliseconds);
}
