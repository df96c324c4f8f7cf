using System.CommandLine;
using System.Globalization;
using Hl7Mllp.Sending;
using Hl7Mllp.Storage;
using Microsoft.Extensions.Logging;

namespace Hl7Mllp.Cli.Commands;

/// <summary>
/// <c>hl7mllp transmit --dir WILDCARD --host H --port P [--archive DIR] [--archive-days N] [--fail-retries N]
/// [--fail-extension EXT] [--interval S] [--max N] [--sort time|name] [--split-batches] [--min-age S] [--flush-interval S] [--ack-timeout S]
/// [--connect-timeout S] [--quiet]</c>: runs a <see cref="Transmitter"/> over a <see cref="FileMessageSource"/> until
/// Ctrl+C / SIGTERM: every file matching the wildcard is sent, then archived (or deleted), or renamed with the fail
/// extension after its retries.
/// </summary>
/// <remarks>
/// The client waits for each ACK with <see cref="MllpClientOptions.LowLatencyAckWait"/> of 1 ms, like <c>send</c>: a
/// transmitter is a dedicated sequential sender. Prints <c>transmitting WILDCARD to HOST:PORT</c> once started. Logs go to standard error (warnings only with
/// <c>--quiet</c>). Exit code 0, or 2 on usage errors. The environment variable <c>HL7MLLP_FAULT</c>
/// (<c>after-ack-before-commit</c>) is a crash point for the crash tests (<see cref="TransmitFaultSource"/>).
/// </remarks>
public static class TransmitCommand
{
    /// <summary>The exit code of a usage error.</summary>
    public const int UsageError = 2;

    /// <summary>Creates the command.</summary>
    /// <returns>The <c>transmit</c> command.</returns>
    public static Command Create()
    {
        var dir = new Option<string>("--dir") { Description = "The Input Wildcard: directory and file pattern, e.g. /data/out/*.hl7.", Required = true };
        var host = new Option<string>("--host") { Description = "The receiver's host name or address.", Required = true };
        var port = new Option<int>("--port") { Description = "The receiver's port.", Required = true };
        var archive = new Option<string?>("--archive") { Description = "Move accepted files to DIR (default: delete them)." };
        var archiveDays = new Option<int>("--archive-days") { Description = "Remove archived files older than N days (0 = keep forever)." };
        var failRetries = new Option<int>("--fail-retries") { Description = "Failed sends of a file before it is renamed with the fail extension.", DefaultValueFactory = _ => 3 };
        var failExtension = new Option<string>("--fail-extension") { Description = "BAD: foo.hl7 -> foo.BAD; *.BAD: foo.hl7 -> foo.hl7.BAD.", DefaultValueFactory = _ => "BAD" };
        var interval = new Option<double>("--interval") { Description = "Seconds between polls of the directory.", DefaultValueFactory = _ => 5 };
        var max = new Option<int>("--max") { Description = "The most messages sent per poll (0 = no limit)." };
        var sort = new Option<string>("--sort") { Description = "time (oldest first) or name.", DefaultValueFactory = _ => "time" };
        sort.AcceptOnlyFromAmong("time", "name");
        var splitBatches = new Option<bool>("--split-batches") { Description = "Send the messages of a batch or multi-message file one by one." };
        var flushInterval = new Option<double>("--flush-interval") { Description = "Seconds an archive or delete may wait for its directory flush (power loss only; 0 = flush each file).", DefaultValueFactory = _ => 0.1 };
        var minimumAge = new Option<double>("--min-age") { Description = "Seconds a file must be unchanged before it is sent at first sight.", DefaultValueFactory = _ => 1 };
        var ackTimeout = new Option<double>("--ack-timeout") { Description = "Seconds to wait for each ACK.", DefaultValueFactory = _ => 30 };
        var connectTimeout = new Option<double>("--connect-timeout") { Description = "Seconds to wait for a connection.", DefaultValueFactory = _ => 10 };
        var quiet = new Option<bool>("--quiet") { Description = "Log warnings and errors only." };
        var command = new Command("transmit", "Send the HL7 files of a directory over MLLP, then archive, delete or rename them.")
        {
            dir, host, port, archive, archiveDays, failRetries, failExtension, interval, max, sort, splitBatches, minimumAge, flushInterval, ackTimeout, connectTimeout, quiet,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var sourceOptions = new FileMessageSourceOptions
            {
                Path = result.GetValue(dir) ?? string.Empty,
                ArchiveDirectory = result.GetValue(archive),
                ArchiveDays = result.GetValue(archiveDays),
                FailRetries = result.GetValue(failRetries),
                FailExtension = result.GetValue(failExtension) ?? "BAD",
                SortBy = result.GetValue(sort) == "name" ? FileSortOrder.Name : FileSortOrder.ModifiedTime,
                SplitBatches = result.GetValue(splitBatches),
                MinimumFileAge = TimeSpan.FromSeconds(result.GetValue(minimumAge)),
                CompletionFlushInterval = TimeSpan.FromSeconds(result.GetValue(flushInterval)),
            };
            var clientOptions = new MllpClientOptions
            {
                Host = result.GetValue(host) ?? string.Empty,
                Port = result.GetValue(port),
                AckTimeout = TimeSpan.FromSeconds(result.GetValue(ackTimeout)),
                ConnectTimeout = TimeSpan.FromSeconds(result.GetValue(connectTimeout)),

                // The host's choice: one transmitter is a dedicated, sequential sender, like `send`: wait for each ACK
                // in a short blocking receive rather than two thread hops.
                LowLatencyAckWait = TimeSpan.FromMilliseconds(1),
            };
            var transmitterOptions = new TransmitterOptions
            {
                Name = "transmit",
                PollingInterval = TimeSpan.FromSeconds(result.GetValue(interval)),
                MaxMessagesPerInterval = result.GetValue(max),
                OnFinalFailure = TransmitterFailurePolicy.Skip,
            };
            return RunAsync(sourceOptions, clientOptions, transmitterOptions, result.GetValue(quiet), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        FileMessageSourceOptions sourceOptions,
        MllpClientOptions clientOptions,
        TransmitterOptions transmitterOptions,
        bool quiet,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        // Every option is checked before anything is created, so a usage error leaves nothing to dispose; from here on
        // each owner is disposed on every path (transmitter, then client, then source, then the logging).
        try
        {
            sourceOptions.Validate();
            clientOptions.Validate();
            transmitterOptions.Validate();
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return UsageError;
        }

        using var loggerFactory = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(quiet ? LogLevel.Warning : LogLevel.Information)
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        await using var source = new FileMessageSource(sourceOptions, loggerFactory);
        await using var client = new MllpClient(clientOptions, loggerFactory);
        await using var transmitter = new Transmitter(TransmitFaultSource.Wrap(source), client, transmitterOptions, loggerFactory);

        // SIGINT/SIGTERM stop after the message in flight, and the disposals above then finish the source's moves:
        // without this the runtime ended the process at once, leaving accepted files and the journal behind.
        using var stopping = new StopSignals(cancellationToken);
        await transmitter.StartAsync(cancellationToken);
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"transmitting {sourceOptions.Path} to {clientOptions.Host}:{clientOptions.Port}"));
        await output.FlushAsync(CancellationToken.None);
        try
        {
            await Task.Delay(Timeout.Infinite, stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C / SIGTERM: stop after the message in flight.
        }

        await transmitter.StopAsync(CancellationToken.None);

        return 0;
    }
}
