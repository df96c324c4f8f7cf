using System.Text;
using System.Text.RegularExpressions;
using Hl7Mllp.Messages;

namespace Hl7Mllp.Validation;

/// <summary>
/// Hand-written tokenizer and recursive-descent parser for rule expressions (docs/rules.md).
/// </summary>
/// <remarks>
/// Grammar, lowest precedence first; keywords are case-insensitive:
/// <code>
/// expression := and-expr { "or" and-expr }
/// and-expr   := not-expr { "and" not-expr }
/// not-expr   := "not" not-expr | "(" expression ")" | condition
/// condition  := operand ( ("=" | "&lt;&gt;" | "!=" | "&lt;" | "&gt;" | "&lt;=" | "&gt;=") operand
///                       | ["not"] "contains" operand | ["not"] "startswith" operand
///                       | ["not"] "matches" string
///                       | ["not"] "in" "(" literal { "," literal } ")"
///                       | "is" ["not"] "empty" )
/// operand    := key | literal        literal := string | number
/// </code>
/// </remarks>
internal sealed class RuleParser
{
    private readonly string _ruleName;
    private readonly string _text;
    private readonly TimeSpan _matchTimeout;
    private Token _current;
    private int _position;

    private RuleParser(string ruleName, string text, TimeSpan matchTimeout)
    {
        _ruleName = ruleName;
        _text = text;
        _matchTimeout = matchTimeout;
    }

    private enum TokenKind
    {
        End,
        Key,
        String,
        Number,
        OpenParen,
        CloseParen,
        Comma,
        Equal,
        NotEqual,
        Less,
        Greater,
        LessOrEqual,
        GreaterOrEqual,
        And,
        Or,
        Not,
        Contains,
        StartsWith,
        Matches,
        In,
        Is,
        Empty,
    }

    /// <summary>Parses <paramref name="text"/> into a tree, or throws <see cref="Hl7RuleSyntaxException"/>.</summary>
    public static RuleNode Parse(string ruleName, string text, TimeSpan matchTimeout)
    {
        var parser = new RuleParser(ruleName, text, matchTimeout);
        parser.Next();
        if (parser._current.Kind == TokenKind.End)
        {
            throw parser.Error("the expression is empty", parser._current);
        }

        var node = parser.ParseOr();
        if (parser._current.Kind != TokenKind.End)
        {
            throw parser.Error($"expected 'and', 'or' or the end, found {parser.Describe(parser._current)}", parser._current);
        }

        return node;
    }

    private RuleNode ParseOr()
    {
        var node = ParseAnd();
        while (_current.Kind == TokenKind.Or)
        {
            Next();
            node = new OrNode(node, ParseAnd());
        }

        return node;
    }

    private RuleNode ParseAnd()
    {
        var node = ParseNot();
        while (_current.Kind == TokenKind.And)
        {
            Next();
            node = new AndNode(node, ParseNot());
        }

        return node;
    }

    private RuleNode ParseNot()
    {
        if (_current.Kind == TokenKind.Not)
        {
            Next();
            return new NotNode(ParseNot());
        }

        if (_current.Kind == TokenKind.OpenParen)
        {
            var open = _current;
            Next();
            var inner = ParseOr();
            if (_current.Kind != TokenKind.CloseParen)
            {
                throw Error($"expected ')' to close the '(' at column {open.Start + 1}, found {Describe(_current)}", _current);
            }

            Next();
            return inner;
        }

        return ParseCondition();
    }

    private RuleNode ParseCondition()
    {
        var left = ParseOperand();
        var operatorToken = _current;
        switch (operatorToken.Kind)
        {
            case TokenKind.Equal:
            case TokenKind.NotEqual:
            case TokenKind.Less:
            case TokenKind.Greater:
            case TokenKind.LessOrEqual:
            case TokenKind.GreaterOrEqual:
                Next();
                return new CompareNode(left, ToComparison(operatorToken.Kind), ParseOperand());
            case TokenKind.Is:
                Next();
                var negate = Accept(TokenKind.Not);
                if (_current.Kind != TokenKind.Empty)
                {
                    throw Error($"expected 'empty' after '{(negate ? "is not" : "is")}', found {Describe(_current)}", _current);
                }

                Next();
                RuleNode isEmpty = new IsEmptyNode(left);
                return negate ? new NotNode(isEmpty) : isEmpty;
            case TokenKind.Not:
                Next();
                if (_current.Kind is not (TokenKind.Contains or TokenKind.StartsWith or TokenKind.Matches or TokenKind.In))
                {
                    throw Error($"expected 'contains', 'startswith', 'matches' or 'in' after 'not', found {Describe(_current)}", _current);
                }

                return new NotNode(ParseTextCondition(left));
            case TokenKind.Contains:
            case TokenKind.StartsWith:
            case TokenKind.Matches:
            case TokenKind.In:
                return ParseTextCondition(left);
            default:
                throw Error($"expected an operator (=, <>, <, >, <=, >=, contains, startswith, matches, in, is empty) after the operand, found {Describe(_current)}", _current);
        }
    }

