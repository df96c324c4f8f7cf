using Hl7Mllp.Acks;
using Hl7Mllp.Framing;
using Polly;
using Polly.Retry;

namespace Hl7Mllp.Sending;

/// <summary>
/// Settings of an <see cref="MllpClient"/> (seed 000, the HL7 Outbound device). Bindable from configuration; the
/// client validates them once, in its constructor, and reports every problem in one exception.
/// </summary>
/// <remarks>The client copies what it needs when it is created: later changes to this instance have no effect.</remarks>
public sealed class MllpClientOptions
{
    /// <summary>The receiver's host name or IP address. Required.</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>The receiver's TCP port. Required, 1 to 65535.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The deadline for one connection attempt: TCP connect plus, with TLS, the handshake. Default: 10 seconds.
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits for the operating system's own limit.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long to wait for the ACK of a message, from the end of its write. Default: 30 seconds (as InterSystems and
    /// NHapiTools). When it expires the connection is closed, so that a late ACK can never be read as the next
    /// message's (RELIABILITY C1, F2), and <see cref="MllpAckTimeoutException"/> is thrown.
    /// </summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether one connection is kept open between sends. Default: <see langword="true"/>. When
    /// <see langword="false"/>, a connection is opened when there is something to send and closed after the send
    /// (or after <see cref="MllpClient.SendBatchAsync"/>, which sends several messages over one connection).
    /// </summary>
    public bool PersistentConnection { get; set; } = true;

    /// <summary>How the <see cref="string"/> overloads encode message text. Default: <see cref="MllpClientEncoding.FromMessage"/> (MSH-18, else UTF-8).</summary>
    public MllpClientEncoding Encoding { get; set; } = MllpClientEncoding.FromMessage;

    /// <summary>
    /// How ACK frames are read. Default: <see cref="MllpFramingOptions"/> with <see cref="MllpFramingOptions.MaxFrameBytes"/>
    /// = 1 MiB: an ACK is small, and a larger reply is a protocol error rather than a memory risk. Security limit.
    /// </summary>
    public MllpFramingOptions Framing { get; set; } = new() { MaxFrameBytes = 1024 * 1024 };

    /// <summary>Which MSA-1 codes count as success and which as errors. Default: success AA, CA; errors AE, AR, CE, CR.</summary>
    public AckConditionOptions AckCondition { get; set; } = new();

    /// <summary>
    /// The resilience pipeline that runs each send attempt (connect when needed, write, await the ACK). Default:
    /// <see langword="null"/>, which means the pipeline built by <see cref="CreateDefaultRetryPipeline"/> from
    /// <see cref="ReconnectAttempts"/>, <see cref="ReconnectDelay"/> and <see cref="ReconnectMaxDelay"/>: retry on
    /// <see cref="MllpConnectionException"/> only (connect failed, or the connection was lost before the ACK), with
    /// exponential backoff and jitter. <see cref="ResiliencePipeline.Empty"/> turns retries off. A custom pipeline may
    /// also handle <see cref="MllpAckTimeoutException"/> to resend after a timeout (same bytes, same MSH-10, on a new
    /// connection).
    /// </summary>
    public ResiliencePipeline? Retry { get; set; }

    /// <summary>With the default <see cref="Retry"/> pipeline: retries per send call after the first attempt. Default: 4.</summary>
    public int ReconnectAttempts { get; set; } = 4;

    /// <summary>With the default <see cref="Retry"/> pipeline: the first backoff delay, doubled per retry, with jitter. Default: 0.5 seconds.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>With the default <see cref="Retry"/> pipeline: the longest backoff delay. Default: 60 seconds.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Low-latency mode: after writing a message, the sending thread waits up to this long for the ACK in a blocking
    /// receive before it falls back to a wait on a thread of its own, which saves the two thread hops of an asynchronous
    /// completion. Over plain TCP the socket then stays in blocking mode (a blocking <c>send</c>, and a <c>recv</c> with
    /// a kernel receive timeout of this value rounded up to whole milliseconds): two system calls per message, as in
    /// a blocking load generator. A write that finds the send buffer full (the receiver does not read) blocks for at
    /// most <see cref="AckTimeout"/>, then fails the send with <see cref="MllpConnectionException"/>; canceling the send
    /// closes the connection at once. With TLS the wait is a <c>poll</c> before the read. It blocks the calling thread
    /// for up to this long per message, so use it for a dedicated sender (the <c>hl7mllp send</c> tool uses 1 ms), not
    /// for hundreds of clients. Default: <see cref="TimeSpan.Zero"/>, purely asynchronous. At most 100 ms.
    /// </summary>
    public TimeSpan LowLatencyAckWait { get; set; } = TimeSpan.Zero;

    /// <summary>TCP keep-alive. Default: on, idle 60 s, interval 10 s, 5 probes.</summary>
    public MllpClientKeepAliveOptions KeepAlive { get; set; } = new();

    /// <summary>
    /// Inactivity reset: a persistent connection that carried nothing for this long is closed (the next send opens a
    /// new one), before a middlebox silently drops it. Default: <see cref="TimeSpan.Zero"/>, off.
    /// <see cref="Timeout.InfiniteTimeSpan"/> is also off.
    /// </summary>
    public TimeSpan IdleReset { get; set; } = TimeSpan.Zero;

    /// <summary>The heartbeat message sent on an idle persistent connection. Default: none.</summary>
    public MllpClientHeartbeatOptions Heartbeat { get; set; } = new();

