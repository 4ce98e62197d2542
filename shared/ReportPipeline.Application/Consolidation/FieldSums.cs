using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Application.Consolidation;

/// <summary>
/// A district's field sums for a period (<c>rollups/{period}/_sums/{district}.json</c>, and with each township's
/// <c>rollups/{period}/_sums_townships/{district}.json</c>): for every numeric field of the
/// period's kind in the catalog (typed, pre-filled and derived), the district's and each township's running sums over
/// their reported villages and the reported counts — an <see cref="OrgRollup"/> of a one-column-per-field report, built by
/// <see cref="ConsolidationBuilder"/> as every workbook is (additive sums; for a ratio the sums of its inputs, recomputed
/// when read). The district consolidation unit writes it from the values it has read anyway; the trend/series route reads
/// one document per district and period for a district or the city instead of every village.
/// </summary>
public sealed class FieldSums(ReferenceData reference, IRollupStore rollups, IFieldValueStore values, ReportingCalendar calendar, TimeProvider time)
{
    /// <summary>The roll-ups folder of the district's own sums (what the city reads): like <c>_burden</c>, a name no template id can take.</summary>
    public const string Folder = "_sums";

    /// <summary>The folder of the same sums with each township's (what the district reads): the city's read stays one small document per district.</summary>
    public const string TownshipsFolder = "_sums_townships";

    private static readonly IReadOnlyDictionary<string, ApprovalRecord> NoApprovals = new Dictionary<string, ApprovalRecord>();

    /// <summary>A field as a workbook column: itself, or for a derived field its expression (recomputed, never summed, when it is a ratio).</summary>
    public static TemplateColumn Column(FieldDefinition field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return new()
        {
            Id = field.Id,
            Headers = [field.Name],
            FieldId = field.Source == FieldSource.Derived ? null : field.Id,
            Expression = field.Source == FieldSource.Derived ? ExpressionTree.OfField(field) : null,
            Unit = field.Unit,
        };
    }

    /// <summary>Whether the field has numbers to sum: a numeric field or a derived one (a text field's aggregate is empty).</summary>
    public static bool IsSummed(FieldDefinition field)
    {
        ArgumentNullException.ThrowIfNull(field);
        return field.IsNumeric || field.Source == FieldSource.Derived;
    }

    /// <summary>A report of the given columns for an office of <paramref name="level"/> (the series' one column, or every summed field).</summary>
    public static ReportTemplate Report(string id, string title, PeriodKind kind, OrgLevel level, IReadOnlyList<TemplateColumn> columns) => new()
    {
        Id = id,
        Department = "",
        Title = title,
        PeriodKind = kind,
        AudienceLevels = [level],
        Columns = columns,
    };

    /// <summary>
    /// The district's sums from the unit's shared read: written when the period's receipts of the district changed since
    /// the stored document (its watermark), or none is stored. One blob read when nothing changed.
    /// </summary>
    internal async Task SaveFromUnitAsync(Period period, Org district, IReadOnlyList<string> villages, UnitInputs inputs, DistrictValueCache cache, CancellationToken cancellationToken)
    {
        var catalog = (await reference.CatalogForAsync(null, cancellationToken)).Catalog;
        var report = SumsReport(catalog, period, district);
        var subtree = inputs.Orgs.Subtree(district.Code, includeSelf: true).ToList();
        var receipts = inputs.Receipts[period];
        var watermark = ConsolidationBuilder.ComputeWatermark(report, catalog.Version, subtree, receipts, NoApprovals);
        var stored = await rollups.GetAsync(period, Folder, district.Code, cancellationToken);
        if (stored is not null && stored.Watermark == watermark.ToString() && stored.CatalogVersion == catalog.Version)
        {
            return;
        }

        var read = (await cache.GetAsync(period, villages, cancellationToken)).ToDictionary(v => v.OrgCode, StringComparer.Ordinal);
        var rollup = Compose(catalog, report, period, district, subtree, read, receipts, watermark);
        // The townships' first: the district's own document is the one compared above, so a failure between the two writes is redone.
        await rollups.SaveAsync(period, rollup with { TemplateId = TownshipsFolder }, cancellationToken);
        await rollups.SaveAsync(period, rollup with { Children = [] }, cancellationToken);
    }

