using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Domain.Consolidation;

/// <summary>
/// Builds a department report for one upper-level org from its villages' stored values. Pure: no I/O, no clock.
/// Rules: only reported villages count; a unit that has not reported is empty (未报), never zero, and is excluded from
/// totals, whose labels carry the expected / reported / missing counts; additive columns are summed; ratio columns are
/// recomputed from the summed parts.
/// </summary>
public static class ConsolidationBuilder
{
    /// <summary>Builds the report for <paramref name="orgCode"/> from the registry's subtree of that org.</summary>
    public static ConsolidatedReport Build(
        ReportTemplate template,
        FieldCatalog catalog,
        OrgRegistry orgs,
        string orgCode,
        Period period,
        IReadOnlyDictionary<string, OrgValues> valuesByOrg,
        IReadOnlyDictionary<string, MergeReceipt> periodReceipts,
        IReadOnlyDictionary<string, ApprovalRecord> approvals,
        ReportingCalendar calendar,
        InputWatermark watermark,
        DateTimeOffset generatedAt,
        DateTimeOffset? dataAsOf)
    {
        ArgumentNullException.ThrowIfNull(orgs);
        return Build(template, catalog, orgs.Subtree(orgCode, includeSelf: true), orgCode, period, valuesByOrg, periodReceipts, approvals, calendar, watermark, generatedAt, dataAsOf);
    }

    /// <param name="orgs">Every org of the root's subtree (more is fine: others are ignored).</param>
    /// <param name="periodReceipts">
    /// Each village's latest receipt for <paramref name="period"/> itself: only a report for the workbook's own period makes
    /// a village reported (a quarter's last month is not the quarter, and pre-filled values alone are no report).
    /// </param>
    /// <param name="approvals">The period's review states by org: each unit row and each village of 填报情况 shows its 审核状态.</param>
    /// <param name="calendar">The reporting calendar deciding reported / late / missing (the one <c>/status</c> uses).</param>
    /// <param name="watermark">
    /// The inputs' fingerprint the caller decided to build by (<see cref="ComputeWatermark(ReportTemplate, string, IEnumerable{Org}, IReadOnlyDictionary{string, MergeReceipt}, IReadOnlyDictionary{string, ApprovalRecord})"/>),
    /// carried by the report and its roll-up.
    /// </param>
    public static ConsolidatedReport Build(
        ReportTemplate template,
        FieldCatalog catalog,
        IEnumerable<Org> orgs,
        string orgCode,
        Period period,
        IReadOnlyDictionary<string, OrgValues> valuesByOrg,
        IReadOnlyDictionary<string, MergeReceipt> periodReceipts,
        IReadOnlyDictionary<string, ApprovalRecord> approvals,
        ReportingCalendar calendar,
        InputWatermark watermark,
        DateTimeOffset generatedAt,
        DateTimeOffset? dataAsOf)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(orgs);
        ArgumentNullException.ThrowIfNull(valuesByOrg);
        ArgumentNullException.ThrowIfNull(periodReceipts);
        ArgumentNullException.ThrowIfNull(approvals);
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(watermark);

        var tree = new OrgTree(orgs);
        var root = tree.Get(orgCode) ?? throw new ArgumentException($"Org {orgCode} is not in the registry.", nameof(orgCode));
        if (root.Level == OrgLevel.Village)
        {
            throw new ArgumentException($"Org {orgCode} is a village; reports are consolidated for upper levels only.", nameof(orgCode));
        }

