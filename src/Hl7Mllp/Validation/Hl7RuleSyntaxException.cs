namespace Hl7Mllp.Validation;

/// <summary>A rule expression or rule file could not be read. The message names the rule and the 1-based column.</summary>
/// <remarks>Thrown while configuring, never while a message is evaluated.</remarks>
public sealed class Hl7RuleSyntaxException : MllpException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="ruleName">The name of the rule whose expression is wrong.</param>
    /// <param name="column">The 1-based column in the expression where the problem was found; 0 when not in an expression.</param>
    /// <param name="reason">What is wrong, e.g. <c>expected ')'</c>.</param>
    public Hl7RuleSyntaxException(string ruleName, int column, string reason)
        : base(column > 0
            ? $"Rule '{ruleName}': {reason} at column {column}."
            : $"Rule '{ruleName}': {reason}.")
    {
        RuleName = ruleName;
        Column = column;
        Reason = reason;
    }

    /// <summary>The name of the rule.</summary>
    public string RuleName { get; }

    /// <summary>The 1-based column of the problem in the expression; 0 when it is not in the expression.</summary>
    public int Column { get; }

    /// <summary>What is wrong, without the rule name and column.</summary>
    public string Reason { get; }
}
