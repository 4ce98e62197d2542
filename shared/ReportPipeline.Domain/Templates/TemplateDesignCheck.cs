using System.Globalization;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Domain.Templates;

/// <summary>One column of a proposed department report: its header texts (top to bottom) and, from template JSON, a field or an expression.</summary>
public sealed record ProposedColumn(IReadOnlyList<string> Headers, string? Id = null, string? FieldId = null, string? Expression = null);

/// <summary>A department report before it reaches a village: from the catalog's template JSON or an .xlsx header block.</summary>
public sealed record TemplateProposal(string? Title, string? Department, PeriodKind PeriodKind, IReadOnlyList<ProposedColumn> Columns);

public enum ColumnVerdictKind
{
    /// <summary>The one table holds it (by id, name or alias).</summary>
    Existing,
    /// <summary>Computed from fields the one table holds.</summary>
    Derivable,
    /// <summary>Resembles an existing field under another name: a duplicate unless the department shows otherwise.</summary>
    NearMatch,
    /// <summary>Genuinely new: the only extra typing for villages.</summary>
    New,
    /// <summary>The column itself is wrong (a bad expression, an unknown field id); <see cref="ColumnVerdict.Message"/> says why.</summary>
    Invalid,
}

/// <summary>
/// The verdict on one column. Header and messages quote the department's text only through
/// <see cref="UserText.Excerpt"/>. <see cref="Candidates"/> lists near-matching fields (for <see cref="ColumnVerdictKind.NearMatch"/>),
/// or every field an ambiguous exact name names.
/// </summary>
public sealed record ColumnVerdict(
    int Index,
    string Header,
    ColumnVerdictKind Kind,
    string? FieldId,
    string? FieldName,
    NameMatchKind? MatchedBy,
    string? Expression,
    IReadOnlyList<NameCandidate> Candidates,
    string Message);

/// <summary>
/// The answer for a whole proposal. <see cref="ExtraEntriesPerVillagePerYear"/> = new fields × reports per year
/// (12 monthly, 4 quarterly, 1 yearly): what the report would add to every village's typing.
/// </summary>
public sealed record TemplateDesignResult(
    string? Title,
    PeriodKind PeriodKind,
    int PeriodsPerYear,
    IReadOnlyList<ColumnVerdict> Columns,
    string CatalogVersion)
{
    public int Existing => Count(ColumnVerdictKind.Existing);
    public int Derivable => Count(ColumnVerdictKind.Derivable);
    public int NearMatches => Count(ColumnVerdictKind.NearMatch);
    public int New => Count(ColumnVerdictKind.New);
    public int Invalid => Count(ColumnVerdictKind.Invalid);
    public int ExtraEntriesPerVillagePerYear => New * PeriodsPerYear;

    /// <summary>True when some "new" column duplicates an existing field under another name, or a column is invalid: the proposal is refused.</summary>
    public bool IsRefused => NearMatches > 0 || Invalid > 0;

    private int Count(ColumnVerdictKind kind) => Columns.Count(c => c.Kind == kind);
}

/// <summary>
/// The design check (数据规范治理): classifies every column of a proposed report against the one table, with the same
/// <see cref="FieldNameMatcher"/> that <c>catalog check</c> uses.
/// <list type="number">
/// <item>A field id or an expression given in template JSON: existing / derivable when every field it names exists.</item>
/// <item>Otherwise the header text — the leaf, and for multi-row headers the joined path (户籍人口 + 男 → 户籍人口男 =
/// 户籍人口（男）), the path first because a bare leaf such as 户数 names a different item under each parent.</item>
/// <item>A 合计/小计/总计 leaf whose sibling columns (same parent headers) are all fields: derivable, their sum; an
/// X占比/X比例/X比重 whose X is a field that a catalog part rule places under a total: derivable, percent(X, total).</item>
/// <item>Exact by id, name or alias → existing; else near-matches at or above the threshold → near-match (refused);
/// else new.</item>
/// </list>
/// </summary>
public static class TemplateDesignCheck
{
    private static readonly string[] s_sumLeaves = ["合计", "小计", "总计", "总数", "共计"];
    private static readonly string[] s_ratioSuffixes = ["所占比例", "占比", "比例", "比重"];

