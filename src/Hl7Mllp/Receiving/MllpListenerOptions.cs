using System.Net;
using Hl7Mllp.Framing;

namespace Hl7Mllp.Receiving;

/// <summary>
/// How an <see cref="MllpListener"/> listens: endpoints, limits, timeouts, allowed peers, TLS and socket options.
/// Bindable from configuration (except <see cref="Endpoints"/>, which holds <see cref="IPEndPoint"/> values).
/// </summary>
/// <remarks>
/// Security limits, all on by default: <see cref="MaxConnections"/>, <see cref="IdleTimeout"/>,
/// <see cref="ReadTimeout"/>, <see cref="FrameTimeout"/>, <see cref="TlsHandshakeTimeout"/> and
/// <see cref="MllpFramingOptions.MaxFrameBytes"/> in <see cref="Framing"/>. Together they bound the memory, sockets
/// and time any peer can hold. The listener copies nothing: do not change the options after
/// <see cref="MllpListener.StartAsync"/>.
/// </remarks>
public sealed class MllpListenerOptions
{
    /// <summary>The port used when <see cref="Endpoints"/> is empty: 2575, the port registered for HL7 over MLLP.</summary>
    public const int DefaultPort = 2575;

    /// <summary>
    /// The endpoints to listen on; port 0 picks a free port (see <see cref="MllpListener.LocalEndPoints"/>). Default:
    /// empty, which means <see cref="IPAddress.Any"/> on port <see cref="DefaultPort"/> (all IPv4 interfaces).
    /// </summary>
    public IList<IPEndPoint> Endpoints { get; set; } = [];

    /// <summary>The listener's name (the seed service's connection name), used in logs, metrics and status. Default: <c>"mllp"</c>.</summary>
    public string Name { get; set; } = "mllp";

    /// <summary>
    /// The most connections open at once, TLS handshakes included. A connection beyond it is closed at once and logged,
    /// never queued. Default: 32. Security limit.
    /// </summary>
    public int MaxConnections { get; set; } = 32;

    /// <summary>
    /// The listen backlog: connections the operating system may hold before they are accepted. Default: 512.
    /// </summary>
    public int ListenBacklog { get; set; } = 512;

    /// <summary>
    /// Whether every opened and closed connection is logged at Information level (endpoint, duration, messages, reason);
    /// otherwise at Debug. Default: <see langword="false"/>.
    /// </summary>
    public bool LogConnectionInfo { get; set; }