    private RuleNode ParseTextCondition(RuleOperand left)
    {
        var operatorToken = _current;
        Next();
        switch (operatorToken.Kind)
        {
            case TokenKind.Contains:
                return new ContainsNode(left, ParseOperand(), startsWith: false);
            case TokenKind.StartsWith:
                return new ContainsNode(left, ParseOperand(), startsWith: true);
            case TokenKind.Matches:
                return new MatchesNode(left, ParsePattern());
            default:
                return new InNode(left, ParseList());
        }
    }

    private Regex ParsePattern()
    {
        var token = _current;
        if (token.Kind != TokenKind.String)
        {
            throw Error($"expected a quoted regular expression after 'matches', found {Describe(token)}", token);
        }

        Next();
        try
        {
            return new Regex(token.Value, RegexOptions.CultureInvariant, _matchTimeout);
        }
        catch (ArgumentException ex)
        {
            throw Error($"invalid regular expression ({ex.Message})", token);
        }
    }

    private LiteralOperand[] ParseList()
    {
        if (_current.Kind != TokenKind.OpenParen)
        {
            throw Error($"expected '(' after 'in', found {Describe(_current)}", _current);
        }

        Next();
        var values = new List<LiteralOperand>();
        while (true)
        {
            var token = _current;
            if (token.Kind is not (TokenKind.String or TokenKind.Number))
            {
                throw Error($"expected a string or number in the 'in' list, found {Describe(token)}", token);
            }

            Next();
            values.Add(new LiteralOperand(token.Value, token.Kind == TokenKind.Number));
            if (Accept(TokenKind.Comma))
            {
                continue;
            }

            if (Accept(TokenKind.CloseParen))
            {
                return [.. values];
            }

            throw Error($"expected ',' or ')' in the 'in' list, found {Describe(_current)}", _current);
        }
    }

    private RuleOperand ParseOperand()
    {
        var token = _current;
        RuleOperand operand = token.Kind switch
        {
            TokenKind.Key => new KeyOperand(Hl7Key.Parse(token.Value)),
            TokenKind.String => new LiteralOperand(token.Value, isNumber: false),
            TokenKind.Number => new LiteralOperand(token.Value, isNumber: true),
            _ => throw Error($"expected an HL7 key, a string or a number, found {Describe(token)}", token),
        };
        Next();
        return operand;
    }

    private static RuleComparison ToComparison(TokenKind kind) => kind switch
    {
        TokenKind.Equal => RuleComparison.Equal,
        TokenKind.NotEqual => RuleComparison.NotEqual,
        TokenKind.Less => RuleComparison.Less,
        TokenKind.Greater => RuleComparison.Greater,
        TokenKind.LessOrEqual => RuleComparison.LessOrEqual,
        _ => RuleComparison.GreaterOrEqual,
    };

    private bool Accept(TokenKind kind)
    {
        if (_current.Kind != kind)
        {
            return false;
        }

        Next();
        return true;
    }

    private Hl7RuleSyntaxException Error(string reason, Token at) => new(_ruleName, at.Start + 1, reason);

    private string Describe(Token token) => token.Kind switch
    {
        TokenKind.End => "the end of the expression",
        TokenKind.String => "a string",
        TokenKind.Number => "a number",
        TokenKind.Key => $"'{token.Value}'",
        _ => $"'{_text.AsSpan(token.Start, token.Length)}'",
    };

    // ---- tokenizer -------------------------------------------------------------------------------

