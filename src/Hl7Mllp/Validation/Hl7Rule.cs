using Hl7Mllp.Messages;

namespace Hl7Mllp.Validation;

/// <summary>
/// A receive rule: a condition that, when true for a message, rejects it with an HL7 error code and text
/// (the seed's "Rules"). Parse an expression with <see cref="Parse"/>; the language is described in docs/rules.md.
/// </summary>
/// <remarks>
/// A rule is parsed once and is immutable: evaluate it for any number of messages from any number of threads.
/// When the error text starts with an HL7 key (<c>PID.3 Patient ID is required</c>), the error's
/// location is that key; otherwise the error has no location.
/// </remarks>
public sealed class Hl7Rule
{
    /// <summary>The default time a <c>matches</c> regular expression may run per evaluation: 100 ms.</summary>
    public static readonly TimeSpan DefaultMatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly RuleNode _condition;

    private Hl7Rule(string name, string? expression, RuleNode condition, Hl7ErrorCode errorCode, string errorText, Hl7Severity severity)
    {
        Name = name;
        Expression = expression;
        _condition = condition;
        Error = ErrorFromText(errorCode, errorText, severity);
    }

    /// <summary>Gets the rule's name, used in syntax errors and logs.</summary>
    public string Name { get; }

    /// <summary>Gets the expression the rule was parsed from; <see langword="null"/> for a rule written in code.</summary>
    public string? Expression { get; }

    /// <summary>
    /// Gets the error a matching message is reported with: code (table 0357), text, severity (table 0516) and, when the
    /// text starts with an HL7 key, the location that key names. The same immutable instance is reported every time.
    /// </summary>
    public Hl7Error Error { get; }

    /// <summary>Parses a rule expression.</summary>
    /// <param name="name">The rule's name, used in error messages and logs.</param>
    /// <param name="expression">The condition, e.g. <c>PID.3.1 is empty or MSH.9.1 not in ('ADT','ORU')</c>.</param>
    /// <param name="errorCode">The HL7 error code a matching message is rejected with; not <see cref="Hl7ErrorCode.MessageAccepted"/>.</param>
    /// <param name="errorText">The error text; when it starts with an HL7 key, the error is located there.</param>
    /// <param name="severity">The error's severity. Default <see cref="Hl7Severity.Error"/>.</param>
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
        Hl7Severity severity = Hl7Severity.Error,
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
    /// <param name="name">The rule's name, used in logs.</param>
    /// <param name="predicate">The condition; <see langword="true"/> rejects the message. It must not throw and should not allocate on a hot path.</param>
    /// <param name="code">The HL7 error code a matching message is rejected with; not <see cref="Hl7ErrorCode.MessageAccepted"/>.</param>
    /// <param name="text">The error text; when it starts with an HL7 key, the error is located there.</param>
    /// <param name="severity">The error's severity. Default <see cref="Hl7Severity.Error"/>.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/>, <paramref name="predicate"/> or <paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> is 0 or not in table 0357.</exception>
    public static Hl7Rule FromPredicate(
        string name,
        Func<Hl7Message, bool> predicate,
        Hl7ErrorCode code,
        string text,
        Hl7Severity severity = Hl7Severity.Error)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentNullException.ThrowIfNull(text);
        CheckCode(code);
        return new Hl7Rule(name, expression: null, new PredicateNode(predicate), code, text, severity);
    }

    /// <summary>Whether the rule matches (rejects) the message.</summary>
    /// <exception cref="System.Text.RegularExpressions.RegexMatchTimeoutException">A <c>matches</c> ran out of time.</exception>
    internal bool Matches(in Hl7Message message) => _condition.Evaluate(message);

    private static void CheckCode(Hl7ErrorCode errorCode)
    {
        if (errorCode == Hl7ErrorCode.MessageAccepted || !Enum.IsDefined(errorCode))
        {
            throw new ArgumentOutOfRangeException(nameof(errorCode), (int)errorCode, "The error code must be a non-zero HL7 table 0357 code.");
        }
    }

    // "PID.3 Patient ID is required": the first word, when it is an HL7 key, is where the error is.
    private static Hl7Error ErrorFromText(Hl7ErrorCode code, string text, Hl7Severity severity)
    {
        var span = text.AsSpan().TrimStart();
        var end = span.IndexOfAny(' ', '\t');
        var word = end < 0 ? span : span[..end];
        return Hl7Key.TryParse(word.TrimEnd(':'), out var key)
            ? Hl7Error.At(key, code, text, severity)
            : new Hl7Error(code, text) { Severity = severity };
    }
}