        var columns = template.Columns.Select(c => new ColumnPlan(c, catalog)).ToArray();
        var villages = tree.Villages(root);
        var byVillage = new Dictionary<string, Tally>(villages.Count, StringComparer.Ordinal);
        var completeness = new List<CompletenessRow>(villages.Count);
        foreach (var village in villages)
        {
            var values = valuesByOrg.GetValueOrDefault(village.Code);
            var receipt = periodReceipts.GetValueOrDefault(village.Code);
            var firstReportedAt = receipt?.FirstReportedAt;

            var status = calendar.StatusOf(period, firstReportedAt);
            var reported = status != ReportingStatus.Missing;
            // Pre-filled data is not a report: a unit marked 未报 shows no submission and no channel.
            var submissionId = reported ? receipt?.SubmissionId : null;
            byVillage[village.Code] = Tally.ForVillage(columns, values, reported, status == ReportingStatus.Late, submissionId, firstReportedAt);
            var township = tree.AncestorAt(village, OrgLevel.Township);
            var district = tree.AncestorAt(village, OrgLevel.District);
            completeness.Add(new CompletenessRow(
                village.Code,
                village.Name,
                township?.Name,
                district?.Name,
                status,
                firstReportedAt,
                submissionId,
                reported ? receipt?.Channel : null)
            {
                Approval = ApprovalState.Of(isVillage: true, approvals.GetValueOrDefault(village.Code), receipt?.LastReportedAt).Name,
            });
        }

        var villageApproval = completeness.ToDictionary(c => c.OrgCode, c => c.Approval!, StringComparer.Ordinal);

        Tally TallyOf(Org org) => org.Level == OrgLevel.Village
            ? byVillage[org.Code]
            : Tally.Merge(columns, tree.Villages(org).Select(v => byVillage[v.Code]));

