using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Validation;

// The compiled form of a rule expression: a tree built once by RuleParser (keys parsed once) and evaluated
// for every message. Values are read as views and decoded into stack buffers, so evaluation allocates
// nothing unless a value holds escape sequences, is not ASCII, or is longer than the buffer.

/// <summary>A condition: evaluates to true or false for one message.</summary>
internal abstract class RuleNode
{
    /// <summary>The size of the stack buffer one value is decoded into.</summary>
    public const int BufferLength = 256;

    public abstract bool Evaluate(in Hl7Message message);
}

/// <summary>One side of a condition: a value from the message or a literal.</summary>
internal abstract class RuleOperand
{
    /// <summary>Reads the operand's text; <paramref name="buffer"/> may hold the result.</summary>
    public abstract ReadOnlySpan<char> Read(in Hl7Message message, Span<char> buffer);

    public abstract bool TryGetNumber(ReadOnlySpan<char> value, out decimal number);
}

internal sealed class KeyOperand(Hl7Key key) : RuleOperand
{
    public Hl7Key Key { get; } = key;

    public override ReadOnlySpan<char> Read(in Hl7Message message, Span<char> buffer)
    {
        if (!message.TryGetValue(Key, out Hl7Value value) || value.IsEmpty)
        {
            return [];
        }

        // Plain ASCII without escapes reads the same in every encoding HL7 allows: decode in place.
        ReadOnlySpan<byte> bytes = value.Bytes.Span;
        if (bytes.Length <= buffer.Length && !bytes.Contains(value.Delimiters.EscapeByte)
            && Ascii.ToUtf16(bytes, buffer, out int written) == System.Buffers.OperationStatus.Done)
        {
            return buffer[..written];
        }

        return value.ToString();
    }

    public override bool TryGetNumber(ReadOnlySpan<char> value, out decimal number) => RuleValues.TryParseNumber(value, out number);
}

internal sealed class LiteralOperand(string value, bool isNumber) : RuleOperand
{
    private readonly decimal _number = isNumber ? decimal.Parse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) : 0m;

    public string Value { get; } = value;

    public override ReadOnlySpan<char> Read(in Hl7Message message, Span<char> buffer) => Value;

    public override bool TryGetNumber(ReadOnlySpan<char> value, out decimal number)
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
    public static bool TryParseNumber(ReadOnlySpan<char> value, out decimal number)
    {
        number = 0m;
        return DataTypeChecks.IsNumeric(value)
            && decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number);
    }

    public static int Compare(RuleOperand left, ReadOnlySpan<char> leftValue, RuleOperand right, ReadOnlySpan<char> rightValue)
    {
        return left.TryGetNumber(leftValue, out var l) && right.TryGetNumber(rightValue, out var r)
            ? l.CompareTo(r)
            : leftValue.SequenceCompareTo(rightValue);
    }
}

internal sealed class CompareNode(RuleOperand left, RuleComparison comparison, RuleOperand right) : RuleNode
{
    public override bool Evaluate(in Hl7Message message)
    {
        Span<char> leftBuffer = stackalloc char[BufferLength];
        Span<char> rightBuffer = stackalloc char[BufferLength];
        var order = RuleValues.Compare(left, left.Read(message, leftBuffer), right, right.Read(message, rightBuffer));
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
    public override bool Evaluate(in Hl7Message message)
    {
        Span<char> leftBuffer = stackalloc char[BufferLength];
        Span<char> rightBuffer = stackalloc char[BufferLength];
        var value = left.Read(message, leftBuffer);
        var part = right.Read(message, rightBuffer);
        return startsWith
            ? value.StartsWith(part, StringComparison.Ordinal)
            : value.Contains(part, StringComparison.Ordinal);
    }
}

internal sealed class MatchesNode(RuleOperand operand, Regex pattern) : RuleNode
{
    public override bool Evaluate(in Hl7Message message)
    {
        Span<char> buffer = stackalloc char[BufferLength];
        return pattern.IsMatch(operand.Read(message, buffer));
    }
}

internal sealed class InNode(RuleOperand operand, LiteralOperand[] values) : RuleNode
{
    public override bool Evaluate(in Hl7Message message)
    {
        Span<char> buffer = stackalloc char[BufferLength];
        var value = operand.Read(message, buffer);
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
    public override bool Evaluate(in Hl7Message message)
    {
        Span<char> buffer = stackalloc char[BufferLength];
        return operand.Read(message, buffer).IsEmpty;
    }
}

internal sealed class NotNode(RuleNode inner) : RuleNode
{
    public override bool Evaluate(in Hl7Message message) => !inner.Evaluate(message);
}

internal sealed class AndNode(RuleNode left, RuleNode right) : RuleNode
{
    public override bool Evaluate(in Hl7Message message) => left.Evaluate(message) && right.Evaluate(message);
}

internal sealed class OrNode(RuleNode left, RuleNode right) : RuleNode
{
    public override bool Evaluate(in Hl7Message message) => left.Evaluate(message) || right.Evaluate(message);
}

internal sealed class PredicateNode(Func<Hl7Message, bool> predicate) : RuleNode
{
    public override bool Evaluate(in Hl7Message message) => predicate(message);
}
