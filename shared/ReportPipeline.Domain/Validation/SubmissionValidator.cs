using System.Globalization;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Domain.Validation;

/// <summary>
/// <see cref="Values"/> are the incoming values that normalised cleanly (canonical form), ready to merge when
/// <see cref="Errors"/> is empty. <see cref="Warnings"/> (plausibility ratios) do not block a submission.
/// </summary>
public sealed record ValidationOutcome(
    IReadOnlyDictionary<string, FieldValue> Values,
    IReadOnlyList<ValidationError> Errors,
    IReadOnlyList<ValidationError> Warnings)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Validates one org's upload for one period against the one table: normalises every raw text, checks type, range,
/// precision, options, required fields and the cross-field rules over incoming ∪ current values, and reports every
/// problem at once with the field's Chinese name and the source cell.
/// </summary>
public sealed class SubmissionValidator(FieldCatalog catalog)
{
    /// <summary>Validates without regard to the period kind: every required typed field counts.</summary>
    public ValidationOutcome Validate(IReadOnlyList<RawValue> raw, IReadOnlyDictionary<string, FieldValue> current) =>
        Validate(raw, current, periodKind: null);

    /// <summary>
    /// With <paramref name="periodKind"/>, only fields collected at that frequency are expected (required) or accepted;
    /// a yearly item sent in a monthly submission is a <c>wrong_period</c> error.
    /// </summary>
    public ValidationOutcome Validate(IReadOnlyList<RawValue> raw, IReadOnlyDictionary<string, FieldValue> current, PeriodKind? periodKind)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(current);
        var values = new Dictionary<string, FieldValue>(StringComparer.Ordinal);
        var errors = new List<ValidationError>();
        var warnings = new List<ValidationError>();
        var seen = new Dictionary<string, RawValue>(StringComparer.Ordinal);
        var failed = new HashSet<string>(StringComparer.Ordinal);

        foreach (var item in raw)
        {
            var field = catalog.Find(item.FieldId);
            if (field is null)
            {
                errors.Add(new ValidationError(item.FieldId, ValidationCodes.UnknownField,
                    $"一表通中没有编号为“{item.FieldId}”的指标{At(item.Cell)}，请使用本期下载的最新表格", item.Cell));
                continue;
            }

            if (!seen.TryAdd(item.FieldId, item))
            {
                failed.Add(item.FieldId);
                errors.Add(new ValidationError(item.FieldId, ValidationCodes.DuplicateField,
                    $"{Name(field)}填写了不止一次{At(item.Cell)}（另见{seen[item.FieldId].Cell ?? "前面"}），请只保留一处", item.Cell));
                continue;
            }

            var normalised = ValueNormaliser.Normalise(field, item.Text);
            if (normalised.IsMissing)
            {
                continue;
            }

            if (field.Source is FieldSource.Derived)
            {
                failed.Add(field.Id);
                errors.Add(new ValidationError(field.Id, ValidationCodes.DerivedField,
                    $"{Name(field)}由系统自动计算，不需要填写{At(item.Cell)}，请清空该格", item.Cell));
                continue;
            }

            if (periodKind is { } kind && field.Frequency != kind)
            {
                failed.Add(field.Id);
                errors.Add(new ValidationError(field.Id, ValidationCodes.WrongPeriod,
                    $"{Name(field)}按{field.Frequency.ChineseName()}填报，本期是{kind.ChineseName()}报，不需要填写{At(item.Cell)}", item.Cell));
                continue;
            }

            if (normalised.ErrorCode is { } code)
            {
                failed.Add(field.Id);
                errors.Add(new ValidationError(field.Id, code, Message(field, code, item.Text, item.Cell), item.Cell));
                continue;
            }

            values[field.Id] = normalised.Value!.Value;
        }

        foreach (var field in catalog.Fields)
        {
            if (field.Required && field.Source is FieldSource.Typed && (periodKind is null || field.Frequency == periodKind)
                && !values.ContainsKey(field.Id) && !current.ContainsKey(field.Id) && !failed.Contains(field.Id))
            {
                var cell = seen.GetValueOrDefault(field.Id)?.Cell;
                errors.Add(new ValidationError(field.Id, ValidationCodes.Required, $"{Name(field)}是必填项，不能为空{At(cell)}", cell));
            }
        }