    private static readonly (System.Text.RegularExpressions.Regex Pattern, decimal Scale)[] s_ratioPhrasings =
    [
        (new(@"^(?<x>.+?)占(?<y>.+?)(?:的)?(?:比例|比重|百分比|百分率)$", System.Text.RegularExpressions.RegexOptions.CultureInvariant), 100m),
        (new(@"^(?<x>.+?)与(?<y>.+?)(?:之比|的比值|的比率|比值)$", System.Text.RegularExpressions.RegexOptions.CultureInvariant), 1m),
    ];

    public static int PeriodsPerYear(PeriodKind kind) => kind switch
    {
        PeriodKind.Month => 12,
        PeriodKind.Quarter => 4,
        _ => 1,
    };

    public static TemplateDesignResult Check(TemplateProposal proposal, FieldNameMatcher matcher)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(matcher);
        var catalog = matcher.Catalog;
        var verdicts = new ColumnVerdict?[proposal.Columns.Count];

        // Plain columns first, so that a 合计 column can look at its siblings' verdicts.
        for (var i = 0; i < proposal.Columns.Count; i++)
        {
            var column = proposal.Columns[i];
            if (!IsSumLeaf(column))
            {
                verdicts[i] = Classify(i, column, matcher);
            }
        }

        for (var i = 0; i < proposal.Columns.Count; i++)
        {
            if (verdicts[i] is null)
            {
                var column = proposal.Columns[i];
                verdicts[i] = SumOfSiblings(i, column, proposal.Columns, verdicts, catalog) ?? Classify(i, column, matcher);
            }
        }

