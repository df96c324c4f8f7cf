using System.Buffers;
using System.Text;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Acks;

/// <summary>
/// Writes the ACK for a received message: MSH (the received one with sender and receiver swapped, or the configured
/// template), MSA and one ERR per error, segments ended by CR, no MLLP framing. Writes bytes straight into the
/// caller's <see cref="IBufferWriter{T}"/>: no intermediate strings, no allocation on the success path.
/// </summary>
/// <remarks>
/// The constructor checks the options once and does no I/O. An instance is immutable and thread-safe: share one per
/// listener. MSH-7 comes from the injected <see cref="TimeProvider"/> (local time), MSH-10 from the
/// <see cref="IAckControlIdGenerator"/> (default <see cref="TimeBasedAckControlIdGenerator.Shared"/>). The ACK uses the
/// received message's delimiters and text encoding. What is copied from the received MSH is listed in <c>docs/acks.md</c>.
/// </remarks>
public sealed class AckBuilder
{
    private const byte Cr = (byte)'\r';

    /// <summary>How long a looked-up UTC offset is reused: time zone transitions fall on quarter hours of UTC.</summary>
    private const long OffsetBucketTicks = TimeSpan.TicksPerMinute * 15;

    private readonly TimeProvider _timeProvider;
    private readonly IAckControlIdGenerator _controlIds;
    private readonly bool _includeTimeZone;
    private readonly bool? _writeMsaText;
    private readonly bool _writeErr;
    private readonly AckErrTemplate? _errTemplate;
    private readonly AckMshTemplate? _mshTemplate;

    /// <summary>The quarter hour of the last offset lookup (high bits) and the offset in minutes + 2048 (low 12 bits).</summary>
    private long _offsetCache = long.MinValue;

