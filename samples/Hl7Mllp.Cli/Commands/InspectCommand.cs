using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Cli.Commands;

/// <summary>
/// <c>hl7mllp inspect [--json] [--get KEY]... FILE...</c>: prints every message of every file (a batch file yields
/// several). Exit code 0 when every message is valid, 1 when any is not, 2 on usage errors.
/// </summary>
/// <remarks>
/// A message is valid when it parses (<see cref="Hl7Message.TryParse"/>), passes <see cref="Hl7MessageChecks"/>, and
/// its file's batch envelope has no problem (<see cref="Hl7Batch.Problems"/>). In a batch file the first message's
/// <c>segments</c> also counts the envelope segments before it and the last one's those after it, so that a file's
/// counts add up to its segment lines.
/// </remarks>
public static class InspectCommand
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Creates the command.</summary>
    /// <returns>The <c>inspect</c> command.</returns>
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object per message per line." };
        var get = new Option<string[]>("--get")
        {
            Description = "Print the value of an HL7 key (MSH.10, PID.3[2].1, OBX[3].5); repeat for several.",
            Arity = ArgumentArity.OneOrMore,
        };
        var files = new Argument<string[]>("FILE") { Description = "Files holding a message, messages back to back, or a batch.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("inspect", "Parse HL7 v2 files and print what each message is, and whether it is valid.") { json, get, files };
        command.SetAction(result => Run(
            result.GetValue(files) ?? [],
            result.GetValue(get) ?? [],
            result.GetValue(json),
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(string[] files, string[] keyTexts, bool json, TextWriter output, TextWriter error)
    {
        var keys = new Hl7Key[keyTexts.Length];
        for (int i = 0; i < keyTexts.Length; i++)
        {
            if (!Hl7Key.TryParse(keyTexts[i], out keys[i]))
            {
                error.WriteLine($"hl7mllp inspect: '{keyTexts[i]}' is not an HL7 key such as MSH.10, PID.3[2].1 or OBX[3].5.");
                return CliApp.UsageError;
            }
        }

        string? missing = files.FirstOrDefault(f => !File.Exists(f));
        if (missing is not null)
        {
            error.WriteLine($"hl7mllp inspect: no such file '{missing}'.");
            return CliApp.UsageError;
        }

        if (!json)
        {
            WriteTableHeader(output);
        }

        bool allValid = true;
        foreach (string file in files)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(file);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                error.WriteLine($"hl7mllp inspect: cannot read '{file}': {exception.Message}");
                return CliApp.UsageError;
            }

            // One file at a time: the reports hold views over its bytes.
            List<MessageReport> reports = Inspect(file, bytes, keyTexts, keys);
            allValid &= reports.TrueForAll(r => r.Error is null);
            if (json)
            {
                WriteJson(reports, output);
            }
            else
            {
                WriteTable(reports, output);
            }
        }

        return allValid ? 0 : 1;
    }

    private static List<MessageReport> Inspect(string file, byte[] bytes, string[] keyTexts, Hl7Key[] keys)
    {
        Hl7Batch batch = Hl7Batch.Split(bytes);
        var reports = new List<MessageReport>();
        if (batch.Messages.Count == 0)
        {
            Hl7ParseError problem = batch.Problems.Count > 0
                ? batch.Problems[0]
                : new Hl7ParseError(Hl7ErrorCode.SegmentSequenceError, 0, "No message in the file: MSH segment missing at byte 0");
            reports.Add(new MessageReport(file, 0, problem, null, batch.EnvelopeSegmentCount, NoValues(keyTexts)));
            return reports;
        }

        for (int index = 0; index < batch.Messages.Count; index++)
        {
            ReadOnlyMemory<byte> slice = batch.Messages[index];
            int envelope = (index == 0 ? batch.LeadingEnvelopeSegmentCount : 0)
                + (index == batch.Messages.Count - 1 ? batch.EnvelopeSegmentCount - batch.LeadingEnvelopeSegmentCount : 0);
            int sliceOffset = OffsetOf(slice, bytes);
            if (!Hl7Message.TryParse(slice, out Hl7Message message, out Hl7ParseError error))
            {
                reports.Add(new MessageReport(file, index, InFile(error, sliceOffset), null, CountLines(slice.Span) + envelope, NoValues(keyTexts)));
                continue;
            }

            Hl7ParseError? problem = Hl7MessageChecks.TryCheck(message, out Hl7ParseError checkError)
                ? batch.Problems.Count > 0 ? batch.Problems[0] : null
                : InFile(checkError, sliceOffset);
            List<(string Key, string? Value)> values = [.. keyTexts.Select((text, k) => (text, (string?)message.GetValue(keys[k])))];
            reports.Add(new MessageReport(file, index, problem, message, message.SegmentCount + envelope, values));
        }

        return reports;
    }

    private static List<(string Key, string? Value)> NoValues(string[] keyTexts) => [.. keyTexts.Select(k => (k, (string?)null))];

    /// <summary>Where a slice of the file starts, so that error positions are positions in the file.</summary>
    private static int OffsetOf(ReadOnlyMemory<byte> slice, byte[] bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(slice, out ArraySegment<byte> segment) && segment.Array == bytes
            ? segment.Offset
            : 0;

    /// <summary>Re-bases an error found in a slice; the reason's "at byte N" is rewritten with the position.</summary>
    private static Hl7ParseError InFile(Hl7ParseError error, int sliceOffset) => sliceOffset == 0
        ? error
        : new Hl7ParseError(
            error.ErrorCode,
            error.Position + sliceOffset,
            error.Reason.Replace($"at byte {error.Position}", $"at byte {error.Position + sliceOffset}", StringComparison.Ordinal));

    private static int CountLines(ReadOnlySpan<byte> bytes)
    {
        int count = 0;
        foreach (Range range in bytes.SplitAny("\r\n"u8))
        {
            if (bytes[range].IndexOfAnyExcept(" \t"u8) >= 0)
            {
                count++;
            }
        }

        return count;
    }

    private static void WriteJson(List<MessageReport> reports, TextWriter output)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (MessageReport report in reports)
        {
            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("file", report.File);
                writer.WriteNumber("index", report.Index);
                writer.WriteBoolean("valid", report.Error is null);
                WriteNullable(writer, "error", report.Error?.Reason);
                if (report.Error is { } error)
                {
                    writer.WriteNumber("errorCode", (int)error.ErrorCode);
                }
                else
                {
                    writer.WriteNull("errorCode");
                }

                Hl7Message? message = report.Message;
                WriteNullable(writer, "fieldSeparator", message is { } m1 ? Raw(m1, "MSH.1") : null);
                WriteNullable(writer, "encodingCharacters", message is { } m2 ? Raw(m2, "MSH.2") : null);
                WriteNullable(writer, "msh9", message is { } m3 ? Raw(m3, "MSH.9") : null);
                WriteNullable(writer, "controlId", message is { } m4 ? Raw(m4, "MSH.10") : null);
                WriteNullable(writer, "processingId", message is { } m5 ? Raw(m5, "MSH.11") : null);
                WriteNullable(writer, "version", message is { } m6 ? Raw(m6, "MSH.12") : null);
                WriteNullable(writer, "messageType", message?.MessageType);
                WriteNullable(writer, "triggerEvent", message?.TriggerEvent);
                WriteNullable(writer, "charset", message?.CharacterSet);
                writer.WriteNumber("segments", report.Segments);
                writer.WriteStartObject("values");
                foreach ((string key, string? value) in report.Values)
                {
                    WriteNullable(writer, key, value);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }

    private static void WriteTableHeader(TextWriter output) =>
        output.WriteLine($"{"FILE",-40} {"#",3} {"VALID",-5} {"MSH-9",-18} {"MSH-10",-24} {"MSH-12",-7} {"SEGS",5}  DETAILS");

    private static void WriteTable(List<MessageReport> reports, TextWriter output)
    {
        foreach (MessageReport report in reports)
        {
            Hl7Message? message = report.Message;
            string details = report.Error is { } error
                ? $"{(int)error.ErrorCode}: {error.Reason}"
                : string.Join("  ", report.Values.Select(v => $"{v.Key}={v.Value}"));
            output.WriteLine(
                $"{Path.GetFileName(report.File),-40} {report.Index,3} {(report.Error is null ? "yes" : "no"),-5} "
                + $"{(message is { } m1 ? Raw(m1, "MSH.9") : "-"),-18} {(message is { } m2 ? Raw(m2, "MSH.10") : "-"),-24} "
                + $"{(message is { } m3 ? Raw(m3, "MSH.12") : "-"),-7} {report.Segments,5}  {details}");
        }
    }

    private static string Raw(Hl7Message message, string key) =>
        message.Encoding.GetString(message.GetRawValue(Hl7Key.Parse(key)).Span);

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private sealed record MessageReport(
        string File,
        int Index,
        Hl7ParseError? Error,
        Hl7Message? Message,
        int Segments,
        List<(string Key, string? Value)> Values);
}
