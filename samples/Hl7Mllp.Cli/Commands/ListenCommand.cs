using System.CommandLine;
using System.Globalization;
using System.Net;
using Hl7Mllp.Duplicates;
using Hl7Mllp.Framing;
using Hl7Mllp.Receiving;
using Hl7Mllp.Storage;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Cli.Commands;

/// <summary>
/// <c>hl7mllp listen --port P [--bind ADDR] [--store DIR|memory] [--count N] [--json] [--processing-ids IDS]
/// [--track-dupes N] [--persist-dupes] [--on-duplicate reject|ack] [--rules FILE] [--named-fields FILE|2.3|2.5.1|2.7]
/// [--validation FLAGS] [--tls-cert F [--tls-key F] [--tls-password P]] [--require-client-cert] [--client-ca F]
/// [--max-frame-bytes N] [--max-connections N] [--idle-timeout S] [--name NAME] [--quiet] [--max-warnings N]</c>: receives messages
/// with an <see cref="MllpListener"/> and the <see cref="ReceivePipeline"/> until Ctrl+C / SIGTERM, or N messages.
/// </summary>
/// <remarks>
/// Prints <c>listening on ADDR:PORT</c> once connections are accepted, then one line per message (control ID, type,
/// ACK code, deciding error) unless <c>--quiet</c>. Logs go to standard error. Exit code 0, 1 when the listener
/// cannot start, 2 on usage errors. The environment variable <c>HL7MLLP_FAULT</c> (<c>before-store</c>,
/// <c>after-store-before-ack</c>) makes the process fail fast at that point, for crash tests.
/// </remarks>
public static partial class ListenCommand
{
    /// <summary>The exit code of a usage error.</summary>
    public const int UsageError = 2;

    /// <summary>The exit code when the listener cannot start (port in use, bad certificate).</summary>
    public const int StartError = 1;

    /// <summary>The default of <c>--max-warnings</c>: per-message warnings logged every 10 seconds before the rest are only counted.</summary>
    public const int DefaultMaxWarnings = 10;

