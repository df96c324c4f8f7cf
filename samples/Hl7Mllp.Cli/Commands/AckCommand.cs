using System.Buffers;
using System.CommandLine;
using System.Globalization;
using Hl7Mllp.Acks;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Cli.Commands;

/// <summary>
/// <c>hl7mllp ack FILE [--code AA|AE|AR|CA|CE|CR] [--error CODE[:TEXT[:KEY]]]... [--msh-template T] [--err-template T] [--tz] [--raw]</c>:
/// prints the ACK the library would send for each message in FILE (messages back to back and batches are split).
/// Exit code 0, or 2 on usage errors.
/// </summary>
/// <remarks>
/// Without <c>--code</c>, MSA-1 follows <see cref="AckMode.Decide"/>: <c>AA</c> (<c>CA</c> in enhanced mode) without
/// errors, otherwise the first error decides. A message that does not parse gets the NAK
/// <see cref="AckBuilder.Build(ReadOnlySpan{byte}, AckCode, IReadOnlyList{Hl7Error}, IBufferWriter{byte})"/> writes
/// from its salvaged MSH, with its parse error first.
/// </remarks>
public static class AckCommand
{
    /// <summary>Creates the command.</summary>
    /// <returns>The <c>ack</c> command.</returns>
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "A file holding a message, messages back to back, or a batch." };
        var code = new Option<string?>("--code") { Description = "MSA-1: AA, AE, AR, CA, CE or CR (default: decided by the errors and the message's ACK mode)." };
        var errors = new Option<string[]>("--error")
        {
            Description = "An error to report as CODE[:TEXT[:KEY]], e.g. 101:Required field missing:PID.3; repeat for several.",
            Arity = ArgumentArity.OneOrMore,
        };
        var mshTemplate = new Option<string?>("--msh-template") { Description = "The ACK MSH template (default: the received MSH, swapped)." };
        var errTemplate = new Option<string?>("--err-template") { Description = "The ACK ERR template with %code %text %sid %q %f %c %s %r %sev (\"\" for no ERR)." };
        var timeZone = new Option<bool>("--tz") { Description = "Include the local UTC offset in MSH-7." };
        var raw = new Option<bool>("--raw") { Description = "Write the exact ACK bytes, segments ended by CR." };
        var command = new Command("ack", "Print the ACK Hl7Mllp would send for each message in a file.")
        {
            file, code, errors, mshTemplate, errTemplate, timeZone, raw,
        };
        command.SetAction(result => Run(
            result.GetValue(file) ?? string.Empty,
            result.GetValue(code),
            result.GetValue(errors) ?? [],
            new AckBuilderOptions
            {
                MshTemplate = result.GetValue(mshTemplate),
                ErrTemplate = result.GetValue(errTemplate),
                IncludeTimeZone = result.GetValue(timeZone),
            },
            result.GetValue(raw),
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(string file, string? codeText, string[] errorTexts, AckBuilderOptions options, bool raw, TextWriter output, TextWriter error)
    {
        AckCode? code = null;
        if (codeText is not null)
        {
            if (!AckCodeExtensions.TryParse(codeText, out AckCode parsed))
            {
                return Usage(error, $"'{codeText}' is not an acknowledgment code (AA, AE, AR, CA, CE or CR).");
            }

            code = parsed;
        }

        var errors = new List<Hl7Error>();
        foreach (string text in errorTexts)
        {
            if (!TryParseError(text, out Hl7Error? ackError))
            {
                return Usage(error, $"'{text}' is not CODE[:TEXT[:KEY]] with a numeric table 0357 code and a key such as PID.3.");
            }

            errors.Add(ackError);
        }

        AckBuilder builder;
        try
        {
            builder = new AckBuilder(options);
        }
        catch (ArgumentException exception)
        {
            return Usage(error, exception.Message);
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Usage(error, $"cannot read '{file}': {exception.Message}");
        }

        var buffer = new ArrayBufferWriter<byte>();
        bool first = true;
        foreach (ReadOnlyMemory<byte> message in Hl7Batch.Split(bytes).Messages)
        {
            buffer.ResetWrittenCount();
            System.Text.Encoding encoding = System.Text.Encoding.UTF8;
            if (Hl7Message.TryParse(message, out Hl7Message parsed, out Hl7ParseError parseError))
            {
                builder.Build(parsed, code ?? AckMode.Determine(parsed).Decide(errors), errors, buffer);
                encoding = parsed.Encoding;
            }
            else
            {
                List<Hl7Error> all = [Hl7Error.FromParseError(parseError), .. errors];
                builder.Build(message.Span, code ?? AckPolicy.Decide(all), all, buffer);
            }

            string ack = encoding.GetString(buffer.WrittenSpan);
            if (raw)
            {
                output.Write(ack);
                continue;
            }

            if (!first)
            {
                output.WriteLine();
            }

            first = false;
            foreach (string segment in ack.Split('\r', StringSplitOptions.RemoveEmptyEntries))
            {
                output.WriteLine(segment);
            }
        }

        return 0;
    }

    private static int Usage(TextWriter error, string message)
    {
        error.WriteLine($"hl7mllp ack: {message}");
        return CliApp.UsageError;
    }

    /// <summary>Reads <c>CODE[:TEXT[:KEY]]</c>; the part after the last colon is a key only when it parses as one.</summary>
    private static bool TryParseError(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Hl7Error? error)
    {
        error = null;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string codePart = colon < 0 ? text : text[..colon];
        if (!int.TryParse(codePart, NumberStyles.None, CultureInfo.InvariantCulture, out int code))
        {
            return false;
        }

        string message = colon < 0 ? string.Empty : text[(colon + 1)..];
        int last = message.LastIndexOf(':');
        if (last >= 0 && Hl7Key.TryParse(message.AsSpan(last + 1), out Hl7Key key))
        {
            error = Hl7Error.At(key, (Hl7ErrorCode)code, message[..last]);
            return true;
        }

        error = new Hl7Error((Hl7ErrorCode)code, message);
        return true;
    }
}
