using System.Globalization;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Quality;
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
/// The stored values of another period that a rule spanning frequencies reads: the period of another kind that ends
/// when the submitted one ends (期末数): 2026-09 for a 2026-Q3 submission, 2026-Q3 for a 2026-09 one.
/// </summary>
public sealed record RelatedPeriodValues(Period Period, IReadOnlyDictionary<string, FieldValue> Values);

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
    public ValidationOutcome Validate(IReadOnlyList<RawValue> raw, IReadOnlyDictionary<string, FieldValue> current, PeriodKind? periodKind) =>
        Validate(raw, current, periodKind, period: null, related: [], previous: null);

    /// <summary>
    /// Validates a submission for <paramref name="period"/>. A rule whose fields are collected at different frequencies
    /// reads the fields of another frequency from <paramref name="related"/> (see <see cref="RelatedPeriods"/>), so a
    /// quarterly part is checked against the monthly total of the quarter's last month, and that month's total against
    /// the quarter's parts when it is submitted or corrected later.
    /// </summary>
    public ValidationOutcome Validate(
        IReadOnlyList<RawValue> raw,
        IReadOnlyDictionary<string, FieldValue> current,
        Period period,
        IReadOnlyList<RelatedPeriodValues> related) =>
        Validate(raw, current, period.Kind, period, related, previous: null);

    /// <summary>
    /// As above, and each incoming number is also held against its soft range and against <paramref name="previous"/>
    /// (the org's stored values of <c>period.Previous()</c>) by <see cref="QualityRules"/>: findings are warnings.
    /// </summary>
    public ValidationOutcome Validate(
        IReadOnlyList<RawValue> raw,
        IReadOnlyDictionary<string, FieldValue> current,
        Period period,
        IReadOnlyList<RelatedPeriodValues> related,
        IReadOnlyDictionary<string, FieldValue>? previous) =>
        Validate(raw, current, period.Kind, period, related, previous);

    /// <summary>
    /// The periods of other kinds whose stored values the rules read for a submission to <paramref name="period"/>:
    /// for each frequency that shares a rule with a field collected at the period's own frequency, the period of that
    /// frequency ending when <paramref name="period"/> ends. A month that ends no quarter shares nothing with quarters.
    /// </summary>
    public IReadOnlyList<Period> RelatedPeriods(Period period)
    {
        var kinds = new HashSet<PeriodKind>();
        foreach (var rule in catalog.Rules)
        {
            var frequencies = FieldsOf(rule).Select(id => catalog.Find(id)?.Frequency).OfType<PeriodKind>().ToHashSet();
            if (frequencies.Contains(period.Kind))
            {
                kinds.UnionWith(frequencies.Where(k => k != period.Kind));
            }
        }

        return [.. kinds.Order().Select(period.SameEnd).OfType<Period>()];
    }

    private ValidationOutcome Validate(
        IReadOnlyList<RawValue> raw,
        IReadOnlyDictionary<string, FieldValue> current,
        PeriodKind? periodKind,
        Period? period,
        IReadOnlyList<RelatedPeriodValues> related,
        IReadOnlyDictionary<string, FieldValue>? previous)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(related);
        ArgumentNullException.ThrowIfNull(current);
        var values = new Dictionary<string, FieldValue>(StringComparer.Ordinal);
        var errors = new List<ValidationError>();
        var warnings = new List<ValidationError>();
        var seen = new Dictionary<string, RawValue>(StringComparer.Ordinal);
        var failed = new HashSet<string>(StringComparer.Ordinal);
        NormaliseEach(raw, periodKind, values, errors, seen, failed);

        foreach (var field in catalog.Fields)
        {
            if (field.Required && field.Source is FieldSource.Typed && (periodKind is null || field.Frequency == periodKind)
                && !values.ContainsKey(field.Id) && !current.ContainsKey(field.Id) && !failed.Contains(field.Id))
            {
                var cell = seen.GetValueOrDefault(field.Id)?.Cell;
                errors.Add(new ValidationError(field.Id, ValidationCodes.Required, $"{Name(field)}是必填项，不能为空{At(cell)}", cell));
            }
        }

        var relatedByKind = related.GroupBy(r => r.Period.Kind).ToDictionary(g => g.Key, g => g.First());
        CheckRules(values, current, periodKind, period, relatedByKind, failed, seen, errors, warnings);
        CheckQuality(values, previous, seen, warnings);
        return new ValidationOutcome(values, errors, warnings);
    }

    /// <summary>
    /// Each value on its own — a field of the one table, sent once, of its type, in its range, one of its options, not
    /// derived, collected at <paramref name="periodKind"/> — without the rules that need the rest of an org's values
    /// (required fields, cross-field rules, quality). A department's pre-fill row is held to this; the village's own
    /// submission then checks the rules against what it types.
    /// </summary>
    public ValidationOutcome ValidateEach(IReadOnlyList<RawValue> raw, PeriodKind periodKind)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var values = new Dictionary<string, FieldValue>(StringComparer.Ordinal);
        var errors = new List<ValidationError>();
        NormaliseEach(raw, periodKind, values, errors, new Dictionary<string, RawValue>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
        return new ValidationOutcome(values, errors, []);
    }

    private void NormaliseEach(
        IReadOnlyList<RawValue> raw,
        PeriodKind? periodKind,
        Dictionary<string, FieldValue> values,
        List<ValidationError> errors,
        Dictionary<string, RawValue> seen,
        HashSet<string> failed)
    {
        foreach (var item in raw)
        {
            var field = catalog.Find(item.FieldId);
            if (field is null)
            {
                // The id is the user's own text: quoted as a bounded excerpt, and the error carries the excerpt too,
                // because problem+json and errors.json list the field ids as well as the messages.
                var quoted = UserText.Excerpt(item.FieldId);
                errors.Add(new ValidationError(quoted, ValidationCodes.UnknownField,
                    $"一表通中没有编号为“{quoted}”的指标{At(item.Cell)}，请使用本期下载的最新表格", item.Cell));
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
    }

    /// <summary>Soft range and change against last period: the one rule the consolidation's 数据质量 list applies too.</summary>
    private void CheckQuality(
        Dictionary<string, FieldValue> values,
        IReadOnlyDictionary<string, FieldValue>? previous,
        Dictionary<string, RawValue> seen,
        List<ValidationError> warnings)
    {
        foreach (var (id, value) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (value.Number is not { } number)
            {
                continue;
            }

            decimal? last = previous is not null && previous.TryGetValue(id, out var p) ? p.Number : null;
            var cell = seen.GetValueOrDefault(id)?.Cell;
            foreach (var finding in QualityRules.Check(catalog[id], number, last))
            {
                warnings.Add(new ValidationError(id, finding.Code, finding.Message + At(cell), cell));
            }
        }
    }

    private static IEnumerable<string> FieldsOf(CrossFieldRule rule) => rule.Others.Prepend(rule.Field);

    private void CheckRules(
        Dictionary<string, FieldValue> values,
        IReadOnlyDictionary<string, FieldValue> current,
        PeriodKind? periodKind,
        Period? period,
        Dictionary<PeriodKind, RelatedPeriodValues> related,
        HashSet<string> failed,
        Dictionary<string, RawValue> seen,
        List<ValidationError> errors,
        List<ValidationError> warnings)
    {
        // A field collected at the submission's own frequency is read from the upload over the stored values; one of
        // another frequency from the period of that frequency ending with this one (期末数), when there is one.
        bool IsHere(string id) => periodKind is null || catalog[id].Frequency == periodKind;

        decimal? NumberOf(string id) =>
            !IsHere(id) ? (related.TryGetValue(catalog[id].Frequency, out var other) && other.Values.TryGetValue(id, out var o) ? o.Number : null)
            : failed.Contains(id) ? null
            : values.TryGetValue(id, out var v) ? v.Number
            : current.TryGetValue(id, out var c) ? c.Number
            : null;

        // When a rule compares two periods, both are named: “2026年第三季度的…不能大于2026年9月的…”.
        string Label(string id, bool crossing)
        {
            var field = catalog[id];
            if (!crossing || period is not { } own)
            {
                return Name(field);
            }

            var of = IsHere(id) ? own : related[field.Frequency].Period;
            return $"{of.ToDisplayString()}的{Name(field)}";
        }

        // The error belongs to a field of this submission, where the clerk can change it.
        string Blame(string preferred, string fallback) => IsHere(preferred) ? preferred : fallback;

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
                        // Two values of other periods are not this submission's to answer for.
                        if (!IsHere(partId) && !IsHere(rule.Field))
                        {
                            continue;
                        }

                        if (NumberOf(partId) is { } part && part > total)
                        {
                            var partField = catalog[partId];
                            var crossing = IsHere(partId) != IsHere(rule.Field);
                            var blamed = Blame(partId, rule.Field);
                            var partName = Label(partId, crossing);
                            var totalName = Label(rule.Field, crossing);
                            errors.Add(new ValidationError(blamed, ValidationCodes.RulePartsExceedTotal,
                                rule.Message is { } custom
                                    ? $"{custom}：{partName}为{Show(part, partField)}，{totalName}为{Show(total, totalField)}{At(CellOf(blamed))}"
                                    : $"{partName}（{Show(part, partField)}）不能大于{totalName}（{Show(total, totalField)}）{At(CellOf(blamed))}",
                                CellOf(blamed)));
                        }
                    }

                    break;

                case CrossFieldRuleKind.PartsSumToTotal:
                    var parts = rule.Others.Select(NumberOf).ToList();
                    if (parts.All(p => p is not null) && parts.Sum(p => p!.Value) is var sum && sum != total)
                    {
                        var crossing = FieldsOf(rule).Any(id => !IsHere(id));
                        var blamed = Blame(rule.Field, rule.Others.FirstOrDefault(IsHere) ?? rule.Field);
                        var names = string.Join("＋", rule.Others.Select(id => Label(id, crossing)));
                        var totalName = Label(rule.Field, crossing);
                        errors.Add(new ValidationError(blamed, ValidationCodes.RulePartsSum,
                            $"{(crossing ? $"{names}应等于{totalName}" : rule.Message ?? $"{names}应等于{totalName}")}：分项合计为{Show(sum, totalField)}，{totalName}为{Show(total, totalField)}{At(CellOf(blamed))}",
                            CellOf(blamed)));
                    }

                    break;

                case CrossFieldRuleKind.RatioWithin:
                    if (NumberOf(rule.Others[0]) is { } denominator && denominator != 0)
                    {
                        var ratio = total / denominator;
                        if ((rule.Min is { } min && ratio < min) || (rule.Max is { } max && ratio > max))
                        {
                            var denominatorField = catalog[rule.Others[0]];
                            var crossing = IsHere(rule.Field) != IsHere(rule.Others[0]);
                            var blamed = Blame(rule.Field, rule.Others[0]);
                            var numeratorName = Label(rule.Field, crossing);
                            var denominatorName = Label(rule.Others[0], crossing);
                            warnings.Add(new ValidationError(blamed, ValidationCodes.RuleRatio,
                                $"{rule.Message ?? $"{numeratorName}与{denominatorName}的比例异常"}：{numeratorName}为{Show(total, totalField)}，{denominatorName}为{Show(denominator, denominatorField)}，比值{ratio.ToString("0.###", CultureInfo.InvariantCulture)}超出{Bounds(rule)}{At(CellOf(blamed))}",
                                CellOf(blamed)));
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
