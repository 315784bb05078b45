using System.Globalization;
using System.Text.RegularExpressions;

namespace Colabo.Config.Compiler.Evaluation;

/// <summary>
/// The <c>when</c> language: comparisons (== != &lt; &lt;= &gt; &gt;= =~ in) over node, facts.X,
/// params.X, item and literals ('text', 12, true, [a, b]), combined with and, or, not and parentheses.
/// A missing fact is null; an undeclared param is an error.
/// </summary>
internal static class Condition
{
    public sealed class ConditionException(string message, int offset) : Exception(message)
    {
        public int Offset { get; } = offset;
    }

    public static bool Evaluate(string text, EvalScope scope)
    {
        var parser = new Parser(text, scope);
        var value = parser.ParseOr();
        parser.ExpectEnd();
        return Truthy(value);
    }

    internal static bool Truthy(object? v) => v switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0 && s != "false",
        System.Collections.ICollection c => c.Count > 0,
        _ => true,
    };

    private sealed class Parser(string text, EvalScope scope)
    {
        private int _pos;

        public void ExpectEnd()
        {
            SkipSpace();
            if (_pos < text.Length)
            {
                throw new ConditionException($"unexpected '{text[_pos..]}'", _pos);
            }
        }

        public object? ParseOr()
        {
            var left = ParseAnd();
            while (Keyword("or"))
            {
                var right = ParseAnd();
                left = Truthy(left) || Truthy(right);
            }
            return left;
        }

        private object? ParseAnd()
        {
            var left = ParseNot();
            while (Keyword("and"))
            {
                var right = ParseNot();
                left = Truthy(left) && Truthy(right);
            }
            return left;
        }

        private object? ParseNot() => Keyword("not") ? !Truthy(ParseNot()) : ParseComparison();

        private object? ParseComparison()
        {
            var left = ParsePrimary();
            SkipSpace();
            string? op = null;
            foreach (var candidate in new[] { "==", "!=", "<=", ">=", "=~", "<", ">" })
            {
                if (string.CompareOrdinal(text, _pos, candidate, 0, candidate.Length) == 0)
                {
                    op = candidate;
                    _pos += candidate.Length;
                    break;
                }
            }
            if (op is null && Keyword("in"))
            {
                op = "in";
            }
            if (op is null)
            {
                return left;
            }
            var at = _pos;
            var right = ParsePrimary();
            return op switch
            {
                "==" => EqualValues(left, right),
                "!=" => !EqualValues(left, right),
                "=~" => left is not null && Regex.IsMatch(EvalScope.Text(left), EvalScope.Text(right), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
                "in" => right is System.Collections.IEnumerable list and not string
                    ? list.Cast<object?>().Any(x => EqualValues(left, x))
                    : right is string s ? left is not null && s.Contains(EvalScope.Text(left), StringComparison.Ordinal)
                    : throw new ConditionException("'in' needs a list or a string on its right", at),
                _ => Compare(left, right, op),
            };
        }

        private static bool EqualValues(object? a, object? b)
        {
            if (a is null || b is null)
            {
                return a is null && b is null;
            }
            if (Number(a) is { } x && Number(b) is { } y)
            {
                return x == y;
            }
            return EvalScope.Text(a) == EvalScope.Text(b);
        }

        private static bool Compare(object? a, object? b, string op)
        {
            if (a is null || b is null)
            {
                return false;
            }
            var c = Number(a) is { } x && Number(b) is { } y ? x.CompareTo(y) : string.CompareOrdinal(EvalScope.Text(a), EvalScope.Text(b));
            return op switch { "<" => c < 0, "<=" => c <= 0, ">" => c > 0, _ => c >= 0 };
        }

        private static double? Number(object v) => v switch
        {
            long l => l,
            double d => d,
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };

        private object? ParsePrimary()
        {
            SkipSpace();
            if (_pos >= text.Length)
            {
                throw new ConditionException("the condition ends too early; a value is missing", _pos);
            }
            var c = text[_pos];
            if (c == '(')
            {
                _pos++;
                var inner = ParseOr();
                SkipSpace();
                Expect(')');
                return inner;
            }
            if (c == '[')
            {
                _pos++;
                var list = new List<object?>();
                SkipSpace();
                if (Peek(']'))
                {
                    _pos++;
                    return list;
                }
                while (true)
                {
                    list.Add(ParsePrimary());
                    SkipSpace();
                    if (Peek(','))
                    {
                        _pos++;
                        continue;
                    }
                    Expect(']');
                    return list;
                }
            }
            if (c is '\'' or '"')
            {
                var end = text.IndexOf(c, _pos + 1);
                if (end < 0)
                {
                    throw new ConditionException("unterminated string", _pos);
                }
                var s = text[(_pos + 1)..end];
                _pos = end + 1;
                return s;
            }
            var start = _pos;
            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] is '_' or '.' or '-'))
            {
                _pos++;
            }
            if (start == _pos)
            {
                throw new ConditionException($"unexpected '{c}'", start);
            }
            var word = text[start.._pos];
            if (word is "true" or "false")
            {
                return word == "true";
            }
            if (word == "null")
            {
                return null;
            }
            if (long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                return l;
            }
            if (double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !char.IsLetter(word[0]))
            {
                return d;
            }
            if (scope.TryLookup(word, out var value, out var problem))
            {
                return value;
            }
            if (word.StartsWith("facts.", StringComparison.Ordinal))
            {
                return null;
            }
            throw new ConditionException(problem, start);
        }

        private bool Keyword(string word)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _pos, word, 0, word.Length) == 0 &&
                (_pos + word.Length == text.Length || !char.IsLetterOrDigit(text[_pos + word.Length])))
            {
                _pos += word.Length;
                return true;
            }
            return false;
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        private bool Peek(char c) => _pos < text.Length && text[_pos] == c;

        private void Expect(char c)
        {
            if (!Peek(c))
            {
                throw new ConditionException($"expected '{c}'", _pos);
            }
            _pos++;
        }
    }
}
