using Hl7Mllp.Scheduling;

namespace Hl7Mllp.Sending;

/// <summary>
/// The settings of a <see cref="Transmitter"/> (seed 002, "HL7 Transmitter Settings"; seed 000, "Logging" and
/// "Continuation Messages"). Validated once by the transmitter's constructor, which copies them.
/// </summary>
public sealed class TransmitterOptions
{
    /// <summary>The connection name, used in logs, metrics (tag <c>hl7mllp.transmitter</c>) and status. Default: <c>transmitter</c>. Not empty.</summary>
    public string Name { get; set; } = "transmitter";

    /// <summary>
    /// How long to wait between polls of the source (seed: Polling Interval). After an empty poll the transmitter
    /// waits this long; with <see cref="MaxMessagesPerInterval"/> set, the next poll starts this long after the
    /// previous one started. Also the pause before a blocked message is tried again. Default: 5 seconds. Positive.
    /// </summary>
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The most messages sent per polling interval (seed: Max/Interval); passed to the source's poll. 0 means no
    /// limit: after a poll that found messages the transmitter polls again at once. Default: 0. Not negative.
    /// </summary>
    public int MaxMessagesPerInterval { get; set; }

    /// <summary>The pause between two messages, for receivers that cannot take bursts (seed: Transmit Delay). Default: zero. Not negative.</summary>
    public TimeSpan TransmitDelay { get; set; } = TimeSpan.Zero;

    /// <summary>When the transmitter sends. Default: <see cref="Schedule.Always"/>. Times of day are read in the time provider's local time zone.</summary>
    public Schedule Schedule { get; set; } = Schedule.Always;

    /// <summary>
    /// Retries of the same message, with the same bytes and MSH-10, after a timeout, a transport error or a protocol
    /// error, and after an application error when <see cref="RetryOnApplicationError"/> is set (seed: Fail Retries).
    /// A rejection (AR, CR) is never retried. Each attempt is one <see cref="MllpClient.SendAsync(ReadOnlyMemory{byte}, CancellationToken)"/>
    /// call, which may itself reconnect and resend per the client's retry pipeline. Default: 3. 0 to 100.
    /// </summary>
    public int FailRetries { get; set; } = 3;

    /// <summary>
    /// The base pause before a retry: exponential backoff from this value, doubling per retry up to
    /// <see cref="RetryMaxDelay"/>, with jitter (Polly's decorrelated jitter: the first pause is between 0 and about 1.4
    /// times this value), so many transmitters that failed together do not retry in lockstep. Default: 2 seconds. Not negative.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The jitter's source of random numbers in [0, 1); <see langword="null"/> for Polly's own. For tests.</summary>
    internal Func<double>? RetryRandomizer { get; set; }

    /// <summary>The longest pause between retries. Default: 60 seconds. At least <see cref="RetryDelay"/>.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether an application error (AE, CE) is retried like a transport failure. Default: <see langword="false"/> (HL7 says the sender should correct the message first).</summary>
    public bool RetryOnApplicationError { get; set; }

    /// <summary>What to do with a message that failed finally. Default: <see cref="TransmitterFailurePolicy.Block"/> (order kept).</summary>
    public TransmitterFailurePolicy OnFinalFailure { get; set; } = TransmitterFailurePolicy.Block;

    /// <summary>
    /// Split messages larger than this many bytes into continuation messages (<see cref="ContinuationSplitter"/>);
    /// the fragments are sent and ACKed in order and the message completes when the last is accepted. 0 turns it
    /// off. Default: 0. 0 or at least <see cref="ContinuationSplitter.MinMessageBytes"/>.
    /// </summary>
    public int ContinuationMaxBytes { get; set; }

    /// <summary>When failed attempts are logged as errors (every error, after X attempts, after X minutes without success). Default: every error. Suppressed ones are logged at debug level and still counted.</summary>
    public ErrorLoggingOptions ErrorLogging { get; set; } = new();

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message lists every problem.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            problems.Add($"{nameof(Name)} must not be empty.");
        }

        if (PollingInterval <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(PollingInterval)} must be positive (was {PollingInterval}).");
        }

        if (MaxMessagesPerInterval < 0)
        {
            problems.Add($"{nameof(MaxMessagesPerInterval)} must not be negative (was {MaxMessagesPerInterval}).");
        }

        if (TransmitDelay < TimeSpan.Zero)
        {
            problems.Add($"{nameof(TransmitDelay)} must not be negative (was {TransmitDelay}).");
        }

        if (Schedule is null)
        {
            problems.Add($"{nameof(Schedule)} must be set (use Schedule.Always).");
        }

        if (FailRetries is < 0 or > 100)
        {
            problems.Add($"{nameof(FailRetries)} must be 0 to 100 (was {FailRetries}).");
        }

        if (RetryDelay < TimeSpan.Zero || RetryMaxDelay < RetryDelay)
        {
            problems.Add($"{nameof(RetryDelay)} must not be negative and {nameof(RetryMaxDelay)} not shorter (were {RetryDelay} and {RetryMaxDelay}).");
        }

        if (!Enum.IsDefined(OnFinalFailure))
        {
            problems.Add($"{nameof(OnFinalFailure)} has an unknown value ({(int)OnFinalFailure}).");
        }

        if (ContinuationMaxBytes != 0 && ContinuationMaxBytes < ContinuationSplitter.MinMessageBytes)
        {
            problems.Add($"{nameof(ContinuationMaxBytes)} must be 0 (off) or at least {ContinuationSplitter.MinMessageBytes} (was {ContinuationMaxBytes}).");
        }

        if (ErrorLogging is null)
        {
            problems.Add($"{nameof(ErrorLogging)} must be set.");
        }
        else
        {
            ErrorLogging.AddProblems(problems, nameof(ErrorLogging) + ".");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid transmitter options: " + string.Join(" ", problems));
        }
    }
}