    private void Next()
    {
        var text = _text;
        while (_position < text.Length && char.IsWhiteSpace(text[_position]))
        {
            _position++;
        }

        var start = _position;
        if (start >= text.Length)
        {
            _current = new Token(TokenKind.End, start, 0, string.Empty);
            return;
        }

        var c = text[start];
        switch (c)
        {
            case '(':
                Symbol(TokenKind.OpenParen, 1);
                return;
            case ')':
                Symbol(TokenKind.CloseParen, 1);
                return;
            case ',':
                Symbol(TokenKind.Comma, 1);
                return;
            case '=':
                Symbol(TokenKind.Equal, 1);
                return;
            case '!':
                if (Peek(1) != '=')
                {
                    throw new Hl7RuleSyntaxException(_ruleName, start + 1, "unexpected '!'; use '<>', '!=' or 'not'");
                }

                Symbol(TokenKind.NotEqual, 2);
                return;
            case '<':
                if (Peek(1) == '>')
                {
                    Symbol(TokenKind.NotEqual, 2);
                }
                else if (Peek(1) == '=')
                {
                    Symbol(TokenKind.LessOrEqual, 2);
                }
                else
                {
                    Symbol(TokenKind.Less, 1);
                }

                return;
            case '>':
                if (Peek(1) == '=')
                {
                    Symbol(TokenKind.GreaterOrEqual, 2);
                }
                else
                {
                    Symbol(TokenKind.Greater, 1);
                }

                return;
            case '\'':
            case '"':
                ReadString(c);
                return;
        }

        if (char.IsAsciiDigit(c) || (c is '-' or '+' && char.IsAsciiDigit(Peek(1))))
        {
            ReadNumber();
            return;
        }

        if (char.IsAsciiLetter(c))
        {
            ReadWord();
            return;
        }

        throw new Hl7RuleSyntaxException(_ruleName, start + 1, $"unexpected character '{c}'");
    }

    private char Peek(int offset) => _position + offset < _text.Length ? _text[_position + offset] : '\0';

    private void Symbol(TokenKind kind, int length)
    {
        _current = new Token(kind, _position, length, string.Empty);
        _position += length;
    }

    // 'text' or "text": \' \" \\ escape, \t \r \n are control characters, any other backslash is kept.
    private void ReadString(char quote)
    {
        var start = _position;
        var value = new StringBuilder();
        _position++;
        while (_position < _text.Length)
        {
            var c = _text[_position++];
            if (c == quote)
            {
                _current = new Token(TokenKind.String, start, _position - start, value.ToString());
                return;
            }

            if (c == '\\')
            {
                if (_position >= _text.Length)
                {
                    break;
                }

                // Any other backslash stays, so regular expressions keep \d, \. and the like.
                var escaped = _text[_position++];
                switch (escaped)
                {
                    case 't':
                        value.Append('\t');
                        break;
                    case 'r':
                        value.Append('\r');
                        break;
                    case 'n':
                        value.Append('\n');
                        break;
                    case '\'':
                    case '"':
                    case '\\':
                        value.Append(escaped);
                        break;
                    default:
                        value.Append('\\').Append(escaped);
                        break;
                }

                continue;
            }

            value.Append(c);
        }

        throw new Hl7RuleSyntaxException(_ruleName, start + 1, "unterminated string");
    }

    private void ReadNumber()
    {
        var start = _position;
        _position++;
        var dots = 0;
        while (_position < _text.Length && (char.IsAsciiDigit(_text[_position]) || _text[_position] == '.'))
        {
            dots += _text[_position] == '.' ? 1 : 0;
            _position++;
        }

        var number = _text.AsSpan(start, _position - start);
        if (dots > 1 || number[^1] == '.' || (_position < _text.Length && char.IsAsciiLetter(_text[_position])))
        {
            throw new Hl7RuleSyntaxException(_ruleName, start + 1, "malformed number");
        }

        _current = new Token(TokenKind.Number, start, number.Length, number.ToString());
    }

    private void ReadWord()
    {
        var start = _position;
        while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] is '.' or '[' or ']' or '_'))
        {
            _position++;
        }

        var word = _text.AsSpan(start, _position - start);
        var keyword = KeywordKind(word);
        if (keyword != TokenKind.End)
        {
            _current = new Token(keyword, start, word.Length, string.Empty);
            return;
        }

        if (!Hl7Key.TryParse(word, out _))
        {
            throw new Hl7RuleSyntaxException(
                _ruleName,
                start + 1,
                $"'{word}' is neither a keyword nor an HL7 key (SEG[n].field[n].component.subcomponent)");
        }

        _current = new Token(TokenKind.Key, start, word.Length, word.ToString());
    }

    private static TokenKind KeywordKind(ReadOnlySpan<char> word)
    {
        Span<char> lower = stackalloc char[10];
        if (word.Length > lower.Length)
        {
            return TokenKind.End;
        }

        word.ToLowerInvariant(lower);
        return lower[..word.Length] switch
        {
            "and" => TokenKind.And,
            "or" => TokenKind.Or,
            "not" => TokenKind.Not,
            "contains" => TokenKind.Contains,
            "startswith" => TokenKind.StartsWith,
            "matches" => TokenKind.Matches,
            "in" => TokenKind.In,
            "is" => TokenKind.Is,
            "empty" => TokenKind.Empty,
            _ => TokenKind.End,
        };
    }

    private readonly record struct Token(TokenKind Kind, int Start, int Length, string Value);
}