    /// <summary>
    /// A district's sums computed at a read that found none usable, from its villages (every value and the latest
    /// receipts of the period: one district partition), and stored for the next reader unless a unit has stored some
    /// meanwhile (never overwriting it). The district's unit replaces them when its receipts change.
    /// </summary>
    public async Task<OrgRollup> ComputeAsync(Period period, Org district, OrgRegistry orgs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(district);
        ArgumentNullException.ThrowIfNull(orgs);
        var catalog = (await reference.CatalogForAsync(null, cancellationToken)).Catalog;
        var report = SumsReport(catalog, period, district);
        var subtree = orgs.Subtree(district.Code, includeSelf: true).ToList();
        var villages = subtree.Where(o => o.Level == OrgLevel.Village).Select(o => o.Code).ToList();
        var read = new Dictionary<string, OrgValues>(StringComparer.Ordinal);
        await foreach (var orgValues in values.ReadManyAsync(period, villages, cancellationToken))
        {
            read[orgValues.OrgCode] = orgValues;
        }

        var receipts = new Dictionary<string, MergeReceipt>(StringComparer.Ordinal);
        await foreach (var receipt in values.ReadLatestReceiptsAsync(period, villages, cancellationToken))
        {
            receipts[receipt.OrgCode] = receipt;
        }

        var watermark = ConsolidationBuilder.ComputeWatermark(report, catalog.Version, subtree, receipts, NoApprovals);
        var rollup = Compose(catalog, report, period, district, subtree, read, receipts, watermark);
        await rollups.AddAsync(period, rollup with { TemplateId = TownshipsFolder }, cancellationToken);
        await rollups.AddAsync(period, rollup with { Children = [] }, cancellationToken);
        return rollup;
    }

    /// <summary>One column per summed field of the period's kind, for a district.</summary>
    private static ReportTemplate SumsReport(FieldCatalog catalog, Period period, Org district) =>
        Report(Folder, Folder, period.Kind, district.Level, [.. catalog.Fields.Where(f => f.Frequency == period.Kind && IsSummed(f)).Select(Column)]);

    /// <summary>The district's workbook of every summed field, by the builder, kept as numbers and counts only (no villages' states, no submission ids).</summary>
    private OrgRollup Compose(
        FieldCatalog catalog, ReportTemplate report, Period period, Org district, IReadOnlyList<Org> subtree,
        IReadOnlyDictionary<string, OrgValues> read, IReadOnlyDictionary<string, MergeReceipt> receipts, InputWatermark watermark)
    {
        var rollup = ConsolidationBuilder.Build(report, catalog, subtree, district.Code, period, read, receipts, NoApprovals, calendar, watermark, time.GetUtcNow(), dataAsOf: null).Rollup!;
        return rollup with
        {
            Completeness = [],
            CatalogVersion = catalog.Version,
            Self = rollup.Self with { SubmissionIds = [] },
            Children = [.. rollup.Children.Select(c => c with { SubmissionIds = [] })],
        };
    }

    /// <summary>
    /// The stored sums of a district for a period — its own only, or with each township's — when they can answer for
    /// <paramref name="field"/> under <paramref name="catalog"/> (and cover the district's townships in
    /// <paramref name="orgs"/>); null otherwise (count it live).
    /// </summary>
    public async Task<OrgRollup?> GetAsync(Period period, Org district, FieldDefinition field, FieldCatalog catalog, OrgRegistry orgs, bool withTownships, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(district);
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(orgs);
        var folder = withTownships ? TownshipsFolder : Folder;
        var stored = await rollups.GetAsync(period, folder, district.Code, cancellationToken);
        var townships = withTownships ? orgs.Children(district.Code) : [];
        return stored is not null
            && stored.TemplateId == folder
            && stored.Period == period.ToString()
            && stored.CatalogVersion == catalog.Version
            && (!IsSummed(field) || stored.Columns.Contains(field.Id, StringComparer.Ordinal))
            && stored.Children.Count == townships.Count
            && townships.All(t => stored.Children.Any(c => c.OrgCode == t.Code))
            ? stored
            : null;
    }

    /// <summary>
    /// One org's running sums in <paramref name="rollup"/> reduced to the field's column (the series' one-column report):
    /// a field that is not summed has no sums, only the counts.
    /// </summary>
    public static TallySnapshot Column(OrgRollup rollup, TallySnapshot snapshot, FieldDefinition field)
    {
        ArgumentNullException.ThrowIfNull(rollup);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(field);
        var index = IsSummed(field) ? rollup.Columns.ToList().IndexOf(field.Id) : -1;
        return snapshot with
        {
            SubmissionIds = [],
            ColumnSums = [index < 0 ? null : snapshot.ColumnSums[index]],
            InputSums = [index < 0 ? null : snapshot.InputSums[index]],
        };
    }
}
