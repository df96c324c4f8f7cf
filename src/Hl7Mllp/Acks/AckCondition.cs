using System.Globalization;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Acks;

/// <summary>
/// Interprets the ACK received for a sent message (the send side's "Ack/Nack Error Condition"): MSA-2 must equal the
/// sent MSH-10, MSA-1 is matched against the configured success and error codes, and MSA-3 and every ERR are read.
/// </summary>
/// <remarks>
/// Never throws on bad input: an empty answer, bytes that are not HL7, an answer without MSA or with an empty MSA-1,
/// and a late or foreign ACK (MSA-2 ≠ MSH-10) all give <see cref="MllpSendStatus.ProtocolError"/>. A code that is neither
/// a success nor an error code gives <see cref="MllpSendStatus.ApplicationError"/> with the code kept. Immutable and
/// thread-safe.
/// </remarks>
public sealed class AckCondition
{
    private static readonly Hl7Key Msa1 = Hl7Key.Create("MSA", 1);
    private static readonly Hl7Key Msa2 = Hl7Key.Create("MSA", 2);
    private static readonly Hl7Key Msa3 = Hl7Key.Create("MSA", 3);

    private readonly HashSet<string> _success;
    private readonly HashSet<string> _errors;

    /// <summary>Creates an ACK condition.</summary>
    /// <param name="options">The success and error codes; <see langword="null"/> for the defaults. Read once.</param>
    /// <exception cref="ArgumentException">A code is empty or has spaces inside, no success code is left, or a code is both a success and an error code; the message lists every problem.</exception>
    public AckCondition(AckConditionOptions? options = null)
    {
        options ??= new AckConditionOptions();
        var problems = new List<string>();
        _success = ReadCodes((IEnumerable<string>?)options.SuccessCodes ?? AckConditionOptions.DefaultSuccessCodes, nameof(options.SuccessCodes), problems);
        _errors = ReadCodes((IEnumerable<string>?)options.ErrorCodes ?? AckConditionOptions.DefaultErrorCodes, nameof(options.ErrorCodes), problems);
        if (_success.Count == 0)
        {
            problems.Add("SuccessCodes must name at least one code.");
        }

        foreach (string code in _success)
        {
            if (_errors.Contains(code))
            {
                problems.Add($"{code} is both a success and an error code.");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid ACK condition options: {string.Join(" ", problems)}", nameof(options));
        }
    }

    /// <summary>Interprets the answer to a sent message.</summary>
    /// <param name="sentControlId">MSH-10 of the sent message (unescaped).</param>
    /// <param name="ack">The answer's bytes (an MLLP frame's payload); copied, so the frame buffer may be reused.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sentControlId"/> is <see langword="null"/>.</exception>
    public MllpSendResult Evaluate(string sentControlId, ReadOnlySpan<byte> ack)
    {
        ArgumentNullException.ThrowIfNull(sentControlId);
        byte[] copy = ack.ToArray();
        if (copy.Length == 0)
        {
            return ProtocolError(sentControlId, copy, default, false, "The ACK is empty.");
        }

        if (!Hl7Message.TryParse(copy, out Hl7Message message, out Hl7ParseError error))
        {
            return ProtocolError(sentControlId, copy, default, false, $"The ACK is not an HL7 message: {error}.");
        }

        if (!message.TryGetSegment("MSA", 1, out _))
        {
            return ProtocolError(sentControlId, copy, message, true, "The answer has no MSA segment; it is not an ACK.");
        }

        string code = message.GetValue(Msa1).Trim();
        string controlId = message.GetValue(Msa2);
        string text = message.GetValue(Msa3);
        IReadOnlyList<Hl7Error> errors = ReadErrors(message);
        MllpSendStatus status;
        string? reason = null;
        if (code.Length == 0)
        {
            status = MllpSendStatus.ProtocolError;
            reason = "MSA-1 (acknowledgment code) is empty.";
        }
        else if (!string.Equals(controlId, sentControlId, StringComparison.Ordinal))
        {
            status = MllpSendStatus.ProtocolError;
            reason = $"MSA-2 '{controlId}' does not match the sent control ID '{sentControlId}' (a late or foreign ACK).";
        }
        else if (_success.Contains(code))
        {
            status = MllpSendStatus.Accepted;
        }
        else
        {
            status = _errors.Contains(code) && (code.Equals("AR", StringComparison.OrdinalIgnoreCase) || code.Equals("CR", StringComparison.OrdinalIgnoreCase))
                ? MllpSendStatus.Rejected
                : MllpSendStatus.ApplicationError;
        }

        return new MllpSendResult(status, sentControlId, copy, message, true, code, text, errors, reason, null);
    }

    private static MllpSendResult ProtocolError(string sentControlId, byte[] copy, in Hl7Message message, bool parsed, string reason) =>
        new(MllpSendStatus.ProtocolError, sentControlId, copy, message, parsed, string.Empty, string.Empty, [], reason, null);

    private static HashSet<string> ReadCodes(IEnumerable<string> codes, string name, List<string> problems)
    {
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string? code in codes)
        {
            string trimmed = code?.Trim() ?? string.Empty;
            if (trimmed.Length == 0 || trimmed.Any(char.IsWhiteSpace))
            {
                problems.Add($"{name} has an empty code or one with spaces inside.");
                continue;
            }

            set.Add(trimmed);
        }

        return set;
    }