    /// <summary>Creates a builder.</summary>
    /// <param name="options">The templates and switches; <see langword="null"/> for the defaults. Read once: later changes have no effect.</param>
    /// <param name="timeProvider">The clock for MSH-7; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="controlIdGenerator">Makes MSH-10; <see langword="null"/> for <see cref="TimeBasedAckControlIdGenerator.Shared"/>.</param>
    /// <exception cref="ArgumentException">A template is invalid; the message lists every problem.</exception>
    public AckBuilder(AckBuilderOptions? options = null, TimeProvider? timeProvider = null, IAckControlIdGenerator? controlIdGenerator = null)
    {
        options ??= new AckBuilderOptions();
        var problems = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.MshTemplate))
        {
            _mshTemplate = AckMshTemplate.TryCompile(options.MshTemplate, out string? problem);
            if (problem is not null)
            {
                problems.Add(problem);
            }
        }

        _writeErr = options.ErrTemplate is null || !string.IsNullOrWhiteSpace(options.ErrTemplate);
        if (options.ErrTemplate is not null && _writeErr)
        {
            string? problem = AckErrTemplate.Check(options.ErrTemplate);
            if (problem is null)
            {
                _errTemplate = AckErrTemplate.Compile(options.ErrTemplate);
            }
            else
            {
                problems.Add(problem);
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid ACK builder options: {string.Join(" ", problems)}", nameof(options));
        }

        _includeTimeZone = options.IncludeTimeZone;
        _writeMsaText = options.WriteMsaText;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _controlIds = controlIdGenerator ?? TimeBasedAckControlIdGenerator.Shared;
    }

    /// <summary>Writes the ACK for a parsed message.</summary>
    /// <param name="received">The received message.</param>
    /// <param name="code">MSA-1; see <see cref="AckPolicy.Decide"/> and <see cref="AckMode.Decide"/>.</param>
    /// <param name="errors">The errors to report, one ERR each (or one ERR-1 repetition each); may be empty.</param>
    /// <param name="output">Where the ACK bytes are written.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="errors"/> or <paramref name="output"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> is not a defined value.</exception>
    /// <exception cref="InvalidOperationException">The control ID generator wrote an invalid control ID.</exception>
    public int Build(in Hl7Message received, AckCode code, IReadOnlyList<Hl7Error> errors, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(output);
        ThrowIfUndefined(code);
        return received.Bytes.IsEmpty
            ? Write(default, Hl7Delimiters.Default, Encoding.UTF8, code, errors, output)
            : Write(received.Header.Bytes.Span, received.Delimiters, received.Encoding, code, errors, output);
    }

    /// <summary>Writes an ACK without errors (typically <c>AA</c> or <c>CA</c>) for a parsed message.</summary>
    /// <param name="received">The received message.</param>
    /// <param name="code">MSA-1.</param>
    /// <param name="output">Where the ACK bytes are written.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> is not a defined value.</exception>
    /// <exception cref="InvalidOperationException">The control ID generator wrote an invalid control ID.</exception>
    public int Build(in Hl7Message received, AckCode code, IBufferWriter<byte> output) => Build(received, code, [], output);

    /// <summary>
    /// Writes the ACK for bytes that may not parse, from whatever of their MSH can be salvaged: the first <c>MSH</c>
    /// with a valid field separator gives the delimiters (the standard encoding characters when MSH-2 is broken) and
    /// the fields up to the end of its line; without one, the ACK has the default delimiters <c>|^~\&amp;</c>, an empty
    /// header and an empty MSA-2.
    /// </summary>
    /// <param name="received">The received bytes (an MLLP frame's payload).</param>
    /// <param name="code">MSA-1.</param>
    /// <param name="errors">The errors to report; may be empty.</param>
    /// <param name="output">Where the ACK bytes are written.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="errors"/> or <paramref name="output"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> is not a defined value.</exception>
    /// <exception cref="InvalidOperationException">The control ID generator wrote an invalid control ID.</exception>
    public int Build(ReadOnlySpan<byte> received, AckCode code, IReadOnlyList<Hl7Error> errors, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(output);
        ThrowIfUndefined(code);
        ReadOnlySpan<byte> header = Salvage(received, out Hl7Delimiters delimiters);
        return Write(header, delimiters, Encoding.UTF8, code, errors, output);
    }

    /// <summary>
    /// Writes the NAK for bytes that could not be parsed: one error from <paramref name="error"/> (its 0357 code and
    /// reason, no location), MSA-1 by <see cref="AckPolicy"/> (<c>AE</c> for 1xx, <c>AR</c> for 2xx; <c>CE</c>/<c>CR</c>
    /// when the salvaged MSH-15/16 ask for enhanced mode), and the header salvaged as
    /// <see cref="Build(ReadOnlySpan{byte}, AckCode, IReadOnlyList{Hl7Error}, IBufferWriter{byte})"/> describes.
    /// Always writes, like every <c>Build</c>: whether to send it is the caller's decision (the receive pipeline sends
    /// none when the salvaged MSH-15 asks for no accept ACK on failure, <c>NE</c> or <c>SU</c>; see
    /// <see cref="AckMode.IsAcceptAckDue"/>).
    /// </summary>
    /// <param name="received">The received bytes.</param>
    /// <param name="error">Why they could not be parsed (from <see cref="Hl7Message.TryParse"/>).</param>
    /// <param name="output">Where the NAK bytes are written.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The control ID generator wrote an invalid control ID.</exception>
    public int Build(ReadOnlySpan<byte> received, Hl7ParseError error, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        TryBuildNak(received, Hl7Error.FromParseError(error), output, honourNoAcceptAck: false, out int written);
        return written;
    }

    /// <summary>
    /// Writes the NAK for a message the receiver cannot take as a whole (unparsable, or too large to read): the header
    /// salvaged from <paramref name="received"/>, one error, and MSA-1 by <see cref="AckPolicy"/> from the error's code
    /// and the salvaged MSH-15/16 (enhanced mode gives <c>CE</c>/<c>CR</c>).
    /// </summary>
    /// <param name="received">The received bytes, or the part of them that was kept.</param>
    /// <param name="error">The one error to report.</param>
    /// <param name="output">Where the NAK bytes are written.</param>
    /// <param name="honourNoAcceptAck">Write nothing when enhanced mode's MSH-15 asks for no accept ACK on failure (<c>NE</c>, <c>SU</c>).</param>
    /// <param name="written">The number of bytes written.</param>
    /// <returns>
    /// MSA-1 of the NAK, or <see langword="null"/> when nothing was written, which happens only when
    /// <paramref name="honourNoAcceptAck"/> is set and the header asks for enhanced mode (the NAK not sent is then
    /// <c>CE</c> or <c>CR</c>). The receive pipeline (unparsable messages) and the oversize-frame answer both call this
    /// with <paramref name="honourNoAcceptAck"/> set, so the two decide alike.
    /// </returns>
    internal AckCode? TryBuildNak(ReadOnlySpan<byte> received, Hl7Error error, IBufferWriter<byte> output, bool honourNoAcceptAck, out int written)
    {
        ReadOnlySpan<byte> header = Salvage(received, out Hl7Delimiters delimiters);
        Span<Range> bounds = stackalloc Range[AckHeaderFields.BufferLength];
        AckHeaderFields fields = AckHeaderFields.Split(header, delimiters.FieldByte, bounds);
        AckMode mode = AckMode.FromFields(fields[15], fields[16], delimiters.ComponentByte);
        if (honourNoAcceptAck && mode.IsEnhanced && !mode.IsAcceptAckDue(success: false))
        {
            written = 0;
            return null;
        }

        AckCode code = AckPolicy.ForError(error.Code, mode.IsEnhanced);
        written = Write(header, delimiters, Encoding.UTF8, code, [error], output);
        return code;
    }

    private static void ThrowIfUndefined(AckCode code)
    {
        if (code is < AckCode.AA or > AckCode.CR)
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "Not an HL7 table 0008 acknowledgment code.");
        }
    }

    /// <summary>Finds the first <c>MSH</c> with a usable field separator and returns its line; sets the delimiters to use.</summary>
    private static ReadOnlySpan<byte> Salvage(ReadOnlySpan<byte> received, out Hl7Delimiters delimiters)
    {
        delimiters = Hl7Delimiters.Default;
        int at = received.IndexOf("MSH"u8);
        if (at < 0)
        {
            return default;
        }

        ReadOnlySpan<byte> line = received[at..];
        int end = line.IndexOfAny(Cr, (byte)'\n');
        line = end < 0 ? line : line[..end];
        if (line.Length < 4 || !Hl7Delimiters.IsDelimiter(line[3]))
        {
            return default;
        }

        byte field = line[3];
        ReadOnlySpan<byte> encoding = line[4..];
        int encodingEnd = encoding.IndexOf(field);
        encoding = encodingEnd < 0 ? encoding : encoding[..encodingEnd];
        if (IsValidEncoding(encoding, field))
        {
            delimiters = new Hl7Delimiters(field, encoding[0], encoding[1], encoding[2], encoding[3], encoding.Length == 5 ? encoding[4] : (byte)0);
            return line;
        }

        // MSH-2 is broken: assume the standard encoding characters, unless the field separator is one of them.
        if (@"^~\&"u8.Contains(field))
        {
            return default;
        }

        delimiters = new Hl7Delimiters(field, (byte)'^', (byte)'~', (byte)'\\', (byte)'&', 0);
        return line;
    }

    private static bool IsValidEncoding(ReadOnlySpan<byte> encoding, byte field)
    {
        if (encoding.Length is < 4 or > 5)
        {
            return false;
        }

        for (int i = 0; i < encoding.Length; i++)
        {
            if (!Hl7Delimiters.IsDelimiter(encoding[i]) || encoding[i] == field || encoding[..i].Contains(encoding[i]))
            {
                return false;
            }
        }

        return true;
    }

    private int Write(ReadOnlySpan<byte> header, Hl7Delimiters d, Encoding encoding, AckCode code, IReadOnlyList<Hl7Error> errors, IBufferWriter<byte> output)
    {
        Span<Range> bounds = stackalloc Range[AckHeaderFields.BufferLength];
        AckHeaderFields received = AckHeaderFields.Split(header, d.FieldByte, bounds);
        bool v25 = AckHeaderFields.IsV25OrLater(AckHeaderFields.Component(received[12], d, 1));
        ReadOnlySpan<byte> trigger = AckHeaderFields.Component(received[9], d, 2);

        var writer = new AckWriter(output);
        writer.Write("MSH"u8);
        writer.WriteDelimiters(d);
        if (_mshTemplate is null)
        {
            WriteSwappedHeader(ref writer, received, d, v25, trigger);
        }
        else
        {
            WriteTemplateHeader(ref writer, received, d, trigger);
        }

        writer.Write(Cr);
        WriteMsa(ref writer, received[10], d, encoding, code, errors, _writeMsaText ?? !v25);
        if (_writeErr && errors.Count > 0)
        {
            WriteErr(ref writer, _errTemplate ?? (v25 ? AckErrTemplate.V25 : AckErrTemplate.V23), d, encoding, errors);
        }

        writer.Flush();
        return writer.Written;
    }

    /// <summary>The received MSH with sender and receiver swapped, new MSH-7/9/10, message-specific fields cleared, trailing empty fields dropped.</summary>
    private void WriteSwappedHeader(ref AckWriter writer, scoped AckHeaderFields received, Hl7Delimiters d, bool v25, scoped ReadOnlySpan<byte> trigger)
    {
        int pending = 0;
        for (int field = 3; field <= AckHeaderFields.MaxField; field++)
        {
            pending++;
            switch (field)
            {
                case 7:
                    writer.Write(d.FieldByte, pending);
                    WriteTimestamp(ref writer);
                    break;
                case 9:
                    writer.Write(d.FieldByte, pending);
                    WriteMessageType(ref writer, "ACK"u8, trigger, v25 ? "ACK"u8 : default, d, Hl7Delimiters.Default);
                    break;
                case 10:
                    writer.Write(d.FieldByte, pending);
                    WriteControlId(ref writer, d);
                    break;
                default:
                    ReadOnlySpan<byte> value = received[SourceField(field)];
                    if (value.IsEmpty)
                    {
                        continue;
                    }

                    writer.Write(d.FieldByte, pending);
                    writer.Write(value);
                    break;
            }

            pending = 0;
        }
    }

    /// <summary>Which received field a default ACK header field copies; 0 for none (cleared).</summary>
    private static int SourceField(int field) => field switch
    {
        3 => 5, // sending application <- receiving application
        4 => 6,
        5 => 3,
        6 => 4,
        11 or 12 or 17 or 18 or 19 or 20 => field, // processing ID, version, country, character set, language, alternate character set handling
        22 => 23, // responsible organizations (v2.7)
        23 => 22,
        24 => 25, // network addresses (v2.7)
        25 => 24,
        _ => 0, // security, sequence number, continuation pointer, accept/application ACK type, profile: message-specific
    };

    /// <summary>The configured MSH with MSH-7, MSH-10 and MSH-9.2 filled; an empty MSH-11 or MSH-12 copied from the received message.</summary>
    private void WriteTemplateHeader(ref AckWriter writer, scoped AckHeaderFields received, Hl7Delimiters d, scoped ReadOnlySpan<byte> trigger)
    {
        AckMshTemplate template = _mshTemplate!;
        Hl7Delimiters from = template.Delimiters;
        AckHeaderFields fields = template.Fields;
        int last = Math.Max(template.FieldCount, 12);
        int pending = 0;
        for (int field = 3; field <= last; field++)
        {
            pending++;
            ReadOnlySpan<byte> value = fields[field];
            if (field == 7)
            {
                writer.Write(d.FieldByte, pending);
                WriteTimestamp(ref writer);
            }
            else if (field == 10)
            {
                writer.Write(d.FieldByte, pending);
                WriteControlId(ref writer, d);
            }
            else if (field == 9)
            {
                writer.Write(d.FieldByte, pending);
                ReadOnlySpan<byte> type = AckHeaderFields.Component(value, from, 1);
                int restStart = type.Length + 1;
                restStart += value.Length > restStart ? AckHeaderFields.Component(value, from, 2).Length + 1 : 0;
                ReadOnlySpan<byte> rest = value.Length > restStart ? value[restStart..] : default;
                WriteMessageType(ref writer, type.IsEmpty ? "ACK"u8 : type, trigger, rest, d, from);
            }
            else if (value.IsEmpty && field is 11 or 12 && !received[field].IsEmpty)
            {
                writer.Write(d.FieldByte, pending);
                writer.Write(received[field]);
            }
            else if (!value.IsEmpty)
            {
                writer.Write(d.FieldByte, pending);
                writer.WriteTranslated(value, from, d);
            }
            else
            {
                continue;
            }

            pending = 0;
        }
    }

    /// <summary>Writes <c>type^trigger</c> and then <c>^rest</c> when there is a rest (components 3 and on, in <paramref name="from"/> delimiters).</summary>
    private static void WriteMessageType(ref AckWriter writer, scoped ReadOnlySpan<byte> type, scoped ReadOnlySpan<byte> trigger, scoped ReadOnlySpan<byte> rest, Hl7Delimiters d, Hl7Delimiters from)
    {
        writer.WriteTranslated(type, from, d);
        if (!trigger.IsEmpty || !rest.IsEmpty)
        {
            writer.Write(d.ComponentByte);
            writer.Write(trigger);
        }

        if (!rest.IsEmpty)
        {
            writer.Write(d.ComponentByte);
            writer.WriteTranslated(rest, from, d);
        }
    }

    /// <summary>Writes MSH-7: local time <c>yyyyMMddHHmmss</c>, then <c>+hhmm</c>/<c>-hhmm</c> when the time zone is on.</summary>
    private void WriteTimestamp(ref AckWriter writer)
    {
        DateTimeOffset now = LocalNow();
        Span<byte> text = stackalloc byte[19];
        WriteDigits(text, now.Year, 4);
        WriteDigits(text[4..], now.Month, 2);
        WriteDigits(text[6..], now.Day, 2);
        WriteDigits(text[8..], now.Hour, 2);
        WriteDigits(text[10..], now.Minute, 2);
        WriteDigits(text[12..], now.Second, 2);
        int length = 14;
        if (_includeTimeZone)
        {
            int minutes = (int)Math.Round(now.Offset.TotalMinutes);
            text[14] = minutes < 0 ? (byte)'-' : (byte)'+';
            minutes = Math.Abs(minutes);
            WriteDigits(text[15..], minutes / 60, 2);
            WriteDigits(text[17..], minutes % 60, 2);
            length = 19;
        }

        writer.Write(text[..length]);
    }

    /// <summary>The local time, with the time zone looked up at most once per quarter hour (the lookup is slow on Linux).</summary>
    private DateTimeOffset LocalNow()
    {
        DateTimeOffset utc = _timeProvider.GetUtcNow();
        long bucket = utc.UtcTicks / OffsetBucketTicks;
        long cache = Volatile.Read(ref _offsetCache);
        int minutes;
        if (cache >> 12 == bucket)
        {
            minutes = (int)(cache & 0xFFF) - 2048;
        }
        else
        {
            minutes = (int)Math.Round(_timeProvider.LocalTimeZone.GetUtcOffset(utc).TotalMinutes);
            Volatile.Write(ref _offsetCache, (bucket << 12) | (long)(minutes + 2048));
        }

        return utc.ToOffset(TimeSpan.FromMinutes(minutes));
    }

    private static void WriteDigits(Span<byte> destination, int value, int count)
    {
        for (int i = count - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    private void WriteControlId(ref AckWriter writer, Hl7Delimiters d)
    {
        Span<byte> id = stackalloc byte[IAckControlIdGenerator.MaxLength];
        int length = _controlIds.WriteNext(id);
        if (length is < 1 or > IAckControlIdGenerator.MaxLength)
        {
            throw new InvalidOperationException($"The control ID generator wrote {length} bytes; 1 to {IAckControlIdGenerator.MaxLength} are allowed.");
        }

        foreach (byte b in id[..length])
        {
            if (b is <= 0x20 or >= 0x7F || d.IsDelimiterByte(b))
            {
                throw new InvalidOperationException("The control ID generator wrote a character that is not printable ASCII or is a delimiter.");
            }
        }

        writer.Write(id[..length]);
    }

    private static void WriteMsa(ref AckWriter writer, scoped ReadOnlySpan<byte> controlId, Hl7Delimiters d, Encoding encoding, AckCode code, IReadOnlyList<Hl7Error> errors, bool writeText)
    {
        writer.Write("MSA"u8);
        writer.Write(d.FieldByte);
        Span<byte> codeBytes = stackalloc byte[2];
        code.Write(codeBytes);
        writer.Write(codeBytes);
        writer.Write(d.FieldByte);
        writer.Write(controlId);
        if (writeText && errors.Count > 0 && errors[0].Text.Length > 0)
        {
            writer.Write(d.FieldByte);
            writer.WriteEscaped(errors[0].Text, d, encoding);
        }

        writer.Write(Cr);
    }

    private static void WriteErr(ref AckWriter writer, AckErrTemplate template, Hl7Delimiters d, Encoding encoding, IReadOnlyList<Hl7Error> errors)
    {
        if (template.RepeatsFirstField)
        {
            writer.Write("ERR"u8);
            writer.Write(d.FieldByte);
            for (int i = 0; i < errors.Count; i++)
            {
                if (i > 0)
                {
                    writer.Write(d.RepetitionByte);
                }

                template.WriteBody(ref writer, errors[i], d, encoding);
            }

            writer.Write(Cr);
            return;
        }

        for (int i = 0; i < errors.Count; i++)
        {
            writer.Write("ERR"u8);
            writer.Write(d.FieldByte);
            template.WriteBody(ref writer, errors[i], d, encoding);
            writer.Write(Cr);
        }
    }
}
