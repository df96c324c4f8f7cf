using Hl7Mllp.Messages;

namespace Hl7Mllp.Validation;

/// <summary>
/// A receive rule: a condition that, when true for a message, rejects it with an HL7 error code and text
/// (the seed's "Rules"). Parse an expression with <see cref="Parse"/>; the language is described in docs/rules.md.
/// </summary>
/// <remarks>
/// A rule is parsed once and is immutable: evaluate it for any number of messages from any number of threads.
/// When <see cref="ErrorText"/> starts with an HL7 key (<c>PID.3 Patient ID is required</c>), the finding's
/// location is that key; otherwise the finding has no location.
/// </remarks>
public sealed class Hl7Rule
{
    /// <summary>The default time a <c>matches</c> regular expression may run per evaluation: 100 ms.</summary>
    public static readonly TimeSpan DefaultMatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly RuleNode _condition;

    private Hl7Rule(string name, string? expression, RuleNode condition, Hl7ErrorCode errorCode, string errorText, Hl7ErrorSeverity severity)
    {
        Name = name;
        Expression = expression;
        _condition = condition;
        ErrorCode = errorCode;
        ErrorText = errorText;
        Severity = severity;
        Location = LocationFromText(errorText);
    }

    /// <summary>The rule's name, used in syntax errors and logs.</summary>
    public string Name { get; }

    /// <summary>The expression the rule was parsed from; <see langword="null"/> for a rule written in code.</summary>
    public string? Expression { get; }

    /// <summary>The HL7 error code (table 0357) a matching message is rejected with.</summary>
    public Hl7ErrorCode ErrorCode { get; }

    /// <summary>The error text sent back in the ERR segment.</summary>
    public string ErrorText { get; }

    /// <summary>The severity of the finding (table 0516). Default <see cref="Hl7ErrorSeverity.Error"/>.</summary>
    public Hl7ErrorSeverity Severity { get; }

    /// <summary>The location taken from the HL7 key that starts <see cref="ErrorText"/>, or <see cref="Hl7Location.None"/>.</summary>
    public Hl7Location Location { get; }

    /// <summary>Parses a rule expression.</summary>
    /// <param name="name">The rule's name, used in error messages and logs.</param>
    /// <param name="expression">The condition, e.g. <c>PID.3.1 is empty or MSH.9.1 not in ('ADT','ORU')</c>.</param>
    /// <param name="errorCode">The HL7 error code a matching message is rejected with; not <see cref="Hl7ErrorCode.MessageAccepted"/>.</param>
    /// <param name="errorText">The error text; when it starts with an HL7 key, the finding is located there.</param>
    /// <param name="severity">The finding's severity. Default <see cref="Hl7ErrorSeverity.Error"/>.</param>
    /// <param name="matchTimeout">How long each <c>matches</c> may run per evaluation. Default <see cref="DefaultMatchTimeout"/> (100 ms).</param>
    /// <returns>The compiled rule.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="errorCode"/> is 0 or not in table 0357, or <paramref name="matchTimeout"/> is not positive.</exception>
    /// <exception cref="Hl7RuleSyntaxException">The expression is malformed; the message names the rule and the 1-based column.</exception>
    public static Hl7Rule Parse(
        string name,
        string expression,
        Hl7ErrorCode errorCode,
        string errorText,
        Hl7ErrorSeverity severity = Hl7ErrorSeverity.Error,
        TimeSpan? matchTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(errorText);
        CheckCode(errorCode);
        var timeout = matchTimeout ?? DefaultMatchTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(matchTimeout));
        return new Hl7Rule(name, expression, RuleParser.Parse(name, expression, timeout), errorCode, errorText, severity);
    }

    /// <summary>Creates a rule from a condition written in code.</summary>
    /// <remarks>Internal until the Messages part lands; it then takes <c>Func&lt;Hl7Message, bool&gt;</c> and becomes public.</remarks>
    internal static Hl7Rule FromPredicate(
        string name,
        Func<IHl7ValueSource, bool> predicate,
        Hl7ErrorCode errorCode,
        string errorText,
        Hl7ErrorSeverity severity = Hl7ErrorSeverity.Error)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentNullException.ThrowIfNull(errorText);
        CheckCode(errorCode);
        return new Hl7Rule(name, expression: null, new PredicateNode(predicate), errorCode, errorText, severity);
    }

    /// <summary>Whether the rule matches (rejects) the message.</summary>
    /// <exception cref="System.Text.RegularExpressions.RegexMatchTimeoutException">A <c>matches</c> ran out of time.</exception>
    internal bool Matches(IHl7ValueSource message) => _condition.Evaluate(message);

    /// <summary>The finding reported when the rule matches.</summary>
    internal ValidationFinding ToFinding() => new(ErrorCode, ErrorText, Location, Severity);

    private static void CheckCode(Hl7ErrorCode errorCode)
    {
        if (errorCode == Hl7ErrorCode.MessageAccepted || !Enum.IsDefined(errorCode))
        {
            throw new ArgumentOutOfRangeException(nameof(errorCode), (int)errorCode, "The error code must be a non-zero HL7 table 0357 code.");
        }
    }

    // "PID.3 Patient ID is required": the first word, when it is an HL7 key, is where the error is.
    private static Hl7Location LocationFromText(string text)
    {
        var span = text.AsSpan().TrimStart();
        var end = span.IndexOfAny(' ', '\t');
        var word = end < 0 ? span : span[..end];
        return Hl7Location.TryParseKey(word.TrimEnd(':'), out var location) ? location : Hl7Location.None;
    }
}
