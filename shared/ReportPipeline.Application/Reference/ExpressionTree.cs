using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Application.Reference;

/// <summary>
/// An expression as the catalog route ships it: the domain parser's tree, so that the web app evaluates what the server
/// parsed and never parses expression text itself. <c>{"field": id}</c>; <c>{"op": "sum", "args": [...]}</c>;
/// <c>{"op": "diff", "args": [left, right]}</c>; <c>{"op": "ratio", "scale": 1 or 100, "args": [numerator, denominator]}</c>
/// (<c>percent</c> is a ratio with scale 100). No number when an input is missing or a denominator is zero.
/// </summary>
public static class ExpressionTree
{
    public static object Of(ColumnExpression expression) => expression switch
    {
        ColumnExpression.FieldRef f => new { field = f.FieldId },
        ColumnExpression.Sum s => new { op = "sum", args = s.Terms.Select(Of).ToList() },
        ColumnExpression.Difference d => new { op = "diff", args = new[] { Of(d.Left), Of(d.Right) } },
        ColumnExpression.Ratio r => new { op = "ratio", scale = r.Scale, args = new[] { Of(r.Numerator), Of(r.Denominator) } },
        _ => throw new ArgumentOutOfRangeException(nameof(expression), expression, "Unknown expression node."),
    };

    /// <summary>A derived field's parsed expression (the loader refuses a catalog whose expressions do not parse).</summary>
    public static ColumnExpression? OfField(Domain.Catalog.FieldDefinition field) =>
        field is { Expression: { } text } && ColumnExpression.TryParse(text, out var parsed, out _) ? parsed : null;
}