    /// <summary>Reads each v2.5+ ERR (ERR-2 location, ERR-3 code, ERR-4 severity, ERR-8/ERR-7/ERR-3.2/ERR-9 text) or each v2.3 ERR-1 repetition.</summary>
    private static Hl7Error[] ReadErrors(in Hl7Message message)
    {
        List<Hl7Error>? errors = null;
        foreach (Hl7Segment segment in message.Segments)
        {
            if (!segment.IsId("ERR"))
            {
                continue;
            }

            errors ??= [];
            Hl7Value location = segment.GetField(2);
            Hl7Value code = segment.GetField(3);
            if (!location.IsEmpty || !code.IsEmpty)
            {
                errors.Add(ReadV25Error(segment, location, code));
                continue;
            }

            foreach (Hl7Value repetition in segment.GetField(1).Repetitions)
            {
                Hl7Value condition = repetition.GetComponent(4);
                errors.Add(new Hl7Error(ReadCode(condition.GetSubcomponent(1)), condition.GetSubcomponent(2).ToString())
                {
                    SegmentId = repetition.GetComponent(1).ToString(),
                    Sequence = ReadIndex(repetition.GetComponent(2)),
                    Field = ReadIndex(repetition.GetComponent(3)),
                });
            }
        }

        return errors is null ? [] : [.. errors];
    }

    private static Hl7Error ReadV25Error(Hl7Segment segment, Hl7Value location, Hl7Value code)
    {
        string text = segment.GetField(8).ToString();
        if (text.Length == 0)
        {
            text = segment.GetField(7).ToString();
        }

        if (text.Length == 0)
        {
            text = code.GetComponent(2).ToString();
        }

        if (text.Length == 0)
        {
            // The seed's example template puts the text one field late, in ERR-9.
            text = segment.GetField(9).ToString();
        }

        Hl7Value place = location.GetRepetition(1);
        return new Hl7Error(ReadCode(code.GetComponent(1)), text)
        {
            Severity = segment.GetField(4).ToString().Trim() switch
            {
                "W" => Hl7Severity.Warning,
                "I" => Hl7Severity.Information,
                "F" => Hl7Severity.Fatal,
                _ => Hl7Severity.Error,
            },
            SegmentId = place.GetComponent(1).ToString(),
            Sequence = ReadIndex(place.GetComponent(2)),
            Field = ReadIndex(place.GetComponent(3)),
            Repetition = ReadIndex(place.GetComponent(4)),
            Component = ReadIndex(place.GetComponent(5)),
            Subcomponent = ReadIndex(place.GetComponent(6)),
        };
    }

    /// <summary>A table 0357 code as a number; a value that is not a number counts as 199 (other HL7 error).</summary>
    private static Hl7ErrorCode ReadCode(Hl7Value value) =>
        int.TryParse(value.ToString().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int code)
            ? (Hl7ErrorCode)code
            : Hl7ErrorCode.OtherError;

    private static int ReadIndex(Hl7Value value) =>
        int.TryParse(value.ToString().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index <= Hl7Key.MaxIndex ? index : 0;
}