        var children = tree.Children(root)
            .Select(c => new Branch(c, TallyOf(c), [.. tree.Children(c).Select(g => (g, TallyOf(g)))]))
            .ToList();
        return Assemble(template, catalog, columns, root, period, children, completeness, calendar, generatedAt, dataAsOf, watermark,
            org => org.Level == OrgLevel.Village ? villageApproval[org.Code] : OfficeApproval(approvals, org));
    }

    /// <summary>An office's 审核状态 (待审核 until it is approved or returned).</summary>
    private static string OfficeApproval(IReadOnlyDictionary<string, ApprovalRecord> approvals, Org org)
        => ApprovalState.Of(isVillage: false, approvals.GetValueOrDefault(org.Code), reportedAt: null).Name;

    /// <summary>
    /// Builds the report of <paramref name="orgCode"/> from its children's roll-ups (a city from its districts'), with the
    /// same rows, totals, ratios and 未报 handling as <see cref="Build(ReportTemplate, FieldCatalog, IEnumerable{Org}, string, Period, IReadOnlyDictionary{string, OrgValues}, IReadOnlyDictionary{string, MergeReceipt}, IReadOnlyDictionary{string, ApprovalRecord}, ReportingCalendar, InputWatermark, DateTimeOffset, DateTimeOffset?)"/>
    /// over the villages, without reading a village.
    /// </summary>
    /// <param name="orgs">The root and the orgs of its subtree down to the grandchildren (names, order).</param>
    /// <param name="childRollups">One roll-up per child of the root, of this template and period.</param>
    /// <param name="watermark">The inputs' watermark over all the root's villages (the caller's, from the receipts).</param>
    public static ConsolidatedReport BuildFromRollups(
        ReportTemplate template,
        FieldCatalog catalog,
        IEnumerable<Org> orgs,
        string orgCode,
        Period period,
        IReadOnlyDictionary<string, OrgRollup> childRollups,
        IReadOnlyDictionary<string, ApprovalRecord> approvals,
        ReportingCalendar calendar,
        InputWatermark watermark,
        DateTimeOffset generatedAt,
        DateTimeOffset? dataAsOf)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(orgs);
        ArgumentNullException.ThrowIfNull(childRollups);
        ArgumentNullException.ThrowIfNull(approvals);
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(watermark);
        var tree = new OrgTree(orgs);
        var root = tree.Get(orgCode) ?? throw new ArgumentException($"Org {orgCode} is not in the registry.", nameof(orgCode));
        var columns = template.Columns.Select(c => new ColumnPlan(c, catalog)).ToArray();
        var columnIds = template.Columns.Select(c => c.Id).ToList();
        var children = new List<Branch>();
        var completeness = new List<CompletenessRow>();
        var quality = new List<Quality.QualityFlag>();
        foreach (var child in tree.Children(root))
        {
            if (!childRollups.TryGetValue(child.Code, out var rollup) || rollup.TemplateId != template.Id || rollup.Period != period.ToString() || !rollup.Columns.SequenceEqual(columnIds))
            {
                throw new ArgumentException($"No roll-up of {template.Id} {period} for {child.Code}.", nameof(childRollups));
            }

            var grandchildren = tree.Children(child);
            var byCode = rollup.Children.ToDictionary(c => c.OrgCode, StringComparer.Ordinal);
            if (byCode.Count != grandchildren.Count || grandchildren.Any(g => !byCode.ContainsKey(g.Code)))
            {
                throw new ArgumentException($"The roll-up of {child.Code} does not cover its units in the registry.", nameof(childRollups));
            }

            children.Add(new Branch(child, Tally.FromSnapshot(columns, rollup.Self), [.. grandchildren.Select(g => (g, Tally.FromSnapshot(columns, byCode[g.Code])))]));
            completeness.AddRange(rollup.Completeness);
            quality.AddRange(rollup.Quality);
        }

        var report = Assemble(template, catalog, columns, root, period, children, completeness, calendar, generatedAt, dataAsOf, watermark,
            org => OfficeApproval(approvals, org));
        // The same order the quality inspector gives over the whole subtree (by village; within a village as found).
        return report with { Quality = [.. quality.OrderBy(q => q.OrgCode, StringComparer.Ordinal)] };
    }

    /// <summary>A child of the report's root with its tally and its own children's.</summary>
    private sealed record Branch(Org Org, Tally Tally, IReadOnlyList<(Org Org, Tally Tally)> Children);

    /// <summary>The rows, sections and roll-up from the children's tallies: one assembly for both ways of building.</summary>
    private static ConsolidatedReport Assemble(
        ReportTemplate template,
        FieldCatalog catalog,
        ColumnPlan[] columns,
        Org root,
        Period period,
        IReadOnlyList<Branch> children,
        IReadOnlyList<CompletenessRow> completeness,
        ReportingCalendar calendar,
        DateTimeOffset generatedAt,
        DateTimeOffset? dataAsOf,
        InputWatermark watermark,
        Func<Org, string> approvalOf)
    {
        var total = Tally.Merge(columns, children.Select(c => c.Tally));

        var mainRows = children.Select(c => c.Tally.ToRow(columns, ReportRowKind.Unit, c.Org.Code, c.Org.Name, null) with { Approval = approvalOf(c.Org) }).ToList();
        // The 合计 row is the office's own: it shows the office's review state (本级审核通过 included).
        var rootApproval = approvalOf(root);
        mainRows.Add(total.ToRow(columns, ReportRowKind.Total, root.Code, "合计", null) with { Approval = rootApproval });
        var main = new ReportSection(template.Title, UnitHeader([.. children.Select(c => c.Org)]), mainRows);

        var details = new List<ReportSection>();
        if (root.Level is OrgLevel.City or OrgLevel.District)
        {
            var detailRows = new List<ReportRow>();
            var grandchildren = new List<Org>();
            foreach (var child in children)
            {
                foreach (var (grandchild, tally) in child.Children)
                {
                    grandchildren.Add(grandchild);
                    detailRows.Add(tally.ToRow(columns, ReportRowKind.Unit, grandchild.Code, grandchild.Name, child.Org.Name) with { Approval = approvalOf(grandchild) });
                }

                detailRows.Add(child.Tally.ToRow(columns, ReportRowKind.Subtotal, child.Org.Code, child.Org.Name + "小计", child.Org.Name) with { Approval = approvalOf(child.Org) });
            }

            detailRows.Add(total.ToRow(columns, ReportRowKind.Total, root.Code, "合计", null) with { Approval = rootApproval });
            var title = root.Level == OrgLevel.District ? "分村（社区）明细" : "分乡镇（街道）明细";
            details.Add(new ReportSection(title, UnitHeader(grandchildren), detailRows));
        }

        return new ConsolidatedReport
        {
            Template = template,
            CatalogVersion = catalog.Version,
            Org = root,
            Period = period,
            Deadline = calendar.Deadline(period),
            GeneratedAt = generatedAt,
            DataAsOf = dataAsOf,
            Main = main,
            Details = details,
            Completeness = completeness,
            Definitions = [.. columns.Select(c => c.Describe())],
            Watermark = watermark,
            Rollup = new OrgRollup
            {
                TemplateId = template.Id,
                Period = period.ToString(),
                OrgCode = root.Code,
                Watermark = watermark.ToString(),
                Columns = [.. template.Columns.Select(c => c.Id)],
                Self = total.ToSnapshot(root.Code),
                Children = [.. children.Select(c => c.Tally.ToSnapshot(c.Org.Code))],
                Completeness = completeness,
            },
        };
    }

    /// <summary>
    /// The inputs' fingerprint of the workbook of a subtree's root, cheap enough to compute before deciding to rebuild:
    /// the template's shape, the catalog version, the villages and each one's latest receipt over the periods read (every
    /// change of values comes with a receipt, so the receipts alone tell whether the inputs changed), and the review
    /// states of the villages and of every office of the subtree (each is shown in the workbook, 审核状态). The one
    /// watermark: the service's skip, the build it passes it to, the city's roll-up check and the reports list's pending
    /// flag all come here.
    /// </summary>
    /// <param name="subtree">The root and every org below it.</param>
    /// <param name="latestReceiptByOrg">Each village's latest receipt over every period the template reads.</param>
    public static InputWatermark ComputeWatermark(
        ReportTemplate template,
        string catalogVersion,
        IEnumerable<Org> subtree,
        IReadOnlyDictionary<string, MergeReceipt> latestReceiptByOrg,
        IReadOnlyDictionary<string, ApprovalRecord> approvals)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(subtree);
        ArgumentNullException.ThrowIfNull(approvals);
        var villages = new List<string>();
        var offices = new List<string>();
        foreach (var org in subtree)
        {
            (org.Level == OrgLevel.Village ? villages : offices).Add(org.Code);
        }

        var shape = new StringBuilder();
        shape.Append(template.Id).Append('|').Append(template.DeadlineDays);
        foreach (var column in template.Columns)
        {
            shape.Append('|').Append(column.Id).Append(':').Append(column.FieldId).Append(':').Append(column.Expression);
        }

        return ComputeWatermark(shape.ToString(), catalogVersion, villages, latestReceiptByOrg, approvals, offices);
    }

    /// <summary>The same fingerprint for any figure computed over villages (<paramref name="shape"/> names what is computed).</summary>
    public static InputWatermark ComputeWatermark(
        string shape,
        string catalogVersion,
        IEnumerable<string> villageCodes,
        IReadOnlyDictionary<string, MergeReceipt> latestReceiptByOrg,
        IReadOnlyDictionary<string, ApprovalRecord>? approvals = null,
        IEnumerable<string>? officeCodes = null)
    {
        ArgumentNullException.ThrowIfNull(villageCodes);
        ArgumentNullException.ThrowIfNull(latestReceiptByOrg);
        var text = new StringBuilder();
        text.Append(shape).Append('|').Append(catalogVersion).Append('\n');
        var receipts = 0;
        DateTimeOffset? latest = null;
        foreach (var code in villageCodes.Order(StringComparer.Ordinal))
        {
            text.Append(code);
            if (latestReceiptByOrg.TryGetValue(code, out var receipt))
            {
                receipts++;
                latest = Max(latest, receipt.ReceivedAt);
                text.Append('|').Append(receipt.SubmissionId).Append('|').Append(receipt.ReceivedAt.UtcTicks.ToString(CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        if (approvals is not null)
        {
            // Review states shown in the workbook (审核状态): an approval, a return or an unlock changes the workbook.
            text.Append("approvals\n");
            foreach (var code in villageCodes.Concat(officeCodes ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                if (approvals.TryGetValue(code, out var record))
                {
                    text.Append(code).Append('|').Append(record.Status).Append('|').Append(record.At.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }
            }
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
        return new InputWatermark(receipts, latest, hash);
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x >= b ? x : b;

    private static string UnitHeader(IReadOnlyList<Org> units) => units.Count == 0
        ? "单位"
        : units[0].Level switch
        {
            OrgLevel.Village => "村（社区）",
            OrgLevel.Township => "乡镇（街道）",
            OrgLevel.District => "区县",
            _ => "单位",
        };

    /// <summary>How one template column is computed and aggregated.</summary>
    private sealed class ColumnPlan
    {
        public ColumnPlan(TemplateColumn column, FieldCatalog catalog)
        {
            Column = column;
            Field = column.FieldId is { } id ? catalog.Find(id) : null;
            Expression = column.Expression ?? (column.FieldId is { } f ? new ColumnExpression.FieldRef(f) : null);
            IsNumeric = column.Expression is not null || Field is { IsNumeric: true };
            IsAdditive = IsNumeric && (Expression?.IsAdditive ?? false);
            Inputs = Expression is null ? [] : [.. Expression.FieldIds()];
            Catalog = catalog;
        }

        public TemplateColumn Column { get; }
        public FieldDefinition? Field { get; }
        public ColumnExpression? Expression { get; }
        public bool IsNumeric { get; }
        public bool IsAdditive { get; }
        public IReadOnlyList<string> Inputs { get; }
        private FieldCatalog Catalog { get; }

        public ReportCell VillageCell(IReadOnlyDictionary<string, StoredValue> values, Func<string, decimal?> number)
        {
            if (IsNumeric)
            {
                return Expression?.Evaluate(number) is { } n ? new ReportCell(n, null) : ReportCell.Empty;
            }

            if (Field is null || !values.TryGetValue(Field.Id, out var stored))
            {
                return ReportCell.Empty;
            }

            return new ReportCell(null, DisplayText(Field, stored.Value));
        }

        public ColumnDefinition Describe()
        {
            var fields = Inputs.Select(Catalog.Find).OfType<FieldDefinition>().ToList();
            var source = Column.Expression is { } e
                ? $"计算：{e}（{string.Join("，", Inputs.Select(i => Catalog.Find(i)?.Name ?? i))}）"
                : Field is not null ? $"指标 {Field.Id}（{Field.Name}）" : $"指标 {Column.FieldId}（目录中不存在）";
            var aggregation = !IsNumeric ? "不汇总"
                : IsAdditive ? "求和（仅计已报单位）"
                : "由汇总后的分子、分母重新计算（不直接相加）";
            return new ColumnDefinition(
                Column.Id,
                string.Join("／", Column.Headers.Where(h => h.Length > 0).Distinct()),
                source,
                Column.Unit ?? Field?.Unit ?? "",
                Catalog.Departments.NamesOf(fields.SelectMany(f => f.Departments)),
                aggregation);
        }

        private static string DisplayText(FieldDefinition field, FieldValue value) => field.Type switch
        {
            FieldType.Boolean => value.Canonical == "true" ? "是" : "否",
            FieldType.Enum => field.Options.FirstOrDefault(o => o.Code == value.Canonical)?.Label ?? value.Canonical,
            _ => value.Canonical,
        };
    }

    /// <summary>
    /// The running sums behind a row: per-field sums (for ratio columns), per-column sums (for additive columns) and
    /// the counts. Merging tallies keeps aggregation linear in the number of villages at every level.
    /// </summary>
    private sealed class Tally
    {
        // Per column, the sums of its inputs over the units where that column has a value, so that a ratio's numerator and
        // denominator always come from the same units (a unit that left the denominator blank adds to neither).
        // Allocated only for the columns that need them (ratios), since a city workbook holds a tally per village.
        private readonly Dictionary<string, decimal>?[] _inputSums;
        private readonly decimal?[] _columnSums;
        private ReportCell[]? _villageCells;

        private Tally(int columnCount)
        {
            _columnSums = new decimal?[columnCount];
            _inputSums = new Dictionary<string, decimal>?[columnCount];
        }

        private Dictionary<string, decimal> InputSums(int column) => _inputSums[column] ??= new(StringComparer.Ordinal);

        public int Expected { get; private set; }
        public int Reported { get; private set; }
        public int Late { get; private set; }
        public List<string> SubmissionIds { get; } = [];
        public DateTimeOffset? Latest { get; private set; }

        public static Tally ForVillage(ColumnPlan[] columns, OrgValues? values, bool reported, bool late, string? submissionId, DateTimeOffset? receivedAt)
        {
            var tally = new Tally(columns.Length) { Expected = 1 };
            if (!reported)
            {
                return tally;
            }

            tally.Reported = 1;
            tally.Late = late ? 1 : 0;
            tally.Latest = receivedAt;
            if (submissionId is not null)
            {
                tally.SubmissionIds.Add(submissionId);
            }

            var stored = values?.Values ?? new Dictionary<string, StoredValue>();
            var numbers = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var (id, value) in stored)
            {
                if (value.Value.Number is { } n)
                {
                    numbers[id] = n;
                }
            }

            decimal? Number(string id) => numbers.TryGetValue(id, out var n) ? n : null;
            tally._villageCells = new ReportCell[columns.Length];
            for (var i = 0; i < columns.Length; i++)
            {
                var cell = columns[i].VillageCell(stored, Number);
                tally._villageCells[i] = cell;
                tally._columnSums[i] = cell.Number;
                if (cell.Number is not null && !columns[i].IsAdditive)
                {
                    foreach (var input in columns[i].Inputs)
                    {
                        if (numbers.TryGetValue(input, out var n))
                        {
                            tally.InputSums(i)[input] = n;
                        }
                    }
                }
            }

            return tally;
        }

        public static Tally Merge(ColumnPlan[] columns, IEnumerable<Tally> parts)
        {
            var tally = new Tally(columns.Length);
            foreach (var part in parts)
            {
                tally.Expected += part.Expected;
                if (part.Reported == 0)
                {
                    continue;
                }

                tally.Reported += part.Reported;
                tally.Late += part.Late;
                tally.SubmissionIds.AddRange(part.SubmissionIds);
                if (part.Latest is { } at)
                {
                    tally.Latest = Max(tally.Latest, at);
                }

                for (var i = 0; i < columns.Length; i++)
                {
                    if (part._inputSums[i] is { } partSums)
                    {
                        var sums = tally.InputSums(i);
                        foreach (var (id, sum) in partSums)
                        {
                            sums[id] = sums.GetValueOrDefault(id) + sum;
                        }
                    }

                    if (part._columnSums[i] is { } v)
                    {
                        tally._columnSums[i] = (tally._columnSums[i] ?? 0) + v;
                    }
                }
            }

            return tally;
        }

        public TallySnapshot ToSnapshot(string orgCode) => new()
        {
            OrgCode = orgCode,
            Expected = Expected,
            Reported = Reported,
            Late = Late,
            Latest = Latest,
            SubmissionIds = [.. SubmissionIds],
            ColumnSums = [.. _columnSums],
            InputSums = [.. _inputSums.Select(d => d is null ? null : (IReadOnlyDictionary<string, decimal>)new Dictionary<string, decimal>(d, StringComparer.Ordinal))],
        };

        public static Tally FromSnapshot(ColumnPlan[] columns, TallySnapshot snapshot)
        {
            if (snapshot.ColumnSums.Count != columns.Length || snapshot.InputSums.Count != columns.Length)
            {
                throw new ArgumentException($"The roll-up of {snapshot.OrgCode} has {snapshot.ColumnSums.Count} columns, the template {columns.Length}.", nameof(snapshot));
            }

            var tally = new Tally(columns.Length)
            {
                Expected = snapshot.Expected,
                Reported = snapshot.Reported,
                Late = snapshot.Late,
                Latest = snapshot.Latest,
            };
            tally.SubmissionIds.AddRange(snapshot.SubmissionIds);
            for (var i = 0; i < columns.Length; i++)
            {
                tally._columnSums[i] = snapshot.ColumnSums[i];
                if (snapshot.InputSums[i] is { } sums)
                {
                    tally._inputSums[i] = new Dictionary<string, decimal>(sums, StringComparer.Ordinal);
                }
            }

            return tally;
        }

        public ReportRow ToRow(ColumnPlan[] columns, ReportRowKind kind, string? code, string name, string? groupName)
        {
            var cells = new ReportCell[columns.Length];
            if (Reported > 0)
            {
                for (var i = 0; i < columns.Length; i++)
                {
                    cells[i] = _villageCells is not null ? _villageCells[i] : AggregateCell(columns[i], i);
                }
            }

            return new ReportRow
            {
                Kind = kind,
                OrgCode = code,
                Name = name,
                GroupName = groupName,
                Cells = cells,
                Expected = Expected,
                ReportedCount = Reported,
                LateCount = Late,
                SubmissionIds = SubmissionIds,
                LatestReceivedAt = Latest,
            };
        }

        private ReportCell AggregateCell(ColumnPlan column, int index)
        {
            if (!column.IsNumeric || column.Expression is null)
            {
                return ReportCell.Empty;
            }

            if (column.IsAdditive)
            {
                return _columnSums[index] is { } sum ? new ReportCell(sum, null) : ReportCell.Empty;
            }

            // A ratio of sums, not a sum of ratios: the parts are summed over the reported units where the column has a value.
            var sums = _inputSums[index];
            var value = column.Expression.Evaluate(id => sums is not null && sums.TryGetValue(id, out var s) ? s : null);
            return value is { } v ? new ReportCell(v, null) : ReportCell.Empty;
        }
    }

    /// <summary>Parent/child lookups over a flat list of orgs.</summary>
    private sealed class OrgTree
    {
        private readonly Dictionary<string, Org> _byCode;
        private readonly Dictionary<string, List<Org>> _children;
        private readonly Dictionary<string, IReadOnlyList<Org>> _villages = new(StringComparer.Ordinal);

        public OrgTree(IEnumerable<Org> orgs)
        {
            _byCode = new Dictionary<string, Org>(StringComparer.Ordinal);
            foreach (var org in orgs)
            {
                _byCode[org.Code] = org;
            }

            _children = _byCode.Values
                .Where(o => o.ParentCode is not null)
                .GroupBy(o => o.ParentCode!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.OrderBy(o => o.Code, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        }

        public Org? Get(string code) => _byCode.GetValueOrDefault(code);

        public IEnumerable<Org> All => _byCode.Values;

        public IReadOnlyList<Org> Children(Org org) => _children.GetValueOrDefault(org.Code) ?? [];

        public IReadOnlyList<Org> Villages(Org org)
        {
            if (org.Level == OrgLevel.Village)
            {
                return [org];
            }

            if (!_villages.TryGetValue(org.Code, out var villages))
            {
                villages = [.. Children(org).SelectMany(Villages)];
                _villages[org.Code] = villages;
            }

            return villages;
        }

        public Org? AncestorAt(Org org, OrgLevel level)
        {
            for (var current = org; current is not null; current = current.ParentCode is { } p ? Get(p) : null)
            {
                if (current.Level == level)
                {
                    return current;
                }
            }

            return null;
        }
    }
}
