using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Domain.Tests.Templates;

public sealed class ColumnExpressionTests
{
    private static readonly Dictionary<string, decimal?> Values = new()
    {
        ["male"] = 520,
        ["female"] = 480,
        ["total"] = 1000,
        ["members"] = 50,
        ["zero"] = 0,
        ["missing"] = null,
    };

    private static decimal? ValueOf(string id) => Values.GetValueOrDefault(id);

    [Theory]
    [InlineData("total", 1000)]
    [InlineData("sum(male, female)", 1000)]
    [InlineData("diff(total, male)", 480)]
    [InlineData("ratio(members, total)", 0.05)]
    [InlineData("percent(members, total)", 5)]
    [InlineData("percent(diff(total, female), sum(male, female))", 52)]
    public void Evaluates_fields_and_functions(string text, double expected)
    {
        Assert.Equal((decimal)expected, ColumnExpression.Parse(text).Evaluate(ValueOf));
    }

    [Theory]
    [InlineData("ratio(members, zero)")]
    [InlineData("percent(members, diff(total, sum(male, female)))")]
    [InlineData("sum(male, missing)")]
    [InlineData("diff(missing, male)")]
    [InlineData("unknown_field")]
    public void Is_null_when_dividing_by_zero_or_an_input_is_missing(string text)
    {
        Assert.Null(ColumnExpression.Parse(text).Evaluate(ValueOf));
    }

    [Theory]
    [InlineData("total")]
    [InlineData("sum(male, female)")]
    [InlineData("diff(total, male)")]
    [InlineData("percent(members, total)")]
    [InlineData("ratio(sum(a, b), diff(c, percent(d, e)))")]
    public void ToString_round_trips(string text)
    {
        var parsed = ColumnExpression.Parse(text);

        Assert.Equal(text, parsed.ToString());
        Assert.Equal(parsed, ColumnExpression.Parse(parsed.ToString()));
    }

    [Fact]
    public void Whitespace_is_tolerated_and_normalised()
    {
        Assert.Equal("sum(a, b, c)", ColumnExpression.Parse("  sum( a ,b,  c ) ").ToString());
    }

    [Fact]
    public void Lists_each_referenced_field_once_in_order()
    {
        var expression = ColumnExpression.Parse("percent(sum(a, b), sum(b, c, a))");

        Assert.Equal(["a", "b", "c"], expression.FieldIds());
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("sum(a, b)", true)]
    [InlineData("diff(sum(a, b), c)", true)]
    [InlineData("ratio(a, b)", false)]
    [InlineData("sum(a, percent(b, c))", false)]
    public void Only_sums_and_differences_of_fields_are_additive(string text, bool additive)
    {
        Assert.Equal(additive, ColumnExpression.Parse(text).IsAdditive);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sum(a, b")]
    [InlineData("sum()")]
    [InlineData("diff(a)")]
    [InlineData("ratio(a, b, c)")]
    [InlineData("avg(a, b)")]
    [InlineData("a b")]
    [InlineData("户籍人口")]
    [InlineData("sum(a; b)")]
    public void Malformed_text_fails_with_a_bilingual_format_exception(string text)
    {
        var error = Assert.Throws<FormatException>(() => ColumnExpression.Parse(text));

        Assert.Contains("表达式", error.Message, StringComparison.Ordinal);
        Assert.Contains("expression", error.Message, StringComparison.Ordinal);
    }
}
