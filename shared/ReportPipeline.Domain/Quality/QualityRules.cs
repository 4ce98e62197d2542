using System.Globalization;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Domain.Quality;

/// <summary>One quality finding about one value: its stable code and a Chinese sentence naming the value and the bound it passed.</summary>
public sealed record QualityFinding(string FieldId, string Code, decimal Value, decimal? Previous, string Message);

/// <summary>
/// The per-value quality rules (数据质量): a value outside the field's soft range (<see cref="FieldDefinition.ExpectedMin"/>
/// / <see cref="FieldDefinition.ExpectedMax"/>), or moved against the previous period by more than
/// <see cref="FieldDefinition.MaxChange"/>. They warn and never refuse. The submission's warnings and the consolidation's
/// 数据质量 list both ask here, so the two cannot disagree.
/// </summary>
public static class QualityRules
{
    public static IReadOnlyList<QualityFinding> Check(FieldDefinition field, decimal value, decimal? previous)
    {
        ArgumentNullException.ThrowIfNull(field);
        var findings = new List<QualityFinding>(2);
        if (field.ExpectedMin is { } low && value < low)
        {
            findings.Add(new QualityFinding(field.Id, ValidationCodes.QualityBelowExpected, value, previous,
                $"{Name(field)}为{Show(value, field)}，低于合理范围 {Range(field)}，请核实"));
        }
        else if (field.ExpectedMax is { } high && value > high)
        {
            findings.Add(new QualityFinding(field.Id, ValidationCodes.QualityAboveExpected, value, previous,
                $"{Name(field)}为{Show(value, field)}，高于合理范围 {Range(field)}，请核实"));
        }

        if (previous is { } last && ChangedBeyond(field.MaxChange, value, last) is { } allowed)
        {
            findings.Add(new QualityFinding(field.Id, ValidationCodes.QualityChange, value, previous,
                $"{Name(field)}本期为{Show(value, field)}，上期为{Show(last, field)}，{Delta(value, last, field)}，超过允许的变化幅度{allowed}，请核实"));
        }

        return findings;
    }

    /// <summary>The allowed change as text when <paramref name="value"/> moved beyond it; null when it did not (or cannot be judged).</summary>
    private static string? ChangedBeyond(ChangeThreshold? threshold, decimal value, decimal previous)
    {
        switch (threshold)
        {
            case { Absolute: { } absolute } when Math.Abs(value - previous) > absolute:
                return $"±{ValueNormaliser.FormatNumber(absolute)}";
            case { Relative: { } relative } when previous != 0 && Math.Abs(value - previous) > relative * Math.Abs(previous):
                return $"±{Percent(relative)}";
            // Relative to nothing: a first non-zero value after a zero is no jump that a ratio can measure.
            default:
                return null;
        }
    }

    private static string Delta(decimal value, decimal previous, FieldDefinition field)
    {
        var change = value - previous;
        var absolute = (change >= 0 ? "增加" : "减少") + Show(Math.Abs(change), field);
        return previous == 0 ? absolute : $"{absolute}（{(change >= 0 ? "+" : "−")}{Percent(Math.Abs(change) / Math.Abs(previous))}）";
    }

    private static string Percent(decimal ratio) => (ratio * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Range(FieldDefinition field) =>
        $"{(field.ExpectedMin is { } a ? ValueNormaliser.FormatNumber(a) : "-∞")}～{(field.ExpectedMax is { } b ? ValueNormaliser.FormatNumber(b) : "+∞")}{field.Unit}";

    internal static string Name(FieldDefinition field) =>
        string.IsNullOrEmpty(field.Unit) ? $"“{field.Name}”" : $"“{field.Name}”（{field.Unit}）";

    internal static string Show(decimal value, FieldDefinition field) => ValueNormaliser.FormatNumber(value) + (field.Unit ?? "");
}
