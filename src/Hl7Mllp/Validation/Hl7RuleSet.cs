using System.Text.Json;
using System.Text.RegularExpressions;
using Hl7Mllp.Acks;
using Hl7Mllp.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hl7Mllp.Validation;

/// <summary>
/// The rules of one receiver, evaluated in order against every message; every rule that matches gives a finding.
/// Load them from a JSON rules file with <see cref="LoadFile"/> or <see cref="FromJson"/>, or build them in code.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. A rule whose <c>matches</c> runs out of time does not stop the others: it gives a
/// 207 (application internal error) finding, because a receiver cannot tell whether the message broke the rule,
/// and a warning is logged (event <see cref="Diagnostics.Hl7MllpEventIds.RuleMatchTimedOut"/>).
/// <para>Rules file format: a JSON array of <c>{ "name", "when", "code", "text", "severity" }</c>; see docs/rules.md.</para>
/// </remarks>
public sealed class Hl7RuleSet
{
    private readonly Hl7Rule[] _rules;
    private readonly ILogger _logger;

    /// <summary>Creates a rule set.</summary>
    /// <param name="rules">The rules, evaluated in this order.</param>
    /// <param name="loggerFactory">Where to log rule timeouts. Default: no logging.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> or one of its items is <see langword="null"/>.</exception>
    public Hl7RuleSet(IEnumerable<Hl7Rule> rules, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = [.. rules];
        foreach (var rule in _rules)
        {
            ArgumentNullException.ThrowIfNull(rule, nameof(rules));
        }

        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<Hl7RuleSet>();
    }

    /// <summary>The rules, in evaluation order.</summary>
    public IReadOnlyList<Hl7Rule> Rules => _rules;

    /// <summary>Reads a rules file (JSON).</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="loggerFactory">Where to log rule timeouts. Default: no logging.</param>
    /// <returns>The rule set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is <see langword="null"/>.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="Hl7RuleSyntaxException">The file or a rule in it is malformed; the message says which and where.</exception>
    public static Hl7RuleSet LoadFile(string path, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromJson(File.ReadAllText(path), loggerFactory);
    }

    /// <summary>Reads rules from JSON text: an array of <c>{ "name", "when", "code", "text", "severity" }</c>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="loggerFactory">Where to log rule timeouts. Default: no logging.</param>
    /// <returns>The rule set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
    /// <exception cref="Hl7RuleSyntaxException">The JSON or a rule in it is malformed; the message says which and where.</exception>
    public static Hl7RuleSet FromJson(string json, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        RuleJson[]? items;
        try
        {
            items = JsonSerializer.Deserialize(json, ValidationJsonContext.Default.RuleJsonArray);
        }
        catch (JsonException ex)
        {
            throw new Hl7RuleSyntaxException("(rules file)", 0, $"not a JSON array of rules (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: {ex.Message})");
        }

        if (items is null)
        {
            throw new Hl7RuleSyntaxException("(rules file)", 0, "the rules file is null; expected a JSON array of rules");
        }

        var rules = new List<Hl7Rule>(items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            rules.Add(ToRule(items[i], i + 1));
        }

        return new Hl7RuleSet(rules, loggerFactory);
    }

    /// <summary>Evaluates every rule against a message; each rule that matches adds its <see cref="Hl7Rule.Error"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="errors">Receives one error per matching rule, in rule order; an <see cref="AckBuilder"/> writes them as ERR segments.</param>
    /// <returns>The number of errors added.</returns>
    /// <remarks>
    /// Allocates nothing when no rule matches and the values read are plain ASCII of at most 256 characters. A <c>matches</c>
    /// that runs out of time is logged and reported as a 207 (application internal error) at the rule's location.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="errors"/> is <see langword="null"/>.</exception>
    public int Evaluate(in Hl7Message message, ICollection<Hl7Error> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var added = 0;
        foreach (var rule in _rules)
        {
            Hl7Error error;
            try
            {
                if (!rule.Matches(message))
                {
                    continue;
                }

                error = rule.Error;
            }
            catch (RegexMatchTimeoutException ex)
            {
                Log.RuleMatchTimedOut(_logger, rule.Name, ex.MatchTimeout.TotalMilliseconds);
                error = rule.Error with
                {
                    Code = Hl7ErrorCode.ApplicationInternalError,
                    Text = $"Rule '{rule.Name}' could not be evaluated in time",
                    Severity = Hl7Severity.Error,
                };
            }

            errors.Add(error);
            added++;
        }

        return added;
    }

    private static Hl7Rule ToRule(RuleJson? item, int number)
    {
        var name = string.IsNullOrWhiteSpace(item?.Name) ? $"rule {number}" : item.Name;
        if (item is null || string.IsNullOrWhiteSpace(item.When))
        {
            throw new Hl7RuleSyntaxException(name, 0, "the rule has no \"when\" expression");
        }

        if (item.Code is not { } code || code == 0 || !Enum.IsDefined((Hl7ErrorCode)code))
        {
            throw new Hl7RuleSyntaxException(name, 0, "\"code\" must be a non-zero HL7 table 0357 error code (e.g. 101, 207)");
        }

        if (string.IsNullOrEmpty(item.Text))
        {
            throw new Hl7RuleSyntaxException(name, 0, "the rule has no \"text\"");
        }

        var severity = item.Severity?.ToUpperInvariant() switch
        {
            null or "" or "E" => Hl7Severity.Error,
            "W" => Hl7Severity.Warning,
            "I" => Hl7Severity.Information,
            "F" => Hl7Severity.Fatal,
            _ => throw new Hl7RuleSyntaxException(name, 0, "\"severity\" must be E, W, I or F (table 0516)"),
        };
        return Hl7Rule.Parse(name, item.When, (Hl7ErrorCode)code, item.Text, severity);
    }
}
