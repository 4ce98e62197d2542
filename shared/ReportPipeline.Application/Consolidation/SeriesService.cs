using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Application.Consolidation;

/// <summary>One unit's aggregate of a field for each period of a series; null where there is no number (未报, text, a zero denominator).</summary>
public sealed record SeriesLine(string Org, string Name, IReadOnlyList<decimal?> Values, IReadOnlyList<int> Reported);

/// <summary>A field over periods for an office and each of its direct children.</summary>
public sealed record FieldSeries(FieldDefinition Field, IReadOnlyList<Period> Periods, SeriesLine Self, IReadOnlyList<SeriesLine> Children);

/// <summary>
/// The trend and comparison behind the office's chart: a field for an office and each of its direct children over the
/// last N periods. Each unit's number is the consolidated workbook's — the same <see cref="ConsolidationBuilder"/> over a
/// one-column report of the field (sums over reported villages for additive fields, ratios recomputed from summed parts,
/// nothing for text), reported villages being those with their own receipt for the period — and each period is read once
/// for the whole subtree, only the field's inputs and the receipts.
/// </summary>
public sealed class SeriesService(ReferenceData reference, IFieldValueStore values, ReportingCalendar calendar, TimeProvider time)
{
    public const int MaxPeriods = 24;

    private static readonly IReadOnlyDictionary<string, ApprovalRecord> NoApprovals = new Dictionary<string, ApprovalRecord>();

    /// <summary>The periods of the series: <paramref name="periods"/> of them, ending at <paramref name="to"/>, oldest first, supported ones only.</summary>
    public static IReadOnlyList<Period> PeriodsEndingAt(Period to, int periods)
    {
        var list = new List<Period>(periods);
        for (var (p, i) = (to, 0); i < periods && p.IsSupported; p = p.Previous(), i++)
        {
            list.Add(p);
        }

        list.Reverse();
        return list;
    }

    /// <param name="office">A township, district or city (a village has no children to compare).</param>
    public async Task<FieldSeries> GetAsync(Org office, FieldDefinition field, Period to, int periods, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(office);
        ArgumentNullException.ThrowIfNull(field);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(periods, MaxPeriods);
        var catalog = reference.Catalog.Catalog;
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var subtree = orgs.Subtree(office.Code, includeSelf: true).ToList();
        var villages = subtree.Where(o => o.Level == OrgLevel.Village).Select(o => o.Code).ToList();
        var column = OneColumn(field);
        var inputs = column.Expression?.FieldIds().ToList() ?? [field.Id];
        var report = new ReportTemplate
        {
            Id = "series",
            Department = "",
            Title = field.Name,
            PeriodKind = to.Kind,
            AudienceLevels = [office.Level],
            Columns = [column],
        };

        var children = orgs.Children(office.Code);
        var self = (Values: new List<decimal?>(), Reported: new List<int>());
        var byChild = children.ToDictionary(c => c.Code, _ => (Values: new List<decimal?>(), Reported: new List<int>()), StringComparer.Ordinal);
        var series = PeriodsEndingAt(to, periods);
        foreach (var period in series)
        {
            var read = new Dictionary<string, OrgValues>(StringComparer.Ordinal);
            await foreach (var orgValues in values.ReadManyAsync(period, villages, inputs, cancellationToken))
            {
                read[orgValues.OrgCode] = orgValues;
            }

            // Reported as in the workbook: a village with its own receipt for the period (pre-filled values are no report).
            var receipts = new Dictionary<string, MergeReceipt>(StringComparer.Ordinal);
            await foreach (var receipt in values.ReadLatestReceiptsAsync(period, villages, cancellationToken))
            {
                receipts[receipt.OrgCode] = receipt;
            }

            // The series shows numbers and counts only: no review states, and its watermark is never compared.
            var built = ConsolidationBuilder.Build(report, catalog, subtree, office.Code, period, read, receipts, NoApprovals, calendar,
                ConsolidationBuilder.ComputeWatermark(report, catalog.Version, subtree, receipts, NoApprovals), time.GetUtcNow(), dataAsOf: null);
            foreach (var row in built.Main.Rows)
            {
                var target = row.Kind == ReportRowKind.Total ? self : row.OrgCode is { } code && byChild.TryGetValue(code, out var line) ? line : default;
                target.Values?.Add(row.Cells[0].Number);
                target.Reported?.Add(row.ReportedCount);
            }
        }

        return new FieldSeries(
            field,
            series,
            new SeriesLine(office.Code, office.Name, self.Values, self.Reported),
            [.. children.Select(c => new SeriesLine(c.Code, c.Name, byChild[c.Code].Values, byChild[c.Code].Reported))]);
    }

    /// <summary>The field as a workbook column: itself, or for a derived field its expression (recomputed, never summed, when it is a ratio).</summary>
    private static TemplateColumn OneColumn(FieldDefinition field) => new()
    {
        Id = field.Id,
        Headers = [field.Name],
        FieldId = field.Source == FieldSource.Derived ? null : field.Id,
        Expression = field.Source == FieldSource.Derived ? ExpressionTree.OfField(field) : null,
        Unit = field.Unit,
    };
}