    /// <summary>TLS. Default: off.</summary>
    public MllpClientTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Whether the bytes sent and received are logged, at debug level, to the logger category
    /// <c>Hl7Mllp.Sending.Wire</c>. Default: <see langword="false"/>. These logs contain message content, that is
    /// protected health information: enable only while debugging, and protect the log files.
    /// </summary>
    public bool DebugLogging { get; set; }

    /// <summary>How many recent connection attempts <see cref="MllpClient.GetConnectionAttempts"/> keeps. Default: 20. 0 to 10 000.</summary>
    public int ConnectionAttemptHistory { get; set; } = 20;

    /// <summary>When failed sends and connection attempts are logged as errors. Default: every error.</summary>
    public ErrorLoggingOptions ErrorLogging { get; set; } = new();

    /// <summary>
    /// Builds the default retry pipeline: on <see cref="MllpConnectionException"/>, up to
    /// <paramref name="maxRetryAttempts"/> retries, exponential backoff from <paramref name="delay"/> with jitter,
    /// capped at <paramref name="maxDelay"/>.
    /// </summary>
    /// <param name="maxRetryAttempts">Retries after the first attempt; 0 for none.</param>
    /// <param name="delay">The first delay.</param>
    /// <param name="maxDelay">The longest delay.</param>
    /// <param name="timeProvider">The clock for the delays; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <returns>The pipeline.</returns>
    public static ResiliencePipeline CreateDefaultRetryPipeline(int maxRetryAttempts, TimeSpan delay, TimeSpan maxDelay, TimeProvider? timeProvider = null)
    {
        if (maxRetryAttempts == 0)
        {
            return ResiliencePipeline.Empty;
        }

        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider ?? TimeProvider.System };
        return builder.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<MllpConnectionException>(),
            MaxRetryAttempts = maxRetryAttempts,
            Delay = delay,
            MaxDelay = maxDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        }).Build();
    }

    /// <summary>Checks every setting and reports all problems at once.</summary>
    /// <exception cref="ArgumentException">One or more settings are invalid; the message lists each of them.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
        {
            problems.Add($"{nameof(Host)} is required.");
        }

        if (Port is < 1 or > 65535)
        {
            problems.Add($"{nameof(Port)} must be between 1 and 65535 (was {Port}).");
        }

        AddTimeoutProblem(problems, nameof(ConnectTimeout), ConnectTimeout);
        AddTimeoutProblem(problems, nameof(AckTimeout), AckTimeout);
        if (IdleReset < TimeSpan.Zero && IdleReset != Timeout.InfiniteTimeSpan)
        {
            problems.Add($"{nameof(IdleReset)} must not be negative (was {IdleReset}).");
        }

        if (LowLatencyAckWait < TimeSpan.Zero || LowLatencyAckWait > TimeSpan.FromMilliseconds(100))
        {
            problems.Add($"{nameof(LowLatencyAckWait)} must be between 0 and 100 ms (was {LowLatencyAckWait}).");
        }

        if (!Enum.IsDefined(Encoding))
        {
            problems.Add($"{nameof(Encoding)} has an unknown value ({(int)Encoding}).");
        }

        if (Retry is null)
        {
            if (ReconnectAttempts is < 0 or > int.MaxValue - 1)
            {
                problems.Add($"{nameof(ReconnectAttempts)} must not be negative (was {ReconnectAttempts}).");
            }

            if (ReconnectDelay <= TimeSpan.Zero || ReconnectDelay > TimeSpan.FromDays(1))
            {
                problems.Add($"{nameof(ReconnectDelay)} must be positive and at most a day (was {ReconnectDelay}).");
            }

            if (ReconnectMaxDelay < ReconnectDelay || ReconnectMaxDelay > TimeSpan.FromDays(1))
            {
                problems.Add($"{nameof(ReconnectMaxDelay)} must be at least {nameof(ReconnectDelay)} and at most a day (was {ReconnectMaxDelay}).");
            }
        }

        if (ConnectionAttemptHistory is < 0 or > 10_000)
        {
            problems.Add($"{nameof(ConnectionAttemptHistory)} must be between 0 and 10000 (was {ConnectionAttemptHistory}).");
        }

        AddNested(problems, nameof(Framing), Framing, static framing => framing.Validate());
        AddNested(problems, nameof(AckCondition), AckCondition, static ack => _ = new AckCondition(ack));
        AddNested(problems, nameof(KeepAlive), KeepAlive, null);
        AddNested(problems, nameof(Heartbeat), Heartbeat, null);
        AddNested(problems, nameof(Tls), Tls, null);
        AddNested(problems, nameof(ErrorLogging), ErrorLogging, null);
        KeepAlive?.AddProblems(problems, nameof(KeepAlive) + ".");
        Heartbeat?.AddProblems(problems, nameof(Heartbeat) + ".");
        Tls?.AddProblems(problems, nameof(Tls) + ".");
        ErrorLogging?.AddProblems(problems, nameof(ErrorLogging) + ".");
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid MLLP client options: " + string.Join(" ", problems));
        }
    }

    private static void AddTimeoutProblem(List<string> problems, string name, TimeSpan value)
    {
        if ((value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan) || value.TotalMilliseconds > int.MaxValue)
        {
            problems.Add($"{name} must be positive and at most {int.MaxValue} ms, or infinite (was {value}).");
        }
    }

    private static void AddNested<T>(List<string> problems, string name, T? value, Action<T>? validate)
        where T : class
    {
        if (value is null)
        {
            problems.Add($"{name} is required.");
            return;
        }

        try
        {
            validate?.Invoke(value);
        }
        catch (ArgumentException exception)
        {
            problems.Add($"{name}: {exception.Message}");
        }
    }
}
