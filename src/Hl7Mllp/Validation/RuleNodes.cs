using System.Globalization;
using System.Text.RegularExpressions;

namespace Hl7Mllp.Validation;

// The compiled form of a rule expression: a tree built once by RuleParser and evaluated for every
// message. Evaluation allocates nothing itself; the only strings are the ones the value source returns.

/// <summary>A condition: evaluates to true or false for one message.</summary>
internal abstract class RuleNode
{
    public abstract bool Evaluate(IHl7ValueSource message);
}

/// <summary>A value: an HL7 key looked up in the message, or a literal.</summary>
internal abstract class RuleOperand
{
    public abstract string GetValue(IHl7ValueSource message);

    /// <summary>Reads the operand as a number when it is one (a key whose value is an NM number, or an unquoted number literal).</summary>
    public abstract bool TryGetNumber(string value, out decimal number);
}

internal sealed class KeyOperand(string key) : RuleOperand
{
    public string Key { get; } = key;

    public override string GetValue(IHl7ValueSource message) => message.GetValue(Key);

    public override bool TryGetNumber(string value, out decimal number) => RuleValues.TryParseNumber(value, out number);
}

internal sealed class LiteralOperand(string value, bool isNumber) : RuleOperand
{
    private readonly decimal _number = isNumber ? decimal.Parse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) : 0m;

    public string Value { get; } = value;

    public override string GetValue(IHl7ValueSource message) => Value;

    public override bool TryGetNumber(string value, out decimal number)
    {
        number = _number;
        return isNumber;
    }
}

internal enum RuleComparison
{
    Equal,
    NotEqual,
    Less,
    Greater,
    LessOrEqual,
    GreaterOrEqual,
}

internal static class RuleValues
{
    /// <summary>Parses an HL7 NM value (optional sign, digits, optional decimal point) without allocating.</summary>
    public static bool TryParseNumber(ReadOnlySpan<char> value, out decimal number)
    {
        number = 0m;
        return DataTypeChecks.IsNumeric(value)
            && decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>Compares two operands: numerically when both are numbers, otherwise ordinally.</summary>
    public static int Compare(RuleOperand left, string leftValue, RuleOperand right, string rightValue)
    {
        return left.TryGetNumber(leftValue, out var l) && right.TryGetNumber(rightValue, out var r)
            ? l.CompareTo(r)
            : string.CompareOrdinal(leftValue, rightValue);
    }
}

internal sealed class CompareNode(RuleOperand left, RuleComparison comparison, RuleOperand right) : RuleNode
{
    public override bool Evaluate(IHl7ValueSource message)
    {
        var order = RuleValues.Compare(left, left.GetValue(message), right, right.GetValue(message));
        return comparison switch
        {
            RuleComparison.Equal => order == 0,
            RuleComparison.NotEqual => order != 0,
            RuleComparison.Less => order < 0,
            RuleComparison.Greater => order > 0,
            RuleComparison.LessOrEqual => order <= 0,
            _ => order >= 0,
        };
    }
}

internal sealed class ContainsNode(RuleOperand left, RuleOperand right, bool startsWith) : RuleNode
{
    public override bool Evaluate(IHl7ValueSource message)
    {
        var value = left.GetValue(message);
        var part = right.GetValue(message);
        return startsWith
            ? value.StartsWith(part, StringComparison.Ordinal)
            : value.Contains(part, StringComparison.Ordinal);
    }
}

/// <summary><c>matches</c>: the pattern is compiled once, when the rule is parsed, with a match timeout.</summary>
internal sealed class MatchesNode(RuleOperand operand, Regex pattern) : RuleNode
{
    public override bool Evaluate(IHl7ValueSource message) => pattern.IsMatch(operand.GetValue(message));
}

internal sealed class InNode(RuleOperand operand, LiteralOperand[] values) : RuleNode
{
    public override bool Evaluate(IHl7ValueSource message)
    {
        var value = operand.GetValue(message);
        foreach (var candidate in values)
        {
            if (RuleValues.Compare(operand, value, candidate, candidate.Value) == 0)
            {
                return true;
            }
        }

        return false;
    }
}

internal sealed class IsEmptyNode(RuleOperand operand) : RuleNode
{
    public override bool Evaluate(IHl7ValueSource message) => operand.GetValue(message).Length == 0;
}

internal sealed class NotNode(RuleNode inner) : RuleNode
{
    public override bool Evaluate(IHl7ValueSource message) => !inner.Evaluate(message);
}

internal sealed class AndNode(RuleNode left, RuleNode right) : RuleNode
{
    public override bool Evaluate(IHl7ValueSource message) => left.Evaluate(message) && right.Evaluate(message);
}

internal sealed class OrNode(RuleNode left, RuleNode right) : RuleNode
{
    public override bool Evaluate(IHl7ValueSource message) => left.Evaluate(message) || right.Evaluate(message);
}

/// <summary>A condition written in code.</summary>
internal sealed class PredicateNode(Func<IHl7ValueSource, bool> predicate) : RuleNode
{
    public override bool Evaluate(IHl7ValueSource message) => predicate(message);
}