        return new TemplateDesignResult(
            proposal.Title is null ? null : UserText.Excerpt(proposal.Title),
            proposal.PeriodKind,
            PeriodsPerYear(proposal.PeriodKind),
            [.. verdicts.Select(v => Enforce(v!, proposal.PeriodKind, catalog))],
            catalog.Version);
    }

    /// <summary>The header as one text: distinct header texts top to bottom, joined.</summary>
    public static string PathOf(ProposedColumn column) =>
        string.Concat(Distinct(column.Headers));

    private static ColumnVerdict Classify(int index, ProposedColumn column, FieldNameMatcher matcher)
    {
        var catalog = matcher.Catalog;
        var header = Display(column);
        if (column.Expression is { } text)
        {
            if (!ColumnExpression.TryParse(text, out var expression, out var error))
            {
                return Verdict(index, header, ColumnVerdictKind.Invalid, message: $"表达式有误：{UserText.Excerpt(error, 120)}");
            }

            var unknown = expression!.FieldIds().Where(id => !catalog.Contains(id)).ToList();
            return unknown.Count > 0
                ? Verdict(index, header, ColumnVerdictKind.Invalid, message: $"表达式引用了一表中没有的指标：{string.Join("、", unknown.Take(5).Select(id => UserText.Excerpt(id)))}")
                : Verdict(index, header, ColumnVerdictKind.Derivable, expression: expression.ToString(),
                    message: $"可由一表已有指标计算：{expression}，无需填报");
        }

        if (column.FieldId is { } fieldId)
        {
            return catalog.Find(fieldId) is { } byId
                ? Verdict(index, header, ColumnVerdictKind.Existing, byId, NameMatchKind.Id, message: Held(byId))
                : Verdict(index, header, ColumnVerdictKind.Invalid, message: $"一表中没有编号为“{UserText.Excerpt(fieldId)}”的指标；新增指标请只写表头，不写 field");
        }

        var texts = Distinct(column.Headers);
        if (texts.Count == 0)
        {
            return Verdict(index, header, ColumnVerdictKind.Invalid, message: "该列没有表头文字");
        }

        if (Ratio(index, header, texts[^1], catalog, matcher) is { } ratio)
        {
            return ratio;
        }

        foreach (var phrase in texts.Count == 1 ? [texts[0]] : new[] { texts[^1], string.Concat(texts) })
        {
            if (RatioBetween(index, header, phrase, matcher) is { } between)
            {
                return between;
            }
        }

        // The joined path first (it carries the parent's meaning), then the bare leaf.
        // A bare unit leaf (人, 户) says nothing on its own.
        var attempts = texts.Count == 1 ? [texts[0]]
            : matcher.Normalise(texts[^1]).Length >= 2 ? new[] { string.Concat(texts), texts[^1] } : [string.Concat(texts)];
        foreach (var attempt in attempts)
        {
            var exact = matcher.FindExact(attempt);
            if (exact.Count > 0)
            {
                var first = exact[0];
                var candidates = exact.Count > 1
                    ? exact.Select(m => new NameCandidate(m.Field.Id, m.Field.Name, m.Field.Name, 1m)).ToList()
                    : [];
                var message = exact.Count > 1
                    ? $"一表已有，但该名称同时是 {string.Join("、", exact.Select(m => $"{m.Field.Name}（{m.Field.Id}）"))} 的名称或别名，请确认是哪一项"
                    : Held(first.Field);
                return Verdict(index, header, ColumnVerdictKind.Existing, first.Field, first.Kind, candidates: candidates, message: message);
            }

            var near = matcher.FindNear(attempt);
            if (near.Count > 0)
            {
                return Verdict(index, header, ColumnVerdictKind.NearMatch, candidates: near,
                    message: $"与一表已有指标 {string.Join("、", near.Select(c => $"{c.FieldName}（{c.FieldId}，相似度 {FieldNameMatcher.Format(c.Score)}）"))} 近似，疑为同一指标换了名称，请直接引用已有指标");
            }
        }

        return Verdict(index, header, ColumnVerdictKind.New, message: "一表中没有此项，属新增指标，村（社区）需要填报");
    }

    /// <summary>X占比 over a field that a part rule puts under a total: percent(X, total).</summary>
    private static ColumnVerdict? Ratio(int index, string header, string leaf, FieldCatalog catalog, FieldNameMatcher matcher)
    {
        var suffix = s_ratioSuffixes.FirstOrDefault(s => leaf.EndsWith(s, StringComparison.Ordinal) && leaf.Length > s.Length);
        if (suffix is null)
        {
            return null;
        }

        var part = matcher.FindExact(leaf[..^suffix.Length]).FirstOrDefault()?.Field;
        if (part is null || !part.IsNumeric)
        {
            return null;
        }

        var total = catalog.Rules
            .Where(r => r.Kind is CrossFieldRuleKind.PartsSumToTotal or CrossFieldRuleKind.PartsNotExceedTotal && r.Others.Contains(part.Id, StringComparer.Ordinal))
            .Select(r => catalog.Find(r.Field))
            .FirstOrDefault(f => f is not null);
        if (total is null)
        {
            return null;
        }

        var expression = new ColumnExpression.Ratio(new ColumnExpression.FieldRef(part.Id), new ColumnExpression.FieldRef(total.Id), 100m);
        return Verdict(index, header, ColumnVerdictKind.Derivable, expression: expression.ToString(),
            message: $"可由一表已有指标计算：{part.Name} ÷ {total.Name} × 100%（{expression}），无需填报");
    }

    /// <summary>
    /// "X占Y比例", "X占Y的比重", "X占Y百分比" (percent) and "X与Y之比", "X与Y的比值" (ratio), where X and Y are numeric fields
    /// of the one table by name or alias: derivable, whatever rule relates them.
    /// </summary>
    private static ColumnVerdict? RatioBetween(int index, string header, string text, FieldNameMatcher matcher)
    {
        var plain = StripUnit(text);
        foreach (var (pattern, scale) in s_ratioPhrasings)
        {
            var match = pattern.Match(plain);
            if (!match.Success)
            {
                continue;
            }

            var numerator = matcher.FindExact(match.Groups["x"].Value).FirstOrDefault()?.Field;
            var denominator = matcher.FindExact(match.Groups["y"].Value).FirstOrDefault()?.Field;
            if (numerator is not { IsNumeric: true } || denominator is not { IsNumeric: true } || numerator.Id == denominator.Id)
            {
                continue;
            }

            var expression = new ColumnExpression.Ratio(new ColumnExpression.FieldRef(numerator.Id), new ColumnExpression.FieldRef(denominator.Id), scale);
            return Verdict(index, header, ColumnVerdictKind.Derivable, expression: expression.ToString(),
                message: $"可由一表已有指标计算：{numerator.Name} ÷ {denominator.Name}{(scale == 100m ? " × 100%" : "")}（{expression}），无需填报");
        }

        return null;
    }

    /// <summary>
    /// The column rules the catalog loader applies (<see cref="TemplateColumnRules"/>): a column the one table holds or can
    /// derive is still refused when the catalog would refuse it (an expression over text, a field collected less often).
    /// </summary>
    private static ColumnVerdict Enforce(ColumnVerdict verdict, PeriodKind kind, FieldCatalog catalog)
    {
        IReadOnlyCollection<string> reads;
        bool isExpression;
        if (verdict.Kind == ColumnVerdictKind.Existing && verdict.FieldId is { } fieldId)
        {
            (reads, isExpression) = ([fieldId], false);
        }
        else if (verdict.Kind == ColumnVerdictKind.Derivable && verdict.Expression is { } text && ColumnExpression.TryParse(text, out var expression, out _))
        {
            (reads, isExpression) = (expression!.FieldIds().ToList(), true);
        }
        else
        {
            return verdict;
        }

        var problems = TemplateColumnRules.Problems(reads, isExpression, kind, catalog.Find).ToList();
        return problems.Count == 0
            ? verdict
            : verdict with { Kind = ColumnVerdictKind.Invalid, Message = string.Join("；", problems) };
    }

    /// <summary>A 合计 column under a parent header whose other columns are all fields of the one table: their sum.</summary>
    private static ColumnVerdict? SumOfSiblings(int index, ProposedColumn column, IReadOnlyList<ProposedColumn> columns, ColumnVerdict?[] verdicts, FieldCatalog catalog)
    {
        var parents = Distinct(column.Headers).SkipLast(1).ToList();
        if (parents.Count == 0)
        {
            return null;
        }

        var siblings = new List<string>();
        for (var j = 0; j < columns.Count; j++)
        {
            if (j == index || IsSumLeaf(columns[j]) || !Distinct(columns[j].Headers).SkipLast(1).SequenceEqual(parents, StringComparer.Ordinal))
            {
                continue;
            }

            if (verdicts[j] is not { Kind: ColumnVerdictKind.Existing, FieldId: { } id } || catalog.Find(id) is not { IsNumeric: true })
            {
                return null;
            }

            siblings.Add(id);
        }

        if (siblings.Count < 2)
        {
            return null;
        }

        var expression = new ColumnExpression.Sum([.. siblings.Distinct(StringComparer.Ordinal).Select(id => (ColumnExpression)new ColumnExpression.FieldRef(id))]);
        return Verdict(index, Display(column), ColumnVerdictKind.Derivable, expression: expression.ToString(),
            message: $"同组各列之和（{expression}），无需填报");
    }

    private static bool IsSumLeaf(ProposedColumn column) =>
        column.FieldId is null && column.Expression is null && column.Headers.Count > 1
        && Distinct(column.Headers) is { Count: > 1 } texts
        && s_sumLeaves.Contains(StripUnit(texts[^1]), StringComparer.Ordinal);

    private static string StripUnit(string text)
    {
        var folded = text.Normalize(System.Text.NormalizationForm.FormKC).Trim();
        var open = folded.IndexOf('(', StringComparison.Ordinal);
        return open > 0 ? folded[..open].Trim() : folded;
    }

    private static List<string> Distinct(IReadOnlyList<string> headers)
    {
        var texts = new List<string>(headers.Count);
        foreach (var header in headers)
        {
            var trimmed = header?.Trim() ?? "";
            if (trimmed.Length > 0 && (texts.Count == 0 || !string.Equals(texts[^1], trimmed, StringComparison.Ordinal)))
            {
                texts.Add(trimmed);
            }
        }

        return texts;
    }

    private static string Display(ProposedColumn column) =>
        UserText.Excerpt(string.Join("/", Distinct(column.Headers)));

    private static string Held(FieldDefinition field) =>
        string.Create(CultureInfo.InvariantCulture, $"一表已有：{field.Name}（{field.Id}），按{field.Frequency.ChineseName()}采集");

    private static ColumnVerdict Verdict(
        int index,
        string header,
        ColumnVerdictKind kind,
        FieldDefinition? field = null,
        NameMatchKind? matchedBy = null,
        string? expression = null,
        IReadOnlyList<NameCandidate>? candidates = null,
        string message = "") =>
        new(index, header, kind, field?.Id, field?.Name, matchedBy, expression, candidates ?? [], message);
}
