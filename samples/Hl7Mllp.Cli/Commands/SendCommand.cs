using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Hl7Mllp.Acks;
using Hl7Mllp.Messages;
using Hl7Mllp.Sending;

namespace Hl7Mllp.Cli.Commands;

/// <summary>
/// <c>hl7mllp send --host H --port P [--tls] [--pin T] [--ca FILE] [--client-cert F [--client-key F]]
/// [--ack-timeout S] [--connect-timeout S] [--repeat N] [--warmup N] [--json] [--quiet] FILE...|-</c>: sends every message of
/// every file (batch files are split with <see cref="Hl7Batch"/>) over one persistent connection, in order, and prints each outcome and a summary.
/// Exit code 0 when every message was accepted, 1 otherwise, 2 on usage errors.
/// </summary>
/// <remarks>
/// <c>--repeat N</c> sends each message N times, each time with a new MSH-10 written into a reused buffer: a prefix
/// unique to the run (milliseconds since 1970 and two random characters, base 36) and a counter, at most 20
/// characters (HL7 v2.5.1's limit), so IDs are unique across runs (RELIABILITY C10). <c>--warmup N</c> first sends
/// the first message N times the same way, neither printed nor counted, so that the rate excludes JIT warm-up and the
/// connect, as the reference load generator's does.
/// </remarks>
public static class SendCommand
{
    private const int UsageError = 2;
    private const int CounterDigits = 7;
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Creates the command.</summary>
    /// <returns>The <c>send</c> command.</returns>
    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "The receiver's host name or IP address.", Required = true };
        var port = new Option<int>("--port") { Description = "The receiver's port.", Required = true };
        var tls = new Option<bool>("--tls") { Description = "Use TLS (1.2 or 1.3); the receiver's certificate is validated by the OS trust store and host name." };
        var pin = new Option<string?>("--pin") { Description = "Trust exactly the receiver certificate with this SHA-1 or SHA-256 thumbprint (self-signed receivers). Implies --tls." };
        var ca = new Option<string?>("--ca") { Description = "A PEM file of CA certificates to trust instead of the OS store. Implies --tls." };
        var clientCert = new Option<string?>("--client-cert") { Description = "A client certificate: PFX/P12, or PEM (key in --client-key or the same file). Implies --tls." };
        var clientKey = new Option<string?>("--client-key") { Description = "The PEM private key of --client-cert." };
        var password = new Option<string?>("--client-cert-password") { Description = "The password of the PFX file or encrypted PEM key." };
        var ackTimeout = new Option<double>("--ack-timeout") { Description = "Seconds to wait for each ACK.", DefaultValueFactory = _ => 30 };
        var connectTimeout = new Option<double>("--connect-timeout") { Description = "Seconds to wait for a connection.", DefaultValueFactory = _ => 10 };
        var repeat = new Option<int?>("--repeat") { Description = "Send each message N times, each with a new unique MSH-10." };
        var warmup = new Option<int>("--warmup")
        {
            Description = "First send the first message N times (each with a new unique MSH-10), not printed and not counted in the summary or its rate: a load-test figure without JIT warm-up and connect.",
            DefaultValueFactory = _ => 0,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per message per line, then a summary object." };
        var quiet = new Option<bool>("--quiet") { Description = "Print only the summary." };
        var files = new Argument<string[]>("FILE") { Description = "Files with one message, messages back to back, or a batch; - reads standard input.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("send", "Send HL7 v2 messages over MLLP and print each ACK outcome.")
        {
            host, port, tls, pin, ca, clientCert, clientKey, password, ackTimeout, connectTimeout, repeat, warmup, json, quiet, files,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var settings = new Settings(
                result.GetValue(host)!,
                result.GetValue(port),
                result.GetValue(tls),
                result.GetValue(pin),
                result.GetValue(ca),
                result.GetValue(clientCert),
                result.GetValue(clientKey),
                result.GetValue(password),
                result.GetValue(ackTimeout),
                result.GetValue(connectTimeout),
                result.GetValue(repeat),
                result.GetValue(warmup),
                result.GetValue(json),
                result.GetValue(quiet));
            return await RunAsync(settings, result.GetValue(files) ?? [], result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(Settings settings, string[] files, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (settings.Repeat is < 1)
        {
            error.WriteLine("hl7mllp send: --repeat must be at least 1.");
            return UsageError;
        }

        if (settings.Warmup < 0)
        {
            error.WriteLine("hl7mllp send: --warmup must be 0 or more.");
            return UsageError;
        }

        var messages = new List<SourceMessage>();
        foreach (string file in files)
        {
            if (!TryRead(file, out byte[] bytes, out string? problem))
            {
                error.WriteLine($"hl7mllp send: cannot read '{file}': {problem}");
                return UsageError;
            }

            int index = 0;
            foreach (var message in Hl7Batch.Split(bytes).Messages)
            {
                messages.Add(new SourceMessage(file, index++, NormalizeLineEnds(message.Span)));
            }
        }

        if (messages.Count == 0)
        {
            error.WriteLine("hl7mllp send: no HL7 message (MSH segment) in the input.");
            return UsageError;
        }

        if (settings.Warmup > 0 && !RepeatBuffer.TryFindControlId(messages[0].Bytes, out _, out _))
        {
            error.WriteLine("hl7mllp send: --warmup needs a first message with an MSH-10 field to rewrite.");
            return UsageError;
        }

        MllpClient client;
        try
        {
            client = new MllpClient(CreateOptions(settings));
        }
        catch (ArgumentException exception)
        {
            error.WriteLine($"hl7mllp send: {exception.Message}");
            return UsageError;
        }

        // Console.Out flushes every write; a run of 50 000 messages needs a buffered writer.
        bool ownsOutput = ReferenceEquals(output, Console.Out);
        var writer = ownsOutput ? new StreamWriter(Console.OpenStandardOutput(), bufferSize: 1 << 16) { AutoFlush = false } : output;
        await using (client)
        {
            try
            {
                var run = new Run(settings, writer, error);
                return await run.SendAllAsync(client, messages, cancellationToken);
            }
            finally
            {
                await writer.FlushAsync(CancellationToken.None);
                if (ownsOutput)
                {
                    await writer.DisposeAsync();
                }
            }
        }
    }

    private static MllpClientOptions CreateOptions(Settings settings)
    {
        var options = new MllpClientOptions
        {
            Host = settings.Host,
            Port = settings.Port,
            AckTimeout = TimeSpan.FromSeconds(settings.AckTimeout),
            ConnectTimeout = TimeSpan.FromSeconds(settings.ConnectTimeout),
            ReconnectAttempts = 2,

            // A dedicated, sequential sender: wait for each ACK in a short blocking poll rather than two thread hops.
            LowLatencyAckWait = TimeSpan.FromMilliseconds(1),
        };
        bool tls = settings.Tls || settings.Pin is not null || settings.Ca is not null || settings.ClientCert is not null;
        options.Tls.Enabled = tls;
        options.Tls.PinnedThumbprint = settings.Pin;
        options.Tls.TrustedRootsPath = settings.Ca;
        options.Tls.ClientCertificatePath = settings.ClientCert;
        options.Tls.ClientKeyPath = settings.ClientKey;
        options.Tls.ClientCertificatePassword = settings.Password;
        return options;
    }

    private static bool TryRead(string file, out byte[] bytes, out string? problem)
    {
        problem = null;
        try
        {
            if (file == "-")
            {
                using var stdin = Console.OpenStandardInput();
                using var buffer = new MemoryStream();
                stdin.CopyTo(buffer);
                bytes = buffer.ToArray();
            }
            else
            {
                bytes = File.ReadAllBytes(file);
            }

            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            bytes = [];
            problem = exception.Message;
            return false;
        }
    }

    /// <summary>A message of a file, split with <see cref="Hl7Batch"/>, with LF and CRLF segment ends made CR as MLLP receivers expect.</summary>
    internal static byte[] NormalizeLineEnds(ReadOnlySpan<byte> message)
    {
        if (!message.Contains((byte)'\n'))
        {
            return message.ToArray();
        }

        var result = new byte[message.Length];
        int length = 0;
        for (int i = 0; i < message.Length; i++)
        {
            byte b = message[i];
            if (b == (byte)'\n')
            {
                if (i > 0 && message[i - 1] == (byte)'\r')
                {
                    continue;
                }

                b = (byte)'\r';
            }

            result[length++] = b;
        }

        return result[..length];
    }

    /// <summary>The run prefix of generated control IDs: milliseconds since 1970 and two random characters, base 36.</summary>
    internal static string CreateRunPrefix()
    {
        Span<char> text = stackalloc char[16];
        int length = 0;
        ulong value = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Span<char> reversed = stackalloc char[16];
        int digits = 0;
        do
        {
            reversed[digits++] = Base36(value % 36);
            value /= 36;
        }
        while (value > 0);

        for (int i = digits - 1; i >= 0; i--)
        {
            text[length++] = reversed[i];
        }

        text[length++] = Base36((ulong)RandomNumberGenerator.GetInt32(36));
        text[length++] = Base36((ulong)RandomNumberGenerator.GetInt32(36));
        return new string(text[..length]);
    }

    private static char Base36(ulong digit) => (char)(digit < 10 ? '0' + digit : 'A' + (digit - 10));

    private sealed record Settings(
        string Host,
        int Port,
        bool Tls,
        string? Pin,
        string? Ca,
        string? ClientCert,
        string? ClientKey,
        string? Password,
        double AckTimeout,
        double ConnectTimeout,
        int? Repeat,
        int Warmup,
        bool Json,
        bool Quiet);

    private sealed record SourceMessage(string File, int Index, byte[] Bytes);

    /// <summary>A message whose MSH-10 is rewritten in place: prefix, run prefix, fixed-width counter, suffix.</summary>
    internal sealed class RepeatBuffer
    {
        private readonly int _counterOffset;

        public RepeatBuffer(byte[] message, string runPrefix)
        {
            if (!TryFindControlId(message, out int start, out int end))
            {
                throw new ArgumentException("The message has no MSH-10 field to rewrite.", nameof(message));
            }

            int idLength = runPrefix.Length + CounterDigits;
            Bytes = new byte[message.Length - (end - start) + idLength];
            message.AsSpan(0, start).CopyTo(Bytes);
            for (int i = 0; i < runPrefix.Length; i++)
            {
                Bytes[start + i] = (byte)runPrefix[i];
            }

            _counterOffset = start + runPrefix.Length;
            message.AsSpan(end).CopyTo(Bytes.AsSpan(start + idLength));
            IdStart = start;
            IdLength = idLength;
        }

        public byte[] Bytes { get; }

        public int IdStart { get; }

        public int IdLength { get; }

        /// <summary>Writes <paramref name="counter"/> in base 36 into the counter digits.</summary>
        public void SetCounter(long counter)
        {
            for (int i = CounterDigits - 1; i >= 0; i--)
            {
                Bytes[_counterOffset + i] = (byte)Base36((ulong)(counter % 36));
                counter /= 36;
            }
        }

        /// <summary>Finds MSH-10 in the first segment: after the ninth field separator (MSH-1 is the first).</summary>
        internal static bool TryFindControlId(ReadOnlySpan<byte> message, out int start, out int end)
        {
            start = end = 0;
            if (message.Length < 8 || !message.StartsWith("MSH"u8))
            {
                return false;
            }

            byte separator = message[3];
            int separators = 1;
            for (int i = 4; i < message.Length && message[i] is not ((byte)'\r' or (byte)'\n'); i++)
            {
                if (message[i] != separator)
                {
                    continue;
                }

                separators++;
                if (separators == 9)
                {
                    start = i + 1;
                }
                else if (separators == 10)
                {
                    end = i;
                    return true;
                }
            }

            if (separators == 9)
            {
                end = message[start..].IndexOfAny((byte)'\r', (byte)'\n') is int cut and >= 0 ? start + cut : message.Length;
                return true;
            }

            return false;
        }
    }

    /// <summary>One run of the command: counts, output and progress.</summary>
    private sealed class Run(Settings settings, TextWriter output, TextWriter error)
    {
        private readonly char[] _line = new char[256];
        private long _sent;
        private long _accepted;
        private long _rejected;
        private long _errors;

        public async Task<int> SendAllAsync(MllpClient client, List<SourceMessage> messages, CancellationToken cancellationToken)
        {
            int repeat = settings.Repeat ?? 1;
            string runPrefix = CreateRunPrefix();
            long total = (long)messages.Count * repeat;
            if (settings.Warmup > 0 && !await WarmUpAsync(client, new RepeatBuffer(messages[0].Bytes, runPrefix), settings.Warmup, cancellationToken))
            {
                return 1;
            }

            long counter = settings.Warmup;
            long started = Stopwatch.GetTimestamp();
            long nextProgress = started + Stopwatch.Frequency;
            bool stopped = false;
            foreach (var source in messages)
            {
                RepeatBuffer? buffer = null;
                if (settings.Repeat is not null && RepeatBuffer.TryFindControlId(source.Bytes, out _, out _))
                {
                    buffer = new RepeatBuffer(source.Bytes, runPrefix);
                }

                for (int r = 0; r < repeat && !stopped; r++)
                {
                    buffer?.SetCounter(counter++);
                    byte[] bytes = buffer?.Bytes ?? source.Bytes;
                    stopped = !await SendOneAsync(client, source, bytes, cancellationToken);
                    long now = Stopwatch.GetTimestamp();
                    if (now >= nextProgress)
                    {
                        nextProgress = now + Stopwatch.Frequency;
                        WriteProgress(total, Stopwatch.GetElapsedTime(started));
                    }
                }

                if (stopped)
                {
                    break;
                }
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            WriteSummary(total, elapsed);
            return _accepted == total ? 0 : 1;
        }

        /// <summary>
        /// Sends <paramref name="count"/> copies of the buffer's message with counters 0 to count - 1, outcomes neither
        /// printed nor counted; false (after a line on stderr) when one was not accepted.
        /// </summary>
        private async Task<bool> WarmUpAsync(MllpClient client, RepeatBuffer buffer, int count, CancellationToken cancellationToken)
        {
            for (int i = 0; i < count; i++)
            {
                buffer.SetCounter(i);
                string failure;
                try
                {
                    var result = await client.SendAsync(buffer.Bytes, cancellationToken);
                    if (result.IsAccepted)
                    {
                        continue;
                    }

                    failure = $"{result.Status} {result.AckCode} {result.ProtocolErrorReason}".TrimEnd();
                }
                catch (Exception exception) when (exception is MllpException or OperationCanceledException)
                {
                    failure = exception.Message;
                }

                error.WriteLine($"hl7mllp send: warm-up message {i + 1} of {count} was not accepted: {failure}");
                return false;
            }

            return true;
        }

        /// <summary>Sends one message and prints its outcome; false when the run must stop (no connection, canceled).</summary>
        private async Task<bool> SendOneAsync(MllpClient client, SourceMessage source, byte[] bytes, CancellationToken cancellationToken)
        {
            long start = Stopwatch.GetTimestamp();
            MllpSendResult? result = null;
            string? failure = null;
            bool keepGoing = true;
            try
            {
                result = await client.SendAsync(bytes, cancellationToken);
            }
            catch (ArgumentException exception)
            {
                failure = exception.Message;
            }
            catch (MllpAckTimeoutException exception)
            {
                failure = exception.Message;
            }
            catch (MllpConnectionException exception)
            {
                failure = exception.Message;
                keepGoing = exception.Attempt is null;
            }
            catch (OperationCanceledException)
            {
                failure = "canceled";
                keepGoing = false;
            }

            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            _sent++;
            switch (result?.Status)
            {
                case MllpSendStatus.Accepted:
                    _accepted++;
                    break;
                case MllpSendStatus.Rejected or MllpSendStatus.ApplicationError:
                    _rejected++;
                    break;
                default:
                    _errors++;
                    break;
            }

            if (!settings.Quiet)
            {
                if (settings.Json)
                {
                    WriteJson(source, bytes, result, failure, ms);
                }
                else
                {
                    WriteText(bytes, result, failure, ms);
                }
            }

            if (!keepGoing)
            {
                error.WriteLine($"hl7mllp send: stopping: {failure}");
            }

            return keepGoing;
        }

        private void WriteText(byte[] bytes, MllpSendResult? result, string? failure, double ms)
        {
            // Built in a reused char buffer: this runs once per message in load runs.
            var line = _line.AsSpan();
            int length = 0;
            if (RepeatBuffer.TryFindControlId(bytes, out int start, out int end))
            {
                for (int i = start; i < end && length < 64; i++)
                {
                    line[length++] = (char)bytes[i];
                }
            }

            line[length++] = '\t';
            string status = result?.Status.ToString() ?? "Error";
            status.CopyTo(line[length..]);
            length += status.Length;
            line[length++] = '\t';
            string code = result?.AckCode ?? "-";
            code.AsSpan(0, Math.Min(code.Length, 8)).CopyTo(line[length..]);
            length += Math.Min(code.Length, 8);
            line[length++] = '\t';
            ms.TryFormat(line[length..], out int written, "0.000", CultureInfo.InvariantCulture);
            length += written;
            " ms".CopyTo(line[length..]);
            length += 3;
            output.Write(line[..length]);
            if (failure is not null || result?.ProtocolErrorReason is not null)
            {
                output.Write('\t');
                output.Write(failure ?? result!.ProtocolErrorReason);
            }

            output.WriteLine();
        }

        private void WriteJson(SourceMessage source, byte[] bytes, MllpSendResult? result, string? failure, double ms)
        {
            using var stream = new MemoryStream();
            using (var json = new Utf8JsonWriter(stream, JsonOptions))
            {
                json.WriteStartObject();
                json.WriteString("file", source.File);
                json.WriteNumber("index", source.Index);
                json.WriteString("controlId", RepeatBuffer.TryFindControlId(bytes, out int start, out int end) ? System.Text.Encoding.ASCII.GetString(bytes, start, end - start) : string.Empty);
                json.WriteString("status", result?.Status.ToString() ?? "Error");
                json.WriteString("ackCode", result?.AckCode);
                json.WriteString("ackText", result?.AckText);
                json.WriteNumber("roundTripMs", Math.Round(ms, 3));
                json.WriteString("error", failure ?? result?.ProtocolErrorReason);
                json.WriteEndObject();
            }

            output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length));
        }

        private void WriteProgress(long total, TimeSpan elapsed)
        {
            double rate = _sent / Math.Max(elapsed.TotalSeconds, 1e-9);
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hl7mllp send: {_sent}/{total} messages, {rate:0} msg/s, {_accepted} accepted, {_rejected} rejected, {_errors} errors"));
        }

        private void WriteSummary(long total, TimeSpan elapsed)
        {
            double rate = _sent / Math.Max(elapsed.TotalSeconds, 1e-9);
            if (settings.Json)
            {
                using var stream = new MemoryStream();
                using (var json = new Utf8JsonWriter(stream, JsonOptions))
                {
                    json.WriteStartObject();
                    json.WriteStartObject("summary");
                    json.WriteNumber("messages", total);
                    json.WriteNumber("sent", _sent);
                    json.WriteNumber("accepted", _accepted);
                    json.WriteNumber("rejected", _rejected);
                    json.WriteNumber("errors", _errors);
                    json.WriteNumber("seconds", Math.Round(elapsed.TotalSeconds, 3));
                    json.WriteNumber("messagesPerSecond", Math.Round(rate, 1));
                    json.WriteEndObject();
                    json.WriteEndObject();
                }

                output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length));
                return;
            }

            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"messages={total} sent={_sent} accepted={_accepted} rejected={_rejected} errors={_errors} seconds={elapsed.TotalSeconds:0.000} rate={rate:0.0}/s"));
        }
    }
}
