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
/// <param name="AsOf">
/// Per period, when the oldest stored district sums it used were written (every submission a district's unit had
/// consolidated by then is in them); null where the period was computed live from the villages.
/// </param>
/// <param name="CountedLive">The districts counted live from their villages in some period (no usable stored sums).</param>
public sealed record FieldSeries(
    FieldDefinition Field,
    IReadOnlyList<Period> Periods,
    SeriesLine Self,
    IReadOnlyList<SeriesLine> Children,
    IReadOnlyList<DateTimeOffset?> AsOf,
    IReadOnlyList<string> CountedLive);

/// <summary>
/// The trend and comparison behind the office's chart: a field for an office and each of its direct children over the
/// last N periods. Each unit's number is the consolidated workbook's — the same <see cref="ConsolidationBuilder"/> over a
/// one-column report of the field (sums over reported villages for additive fields, ratios recomputed from summed parts,
/// nothing for text), reported villages being those with their own receipt for the period. A township reads its villages
/// (the field's inputs and the receipts, one district partition); a district or the city reads, per period, the field
/// sums its districts' consolidation units stored (<see cref="FieldSums"/>, one blob per district) and assembles them with
/// <see cref="ConsolidationBuilder.BuildFromRollups"/>; a district without usable sums is computed from its villages at
/// that request (and its sums stored for the next).
/// </summary>
public sealed class SeriesService(ReferenceData reference, IFieldValueStore values, FieldSums sums, ReportingCalendar calendar, TimeProvider time)
{
    public const int MaxPeriods = 24;

    private const int MaxParallelReads = 8;

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
    public Task<FieldSeries> GetAsync(Org office, FieldDefinition field, Period to, int periods, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(office);
        ArgumentNullException.ThrowIfNull(field);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(periods, MaxPeriods);
        return office.Level is OrgLevel.City or OrgLevel.District
            ? FromSumsAsync(office, field, to, periods, cancellationToken)
            : LiveAsync(office, field, to, periods, cancellationToken);
    }

    /// <summary>The series computed from every village of the office's subtree (a township's way; the reference the stored sums must equal).</summary>
    public async Task<FieldSeries> LiveAsync(Org office, FieldDefinition field, Period to, int periods, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(office);
        ArgumentNullException.ThrowIfNull(field);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(periods, MaxPeriods);
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var series = PeriodsEndingAt(to, periods);
        var built = new List<ConsolidatedReport>(series.Count);
        foreach (var period in series)
        {
            built.Add(await LivePeriodAsync(orgs, office, field, period, cancellationToken));
        }

        return Lines(orgs, office, field, series, built, [.. series.Select(_ => (DateTimeOffset?)null)], []);
    }

    /// <summary>
    /// A district or the city from its districts' stored sums: one blob read per district and period (bounded in
    /// parallel), no table read; a district without usable sums for a period is computed from its villages for that
    /// period (<see cref="FieldSums.ComputeAsync"/>, which stores them for the next reader).
    /// </summary>
    private async Task<FieldSeries> FromSumsAsync(Org office, FieldDefinition field, Period to, int periods, CancellationToken cancellationToken)
    {
        var catalog = (await reference.CatalogForAsync(null, cancellationToken)).Catalog;
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var series = PeriodsEndingAt(to, periods);
        IReadOnlyList<Org> districts = office.Level == OrgLevel.District ? [office] : orgs.Children(office.Code);
        var found = new Dictionary<(Period, string), OrgRollup>();
        var live = new HashSet<string>(StringComparer.Ordinal);
        var reads = (from period in series from district in districts select (period, district)).ToList();
        await Parallel.ForEachAsync(reads, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelReads, CancellationToken = cancellationToken }, async (read, ct) =>
        {
            var (period, district) = read;
            var rollup = await sums.GetAsync(period, district, field, catalog, orgs, withTownships: office.Level == OrgLevel.District, ct);
            if (rollup is null)
            {
                // Never consolidated (or the registry or catalog changed since): this district's villages, once (stored for the next reader).
                rollup = await sums.ComputeAsync(period, district, orgs, ct);
                lock (live)
                {
                    live.Add(district.Code);
                }
            }

            rollup = rollup with
            {
                Self = FieldSums.Column(rollup, rollup.Self, field),
                Children = [.. rollup.Children.Select(c => FieldSums.Column(rollup, c, field))],
            };

            lock (found)
            {
                found[(period, district.Code)] = rollup;
            }
        });