        CheckRules(values, current, failed, seen, errors, warnings);
        return new ValidationOutcome(values, errors, warnings);
    }

    private void CheckRules(
        Dictionary<string, FieldValue> values,
        IReadOnlyDictionary<string, FieldValue> current,
        HashSet<string> failed,
        Dictionary<string, RawValue> seen,
        List<ValidationError> errors,
        List<ValidationError> warnings)
    {
        decimal? NumberOf(string id) =>
            failed.Contains(id) ? null
            : values.TryGetValue(id, out var v) ? v.Number
            : current.TryGetValue(id, out var c) ? c.Number
            : null;

        // A rule is only worth reporting when this upload touched one of its fields; an old inconsistency
        // in stored values alone is not the clerk's current mistake.
        bool Touched(CrossFieldRule rule) => values.ContainsKey(rule.Field) || rule.Others.Any(values.ContainsKey);
        string? CellOf(string id) => seen.GetValueOrDefault(id)?.Cell;

        foreach (var rule in catalog.Rules)
        {
            if (!Touched(rule) || NumberOf(rule.Field) is not { } total)
            {
                continue;
            }

            var totalField = catalog[rule.Field];
            switch (rule.Kind)
            {
                case CrossFieldRuleKind.PartsNotExceedTotal:
                    foreach (var partId in rule.Others)
                    {
                        if (NumberOf(partId) is { } part && part > total)
                        {
                            var partField = catalog[partId];
                            errors.Add(new ValidationError(partId, ValidationCodes.RulePartsExceedTotal,
                                rule.Message is { } custom
                                    ? $"{custom}：{Name(partField)}为{Show(part, partField)}，{Name(totalField)}为{Show(total, totalField)}{At(CellOf(partId))}"
                                    : $"{Name(partField)}（{Show(part, partField)}）不能大于{Name(totalField)}（{Show(total, totalField)}）{At(CellOf(partId))}",
                                CellOf(partId)));
                        }
                    }

                    break;

                case CrossFieldRuleKind.PartsSumToTotal:
                    var parts = rule.Others.Select(NumberOf).ToList();
                    if (parts.All(p => p is not null) && parts.Sum(p => p!.Value) is var sum && sum != total)
                    {
                        var names = string.Join("＋", rule.Others.Select(id => Name(catalog[id])));
                        errors.Add(new ValidationError(rule.Field, ValidationCodes.RulePartsSum,
                            $"{rule.Message ?? $"{names}应等于{Name(totalField)}"}：分项合计为{Show(sum, totalField)}，{Name(totalField)}为{Show(total, totalField)}{At(CellOf(rule.Field))}",
                            CellOf(rule.Field)));
                    }

                    break;

                case CrossFieldRuleKind.RatioWithin:
                    if (NumberOf(rule.Others[0]) is { } denominator && denominator != 0)
                    {
                        var ratio = total / denominator;
                        if ((rule.Min is { } min && ratio < min) || (rule.Max is { } max && ratio > max))
                        {
                            var denominatorField = catalog[rule.Others[0]];
                            warnings.Add(new ValidationError(rule.Field, ValidationCodes.RuleRatio,
                                $"{rule.Message ?? $"{Name(totalField)}与{Name(denominatorField)}的比例异常"}：{Name(totalField)}为{Show(total, totalField)}，{Name(denominatorField)}为{Show(denominator, denominatorField)}，比值{ratio.ToString("0.###", CultureInfo.InvariantCulture)}超出{Bounds(rule)}{At(CellOf(rule.Field))}",
                                CellOf(rule.Field)));
                        }
                    }

                    break;
            }
        }
    }

    private static string Message(FieldDefinition field, string code, string? text, string? cell)
    {
        var received = $"收到“{text?.Trim()}”{At(cell)}";
        return code switch
        {
            ValidationCodes.NotANumber => $"{Name(field)}应为数字，{received}",
            ValidationCodes.NotAnInteger => $"{Name(field)}应为整数，{received}",
            ValidationCodes.TooManyDecimals => $"{Name(field)}最多保留 {field.Precision} 位小数，{received}",
            ValidationCodes.OutOfRange => $"{Name(field)}应在{RangeText(field)}之间，{received}",
            ValidationCodes.NotAnOption => $"{Name(field)}只能填写：{string.Join("、", field.Options.Select(o => o.Label))}，{received}",
            ValidationCodes.NotADate => $"{Name(field)}应为日期，如 2026-11-03 或 2026年11月3日，{received}",
            ValidationCodes.NotABoolean => $"{Name(field)}应填“是”或“否”，{received}",
            ValidationCodes.TextTooLong => $"{Name(field)}最多 {field.MaxLength} 个字，收到 {text?.Trim().Length} 个字{At(cell)}",
            _ => $"{Name(field)}填写有误，{received}",
        };
    }

    private static string Name(FieldDefinition field) =>
        string.IsNullOrEmpty(field.Unit) ? $"“{field.Name}”" : $"“{field.Name}”（{field.Unit}）";

    private static string At(string? cell) => cell is null ? "" : $"（单元格 {cell}）";

    private static string Show(decimal value, FieldDefinition field) => ValueNormaliser.FormatNumber(value) + (field.Unit ?? "");

    private static string RangeText(FieldDefinition field)
    {
        var min = field.Min is { } a ? ValueNormaliser.FormatNumber(a) : "-∞";
        var max = field.Max is { } b ? ValueNormaliser.FormatNumber(b) : "+∞";
        return $" {min} 到 {max}{field.Unit} ";
    }

    private static string Bounds(CrossFieldRule rule) =>
        $"范围 {(rule.Min is { } min ? ValueNormaliser.FormatNumber(min) : "-∞")}～{(rule.Max is { } max ? ValueNormaliser.FormatNumber(max) : "+∞")}";

}