    /// <summary>
    /// Inactivity reset: a connection that receives no byte for this long while no frame is under way is closed.
    /// Default: 5 minutes. <see cref="Timeout.InfiniteTimeSpan"/> turns it off. Security limit.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Inside a frame (after its start block), the longest wait for the next bytes; also the longest wait for a response
    /// to be sent. Default: 5 seconds. <see cref="Timeout.InfiniteTimeSpan"/> turns it off. Security limit.
    /// </summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The whole-frame deadline, counted from the frame's first byte: a frame not complete by then closes the connection,
    /// however steadily its bytes trickle in (slowloris, RELIABILITY A2). Default: 30 seconds.
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns it off. Security limit.
    /// </summary>
    public TimeSpan FrameTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest a TLS handshake may take; the connection counts against <see cref="MaxConnections"/> meanwhile. Default: 10 seconds. Security limit.</summary>
    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long <see cref="MllpListener.StopAsync"/> lets connections finish the message in flight (its handler call and
    /// its response) before it aborts them. Default: 10 seconds.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Frame size bound and the handling of bytes between frames. Default: <see cref="MllpFramingOptions"/> defaults (<c>MaxFrameBytes</c> 10 MiB).</summary>
    public MllpFramingOptions Framing { get; set; } = new();

    /// <summary>
    /// The peers allowed to connect, as IP addresses (<c>10.1.2.3</c>, <c>::1</c>) or CIDR ranges (<c>10.1.0.0/16</c>).
    /// A connection from any other address is closed at once and logged. Default: empty, which allows every address.
    /// </summary>
    public IList<string> AllowedRemoteAddresses { get; set; } = [];

    /// <summary>TLS settings; <see langword="null"/> for plain TCP. Default: <see langword="null"/>.</summary>
    public MllpServerTlsOptions? Tls { get; set; }

    /// <summary>Whether Nagle's algorithm is turned off, so an ACK leaves at once. Default: <see langword="true"/>.</summary>
    public bool NoDelay { get; set; } = true;

    /// <summary>
    /// Whether TCP keep-alive probes are sent, so a peer that vanished (half-open connection, dropped VPN) is noticed
    /// (RELIABILITY C6, F11, F12). Default: <see langword="true"/>.
    /// </summary>
    public bool KeepAlive { get; set; } = true;

    /// <summary>How long a connection is quiet before the first keep-alive probe. Default: 60 seconds (the OS default is often 2 hours).</summary>
    public TimeSpan KeepAliveTime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The time between keep-alive probes. Default: 10 seconds.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Unanswered keep-alive probes before the connection is dropped. Default: 5.</summary>
    public int KeepAliveProbeCount { get; set; } = 5;

    /// <summary>
    /// How many plain-TCP connections at a time get a thread of their own that blocks on the socket. Such a connection
    /// answers with no hand-off between threads, the cheapest path per message when senders keep the listener busy
    /// (docs/benchmarks.md). Connections beyond this number, and all TLS connections, share the thread pool. A thread
    /// whose connection closed waits up to 30 seconds for the next one, so a sender that connects per message does not
    /// start a thread per message (it still pays a hand-off per connection: docs/listener.md, "Cost"). 0 puts every
    /// connection on the thread pool. Default: 32.
    /// </summary>
    public int DedicatedThreadConnections { get; set; } = 32;

    /// <summary>
    /// How long a connection's own thread (see <see cref="DedicatedThreadConnections"/>) keeps polling the socket for the
    /// next message before it blocks. It polls only after a message that came within this time of the wait's start,
    /// and only while no more connections are open than half the processors, so the CPU goes to a sender streaming
    /// to a lightly loaded listener, which is spared the wake-up of a sleeping thread per message.
    /// <see cref="TimeSpan.Zero"/> turns polling off. Default: 100 microseconds; at most 10 milliseconds.
    /// </summary>
    public TimeSpan ReceiveSpin { get; set; } = TimeSpan.FromMicroseconds(100);

    /// <summary>Checks every setting and reports all problems at once.</summary>
    /// <exception cref="ArgumentException">One or more settings are invalid; the message lists each of them.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (Endpoints is null || Endpoints.Any(endpoint => endpoint is null))
        {
            problems.Add($"{nameof(Endpoints)} must not be null or contain null.");
        }

        if (Name is null)
        {
            problems.Add($"{nameof(Name)} must not be null.");
        }

        if (MaxConnections < 1)
        {
            problems.Add($"{nameof(MaxConnections)} must be at least 1 (was {MaxConnections}).");
        }

        if (ListenBacklog < 1)
        {
            problems.Add($"{nameof(ListenBacklog)} must be at least 1 (was {ListenBacklog}).");
        }

        if (DedicatedThreadConnections < 0)
        {
            problems.Add($"{nameof(DedicatedThreadConnections)} must be zero or positive (was {DedicatedThreadConnections}).");
        }

        if (ReceiveSpin < TimeSpan.Zero || ReceiveSpin > TimeSpan.FromMilliseconds(10))
        {
            problems.Add($"{nameof(ReceiveSpin)} must be between zero and 10 milliseconds (was {ReceiveSpin}).");
        }

        CheckTimeout(problems, nameof(IdleTimeout), IdleTimeout, allowInfinite: true);
        CheckTimeout(problems, nameof(ReadTimeout), ReadTimeout, allowInfinite: true);
        CheckTimeout(problems, nameof(FrameTimeout), FrameTimeout, allowInfinite: true);
        CheckTimeout(problems, nameof(TlsHandshakeTimeout), TlsHandshakeTimeout, allowInfinite: false);
        CheckTimeout(problems, nameof(DrainTimeout), DrainTimeout, allowInfinite: false, allowZero: true);
        if (KeepAlive)
        {
            CheckSeconds(problems, nameof(KeepAliveTime), KeepAliveTime);
            CheckSeconds(problems, nameof(KeepAliveInterval), KeepAliveInterval);
            if (KeepAliveProbeCount is < 1 or > 127)
            {
                problems.Add($"{nameof(KeepAliveProbeCount)} must be between 1 and 127 (was {KeepAliveProbeCount}).");
            }
        }

        if (Framing is null)
        {
            problems.Add($"{nameof(Framing)} must not be null.");
        }
        else
        {
            try
            {
                Framing.Validate();
            }
            catch (ArgumentException exception)
            {
                problems.Add(exception.Message);
            }
        }

        if (AllowedRemoteAddresses is null)
        {
            problems.Add($"{nameof(AllowedRemoteAddresses)} must not be null.");
        }
        else
        {
            foreach (string address in AllowedRemoteAddresses)
            {
                if (!RemoteAddressFilter.TryParse(address, out _))
                {
                    problems.Add($"\"{address}\" in {nameof(AllowedRemoteAddresses)} is neither an IP address nor a CIDR range.");
                }
            }
        }

        Tls?.Validate(problems);
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid MLLP listener options: " + string.Join(" ", problems));
        }
    }

    private static void CheckTimeout(List<string> problems, string name, TimeSpan value, bool allowInfinite, bool allowZero = false)
    {
        bool infinite = value == Timeout.InfiniteTimeSpan;
        if (infinite ? !allowInfinite : value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero) || value.TotalMilliseconds > int.MaxValue)
        {
            string allowed = allowInfinite ? " or Timeout.InfiniteTimeSpan" : string.Empty;
            problems.Add($"{name} must be {(allowZero ? "zero or " : string.Empty)}positive{allowed} (was {value}).");
        }
    }

    private static void CheckSeconds(List<string> problems, string name, TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1) || value.TotalSeconds > int.MaxValue)
        {
            problems.Add($"{name} must be at least 1 second (was {value}).");
        }
    }
}
