namespace ReportPipeline.Domain.Templates;

/// <summary>
/// An expression over fields: <c>field</c>, <c>sum(a, b, …)</c>, <c>diff(a, b)</c>, <c>ratio(a, b)</c>, <c>percent(a, b)</c>.
/// Evaluation returns null when any input is missing or when dividing by zero, so that a report never shows a
/// made-up number. Ratios are recomputed from consolidated parts, never summed.
/// </summary>
public abstract partial record ColumnExpression
{
    public sealed partial record FieldRef(string FieldId) : ColumnExpression;
    public sealed partial record Sum(IReadOnlyList<ColumnExpression> Terms) : ColumnExpression;
    public sealed partial record Difference(ColumnExpression Left, ColumnExpression Right) : ColumnExpression;
    /// <summary>Left ÷ Right; <see cref="Scale"/> is 1 for a ratio and 100 for a percentage.</summary>
    public sealed partial record Ratio(ColumnExpression Numerator, ColumnExpression Denominator, decimal Scale) : ColumnExpression;
}
