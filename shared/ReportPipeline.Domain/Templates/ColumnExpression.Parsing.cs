using System.Globalization;
using System.Text;

namespace ReportPipeline.Domain.Templates;

public abstract partial record ColumnExpression
{
    /// <summary>Parses <c>field_id</c>, <c>sum(a, b, …)</c>, <c>diff(a, b)</c>, <c>ratio(a, b)</c>, <c>percent(a, b)</c>, nested.</summary>
    public static ColumnExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser(text);
        var expression = parser.ParseExpression();
        parser.ExpectEnd();
        return expression;
    }

    public static bool TryParse(string? text, out ColumnExpression? expression, out string? error)
    {
        expression = null;
        error = null;
        if (text is null)
        {
            error = "表达式为空 (expression is empty)";
            return false;
        }

        try
        {
            expression = Parse(text);
            return true;
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>Null when any input is missing or a denominator is zero, so that a report never shows a made-up number.</summary>
    public abstract decimal? Evaluate(Func<string, decimal?> valueOf);

    /// <summary>Every field referenced, in order of appearance, without repeats.</summary>
    public IEnumerable<string> FieldIds()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<string>();
        Collect(this, seen, found);
        return found;
    }

    /// <summary>
    /// True when the value for a parent unit is the sum of its children's values (field refs, sums and
    /// differences of such). Ratios are not: they must be recomputed from the consolidated parts.
    /// </summary>
    public abstract bool IsAdditive { get; }

    public abstract override string ToString();

    private static void Collect(ColumnExpression expression, HashSet<string> seen, List<string> found)
    {
        switch (expression)
        {
            case FieldRef f:
                if (seen.Add(f.FieldId))
                {
                    found.Add(f.FieldId);
                }

                break;
            case Sum s:
                foreach (var term in s.Terms)
                {
                    Collect(term, seen, found);
                }

                break;
            case Difference d:
                Collect(d.Left, seen, found);
                Collect(d.Right, seen, found);
                break;
            case Ratio r:
                Collect(r.Numerator, seen, found);
                Collect(r.Denominator, seen, found);
                break;
        }
    }

    public sealed partial record FieldRef
    {
        public override decimal? Evaluate(Func<string, decimal?> valueOf) => valueOf(FieldId);
        public override bool IsAdditive => true;
        public override string ToString() => FieldId;
    }

    public sealed partial record Sum
    {
        public override decimal? Evaluate(Func<string, decimal?> valueOf)
        {
            decimal total = 0;
            foreach (var term in Terms)
            {
                var value = term.Evaluate(valueOf);
                if (value is null)
                {
                    return null;
                }

                total += value.Value;
            }

            return total;
        }

        public override bool IsAdditive => Terms.All(t => t.IsAdditive);
        public override string ToString() => $"sum({string.Join(", ", Terms.Select(t => t.ToString()))})";

        // Records compare lists by reference; compare the terms instead so that parsed expressions are equal.
        public bool Equals(Sum? other) => other is not null && Terms.SequenceEqual(other.Terms);
        public override int GetHashCode() => Terms.Aggregate(17, (hash, t) => HashCode.Combine(hash, t));
    }

    public sealed partial record Difference
    {
        public override decimal? Evaluate(Func<string, decimal?> valueOf) =>
            Left.Evaluate(valueOf) is { } left && Right.Evaluate(valueOf) is { } right ? left - right : null;

        public override bool IsAdditive => Left.IsAdditive && Right.IsAdditive;
        public override string ToString() => $"diff({Left}, {Right})";
    }

    public sealed partial record Ratio
    {
        public override decimal? Evaluate(Func<string, decimal?> valueOf)
        {
            if (Numerator.Evaluate(valueOf) is not { } numerator || Denominator.Evaluate(valueOf) is not { } denominator || denominator == 0)
            {
                return null;
            }

            return numerator / denominator * Scale;
        }

        public override bool IsAdditive => false;
        public override string ToString() => $"{(Scale == 100m ? "percent" : "ratio")}({Numerator}, {Denominator})";
    }

    private sealed class Parser(string text)
    {
        private int _position;

        public ColumnExpression ParseExpression()
        {
            SkipSpaces();
            var start = _position;
            var name = ReadIdentifier();
            if (name.Length == 0)
            {
                throw Error(start, "此处应为字段编号或函数名", "expected a field id or a function name");
            }

            SkipSpaces();
            if (_position >= text.Length || text[_position] != '(')
            {
                return new FieldRef(name);
            }

            _position++;
            var arguments = new List<ColumnExpression>();
            SkipSpaces();
            if (_position < text.Length && text[_position] == ')')
            {
                throw Error(_position, $"函数 {name} 缺少参数", $"function {name} needs arguments");
            }

            while (true)
            {
                arguments.Add(ParseExpression());
                SkipSpaces();
                if (_position >= text.Length)
                {
                    throw Error(_position, "缺少右括号", "missing ')'");
                }

                var c = text[_position++];
                if (c == ')')
                {
                    break;
                }

                if (c != ',')
                {
                    throw Error(_position - 1, $"此处应为逗号或右括号，收到“{c}”", $"expected ',' or ')' but found '{c}'");
                }
            }

            return name switch
            {
                "sum" when arguments.Count >= 1 => new Sum(arguments),
                "diff" when arguments.Count == 2 => new Difference(arguments[0], arguments[1]),
                "ratio" when arguments.Count == 2 => new Ratio(arguments[0], arguments[1], 1m),
                "percent" when arguments.Count == 2 => new Ratio(arguments[0], arguments[1], 100m),
                "diff" or "ratio" or "percent" => throw Error(start, $"函数 {name} 需要两个参数，收到 {arguments.Count} 个", $"function {name} takes 2 arguments, got {arguments.Count}"),
                _ => throw Error(start, $"未知函数 {name}（可用 sum、diff、ratio、percent）", $"unknown function '{name}' (use sum, diff, ratio, percent)"),
            };
        }

        public void ExpectEnd()
        {
            SkipSpaces();
            if (_position < text.Length)
            {
                throw Error(_position, $"表达式末尾有多余内容“{text[_position..]}”", $"unexpected text '{text[_position..]}' after the expression");
            }
        }

        private string ReadIdentifier()
        {
            var start = _position;
            while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] == '_'))
            {
                _position++;
            }

            return text[start.._position];
        }

        private void SkipSpaces()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private FormatException Error(int at, string chinese, string english)
        {
            var message = new StringBuilder()
                .Append(CultureInfo.InvariantCulture, $"表达式“{text}”第 {at + 1} 个字符处有误：{chinese} ")
                .Append(CultureInfo.InvariantCulture, $"(expression '{text}' at position {at + 1}: {english}).")
                .ToString();
            return new FormatException(message);
        }
    }
}