    /// <summary>Creates the command.</summary>
    /// <returns>The <c>listen</c> command.</returns>
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "The port to listen on (0 = any free port).", Required = true };
        var bind = new Option<string>("--bind") { Description = "The local address to listen on.", DefaultValueFactory = _ => "0.0.0.0" };
        var store = new Option<string?>("--store") { Description = "Store each accepted message durably as one file in DIR (\"memory\": count only, for load runs). Default: none, and then messages are acknowledged AA but not stored (a warning says so at start-up)." };
        var count = new Option<long>("--count") { Description = "Stop after N messages (0 = run until Ctrl+C)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per message." };
        var processingIds = new Option<string?>("--processing-ids") { Description = "Accepted MSH-11 values, e.g. P or DT (blank = any)." };
        var trackDupes = new Option<int>("--track-dupes") { Description = "Remember the N most recent control IDs to reject duplicates (0 = off, -1 = off and allow blank MSH-10).", DefaultValueFactory = _ => InMemoryDuplicateTrackerOptions.DefaultCapacity };
        var persistDupes = new Option<bool>("--persist-dupes") { Description = "Keep the tracked control IDs in <name>_TrackDupes.txt in the --store DIR, flushed per message." };
        var onDuplicate = new Option<string>("--on-duplicate") { Description = "reject (AR, error 205) or ack (answer AA again without storing).", DefaultValueFactory = _ => "reject" };
        onDuplicate.AcceptOnlyFromAmong("reject", "ack");
        var allowBlank = new Option<bool>("--allow-blank-control-id") { Description = "Accept messages with a blank MSH-10." };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "Serve TLS with this certificate (PFX, or PEM with --tls-key)." };
        var tlsKey = new Option<string?>("--tls-key") { Description = "The PEM private key of --tls-cert." };
        var tlsPassword = new Option<string?>("--tls-password") { Description = "The PFX password of --tls-cert." };
        var requireClientCert = new Option<bool>("--require-client-cert") { Description = "Require a client certificate (mutual TLS)." };
        var clientCa = new Option<string?>("--client-ca") { Description = "PEM file of the roots client certificates must chain to." };
        var maxFrameBytes = new Option<int>("--max-frame-bytes") { Description = "The largest frame accepted, in bytes.", DefaultValueFactory = _ => new MllpFramingOptions().MaxFrameBytes };
        var maxConnections = new Option<int>("--max-connections") { Description = "The most simultaneous connections.", DefaultValueFactory = _ => 32 };
        var idleTimeout = new Option<double>("--idle-timeout") { Description = "Close a connection after S seconds without traffic (0 = never).", DefaultValueFactory = _ => 300 };
        var name = new Option<string>("--name") { Description = "The receiver's name (logs, key file).", DefaultValueFactory = _ => "listen" };
        var quiet = new Option<bool>("--quiet") { Description = "Print no line per message and log warnings only." };
        var maxWarnings = new Option<int>("--max-warnings") { Description = "Log at most N per-message warnings (rejections, duplicates) every 10 s, then one line with how many were left out (0 = log every one).", DefaultValueFactory = _ => DefaultMaxWarnings };
        var command = new Command("listen", "Receive HL7 messages over MLLP, store them and acknowledge them.")
        {
            port, bind, store, count, json, processingIds, trackDupes, persistDupes, onDuplicate, allowBlank,
            tlsCert, tlsKey, tlsPassword, requireClientCert, clientCa, maxFrameBytes, maxConnections, idleTimeout, name, quiet, maxWarnings,
        };
        AddValidationOptions(command, out Func<ParseResult, ValidationSettings> validation);
        command.SetAction(async (result, cancellationToken) =>
        {
            var settings = new Settings(
                result.GetValue(port),
                result.GetValue(bind) ?? "0.0.0.0",
                result.GetValue(store),
                result.GetValue(count),
                result.GetValue(json),
                result.GetValue(processingIds),
                result.GetValue(trackDupes),
                result.GetValue(persistDupes),
                result.GetValue(onDuplicate) == "ack" ? DuplicateHandling.AcknowledgeAgain : DuplicateHandling.Reject,
                result.GetValue(allowBlank),
                result.GetValue(tlsCert),
                result.GetValue(tlsKey),
                result.GetValue(tlsPassword),
                result.GetValue(requireClientCert),
                result.GetValue(clientCa),
                result.GetValue(maxFrameBytes),
                result.GetValue(maxConnections),
                result.GetValue(idleTimeout),
                result.GetValue(name) ?? "listen",
                result.GetValue(quiet),
                result.GetValue(maxWarnings),
                validation(result));
            return await RunAsync(settings, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(Settings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(settings.Bind, out IPAddress? address))
        {
            return Usage(error, $"'{settings.Bind}' is not an IP address.");
        }

        if (settings.Port is < 0 or > IPEndPoint.MaxPort)
        {
            return Usage(error, $"--port must be 0 to {IPEndPoint.MaxPort}.");
        }

        if (settings.PersistDupes && (settings.Store is null || IsMemory(settings.Store)))
        {
            return Usage(error, "--persist-dupes needs --store DIR.");
        }

        if (settings.MaxWarnings < 0)
        {
            return Usage(error, "--max-warnings must not be negative.");
        }

        if (settings.TlsKey is not null && settings.TlsCert is null)
        {
            return Usage(error, "--tls-key needs --tls-cert.");
        }

        using ILoggerFactory loggerFactory = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(settings.Quiet ? LogLevel.Warning : LogLevel.Information)
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));

        ReceivePipelineOptions pipelineOptions;
        try
        {
            pipelineOptions = CreatePipelineOptions(settings);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or FormatException or UnauthorizedAccessException or MllpException)
        {
            return Usage(error, ex.Message);
        }

        if (settings.Store is null)
        {
            await error.WriteLineAsync(NotStoredWarning);
        }

        IMessageStore store = CreateStore(settings.Store, loggerFactory);
        await using var storeLifetime = store as IAsyncDisposable;
        await using InMemoryDuplicateTracker? tracker = settings.TrackDupes > 0
            ? new InMemoryDuplicateTracker(
                new InMemoryDuplicateTrackerOptions
                {
                    Capacity = settings.TrackDupes,
                    Persistence = settings.PersistDupes ? DuplicatePersistence.Journal : DuplicatePersistence.None,
                    Directory = settings.PersistDupes ? StoreDirectory(settings.Store) : null,
                    ConnectionName = settings.Name,
                },
                loggerFactory: loggerFactory)
            : null;
        if (tracker is not null)
        {
            try
            {
                if (tracker.FilePath is not null)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(tracker.FilePath)!);
                }

                await tracker.LoadAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"hl7mllp listen: cannot use the duplicate key file: {ex.Message}");
                return 1;
            }
        }

        var pipeline = new ReceivePipeline(pipelineOptions, store, tracker, loggerFactory);
        var handler = new ReportingHandler(pipeline, settings.Quiet ? null : output, settings.Json, settings.Count);
        MllpListenerOptions listenerOptions;
        try
        {
            listenerOptions = CreateListenerOptions(settings, address);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return Usage(error, ex.Message);
        }

        await using var listener = new MllpListener(listenerOptions, handler, loggerFactory);
        try
        {
            await listener.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            await error.WriteLineAsync($"hl7mllp listen: cannot listen on {address}:{settings.Port}: {ex.Message}");
            return StartError;
        }

        // SIGINT/SIGTERM stop the listener gracefully (drain in-flight messages) whatever the host does with them.
        using var stopping = new StopSignals(cancellationToken);
        await output.WriteLineAsync($"listening on {FormatEndPoint(listener.LocalEndPoint)}");
        await output.FlushAsync(CancellationToken.None);
        try
        {
            await handler.Completed.WaitAsync(stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM: stop below.
        }

        await listener.StopAsync(CancellationToken.None);
        ReceivePipelineCounters counters = pipeline.GetCounters();
        if (!settings.Quiet)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"received {counters.Received}, stored {counters.Stored}, rejected {counters.Rejected}, unparseable {counters.Unparseable}, duplicates {counters.Duplicates}, store failures {counters.StoreFailures}"));
        }

        await output.FlushAsync(CancellationToken.None);
        return 0;
    }

    private static ReceivePipelineOptions CreatePipelineOptions(Settings settings)
    {
        var options = new ReceivePipelineOptions
        {
            ProcessingIds = settings.ProcessingIds,
            AllowBlankControlId = settings.AllowBlankControlId || settings.TrackDupes < 0,
            DuplicateHandling = settings.DuplicateHandling,
            MaxWarningsPerInterval = settings.MaxWarnings,
        };
        ApplyValidation(options, settings.Validation);
        return options;
    }

    private static MllpListenerOptions CreateListenerOptions(Settings settings, IPAddress address)
    {
        var options = new MllpListenerOptions
        {
            Endpoints = [new IPEndPoint(address, settings.Port)],
            Name = settings.Name,
            MaxConnections = settings.MaxConnections,
            IdleTimeout = settings.IdleTimeout <= 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(settings.IdleTimeout),
            LogConnectionInfo = !settings.Quiet,
        };
        options.Framing.MaxFrameBytes = settings.MaxFrameBytes;
        if (settings.TlsCert is not null)
        {
            options.Tls = new MllpServerTlsOptions
            {
                CertificatePath = settings.TlsCert,
                PrivateKeyPath = settings.TlsKey,
                CertificatePassword = settings.TlsPassword,
                ClientCertificateRequired = settings.RequireClientCert,
                ClientCertificateTrustRootsPath = settings.ClientCa,
            };
        }

        return options;
    }

    private static IMessageStore CreateStore(string? store, ILoggerFactory loggerFactory)
    {
        IMessageStore inner = store is null ? new InMemoryMessageStore(keepMessages: false)
            : IsMemory(store) ? new InMemoryMessageStore(keepMessages: false)
            : new FileMessageStore(new FileMessageStoreOptions { Path = StoreWildcard(store) }, loggerFactory);
        return Fault == FaultPoint.BeforeStore ? new FailFastStore() : inner;
    }

    private static bool IsMemory(string store) => string.Equals(store, "memory", StringComparison.OrdinalIgnoreCase);

    /// <summary><c>--store</c> is a folder (files named <c>*.hl7</c> in it) or a File Storage Wildcard.</summary>
    private static string StoreWildcard(string store) => store.Contains('*', StringComparison.Ordinal) ? store : Path.Join(store, "*.hl7");

    /// <summary>The folder the store writes to (the duplicate key file goes there too); the working folder without a file store.</summary>
    private static string StoreDirectory(string? store) =>
        store is null || IsMemory(store) ? Environment.CurrentDirectory : Path.GetDirectoryName(Path.GetFullPath(StoreWildcard(store)))!;

    private static string FormatEndPoint(IPEndPoint endPoint) =>
        endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]:{endPoint.Port}" : $"{endPoint.Address}:{endPoint.Port}";

    /// <summary>Printed at start-up without <c>--store</c>: every message is acknowledged and then discarded.</summary>
    internal const string NotStoredWarning = "hl7mllp listen: warning: messages are acknowledged but not stored (no --store)";

    private static int Usage(TextWriter error, string message)
    {
        error.WriteLine($"hl7mllp listen: {message}");
        return UsageError;
    }

    private sealed record Settings(
        int Port,
        string Bind,
        string? Store,
        long Count,
        bool Json,
        string? ProcessingIds,
        int TrackDupes,
        bool PersistDupes,
        DuplicateHandling DuplicateHandling,
        bool AllowBlankControlId,
        string? TlsCert,
        string? TlsKey,
        string? TlsPassword,
        bool RequireClientCert,
        string? ClientCa,
        int MaxFrameBytes,
        int MaxConnections,
        double IdleTimeout,
        string Name,
        bool Quiet,
        int MaxWarnings,
        ValidationSettings Validation);
}