        var report = SeriesReport(field, to.Kind, office.Level);
        var built = new List<ConsolidatedReport>(series.Count);
        var asOf = new List<DateTimeOffset?>(series.Count);
        foreach (var period in series)
        {
            // The office's children with their running sums: a district's townships from its own document, the city's
            // districts from theirs; each child stands alone (its own children are not needed for one line).
            var children = office.Level == OrgLevel.District
                ? found[(period, office.Code)].Children
                : [.. districts.Select(d => found[(period, d.Code)].Self)];
            var byChild = children.ToDictionary(
                c => c.OrgCode,
                c => new OrgRollup { TemplateId = report.Id, Period = period.ToString(), OrgCode = c.OrgCode, Watermark = "", Columns = [field.Id], Self = c, Children = [], Completeness = [] },
                StringComparer.Ordinal);
            var units = new List<Org> { office };
            units.AddRange(orgs.Children(office.Code).Where(c => byChild.ContainsKey(c.Code)));
            built.Add(ConsolidationBuilder.BuildFromRollups(report, catalog, units, office.Code, period, byChild, NoApprovals, calendar,
                new InputWatermark(0, null, ""), time.GetUtcNow(), dataAsOf: null));
            // The oldest stored document used (a live count has none): everything consolidated by then is in the figures.
            asOf.Add(districts.Select(d => found[(period, d.Code)].StoredAt).Min());
        }

        return Lines(orgs, office, field, series, built, asOf, [.. live.Order(StringComparer.Ordinal)]);
    }

    /// <summary>One period of the office's workbook of the field, from its villages' inputs and latest receipts.</summary>
    private async Task<ConsolidatedReport> LivePeriodAsync(OrgRegistry orgs, Org office, FieldDefinition field, Period period, CancellationToken cancellationToken)
    {
        var catalog = (await reference.CatalogForAsync(null, cancellationToken)).Catalog;
        var subtree = orgs.Subtree(office.Code, includeSelf: true).ToList();
        var villages = subtree.Where(o => o.Level == OrgLevel.Village).Select(o => o.Code).ToList();
        var report = SeriesReport(field, period.Kind, office.Level);
        var column = report.Columns[0];
        var inputs = column.Expression?.FieldIds().ToList() ?? [field.Id];
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
        return ConsolidationBuilder.Build(report, catalog, subtree, office.Code, period, read, receipts, NoApprovals, calendar,
            ConsolidationBuilder.ComputeWatermark(report, catalog.Version, subtree, receipts, NoApprovals), time.GetUtcNow(), dataAsOf: null);
    }

    private static ReportTemplate SeriesReport(FieldDefinition field, PeriodKind kind, OrgLevel level) =>
        FieldSums.Report("series", field.Name, kind, level, [FieldSums.Column(field)]);

    /// <summary>Each unit's line from the workbook's main rows (a unit row per child, the 合计 row for the office).</summary>
    private static FieldSeries Lines(
        OrgRegistry orgs, Org office, FieldDefinition field, IReadOnlyList<Period> series, IReadOnlyList<ConsolidatedReport> built,
        IReadOnlyList<DateTimeOffset?> asOf, IReadOnlyList<string> countedLive)
    {
        var children = orgs.Children(office.Code);
        var self = (Values: new List<decimal?>(), Reported: new List<int>());
        var byChild = children.ToDictionary(c => c.Code, _ => (Values: new List<decimal?>(), Reported: new List<int>()), StringComparer.Ordinal);
        foreach (var report in built)
        {
            foreach (var row in report.Main.Rows)
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
            [.. children.Select(c => new SeriesLine(c.Code, c.Name, byChild[c.Code].Values, byChild[c.Code].Reported))],
            asOf,
            countedLive);
    }
}
