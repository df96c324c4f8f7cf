namespace Hl7Mllp.Sending;

/// <summary>When a failed send or connection attempt is logged as an error (seed 000, the Logging tab).</summary>
public enum ErrorLoggingMode
{
    /// <summary>Every failure is logged as an error. This is the default.</summary>
    EveryError = 0,

    /// <summary>
    /// A failure is logged as an error only once <see cref="ErrorLoggingOptions.FailedAttempts"/> attempts in a row
    /// have failed; earlier ones are logged at debug level.
    /// </summary>
    AfterFailedAttempts = 1,

    /// <summary>
    /// A failure is logged as an error only when no send has succeeded for
    /// <see cref="ErrorLoggingOptions.TimeWithoutSuccess"/>, counted from the first failure after the last success;
    /// earlier ones are logged at debug level.
    /// </summary>
    AfterTimeWithoutSuccess = 2,
}
