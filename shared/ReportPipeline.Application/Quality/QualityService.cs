using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Quality;

namespace ReportPipeline.Application.Quality;

/// <summary>One child's 数据质量 counts, and as of when: a stored roll-up's time, or the time they were counted live.</summary>
public sealed record ChildQuality(Org Org, QualityCounts Counts, DateTimeOffset? AsOf, bool FromRollup);

/// <summary>
/// An office's 数据质量: its counts (the sum of its children's), each direct child's, and — from a district down — the
/// flagged values themselves (null at the city, where they are read by asking for a district).
/// </summary>
public sealed record OfficeQuality(QualityCounts Counts, DateTimeOffset? AsOf, IReadOnlyList<ChildQuality> Children, IReadOnlyList<QualityFlag>? Flags);

/// <summary>
/// Reads what the 数据质量 list needs — the villages' values of the period and of the previous one — and hands them to
/// <see cref="QualityInspector"/>, as the consolidated workbook does with the values it was built from, so both flag
/// cells by the same rules. A district's counts are also kept by its consolidation unit (<see cref="SummarizeDistrictAsync"/>),
/// so that the city reads one small document per district instead of every village.
/// </summary>
public sealed class QualityService(ReferenceData reference, IFieldValueStore values, IRollupStore rollups, TimeProvider time)
{
    /// <summary>Districts whose counts are read, or counted live when missing, at once.</summary>
    private const int Parallelism = 8;

    /// <summary>The quality list of an office's subtree over every numeric field collected at the period's frequency.</summary>
    public Task<IReadOnlyList<QualityFlag>> GetAsync(Org office, Period period, CancellationToken cancellationToken)
        => GetAsync(office, period, values.ReadManyAsync, cancellationToken);

    /// <summary>
    /// An office's 数据质量 with each direct child's counts (city → districts, district → townships, township → villages).
    /// The city's come from its districts' stored counts (a district without them is inspected live, by the same code) and
    /// list no values; from a district down the values are inspected live and listed.
    /// </summary>
    /// <param name="mayReadField">The fields the caller may read (a department's view); null: all.</param>
    public async Task<OfficeQuality> GetOfficeAsync(Org office, Period period, Func<string, bool>? mayReadField, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(office);
        var mayRead = mayReadField ?? (_ => true);
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var children = office.Level == OrgLevel.Village ? [] : orgs.Children(office.Code).OrderBy(o => o.Code, StringComparer.Ordinal).ToList();
        if (office.Level == OrgLevel.City)
        {
            var counted = new ChildQuality[children.Count];
            await Parallel.ForEachAsync(Enumerable.Range(0, children.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                var district = children[i];
                counted[i] = await rollups.GetQualityAsync(period, district.Code, ct) is { } stored
                    ? new ChildQuality(district, stored.Counts.Only(mayRead), stored.StoredAt, FromRollup: true)
                    : new ChildQuality(district, QualityCounts.Of(district.Code, (await GetAsync(district, period, ct)).Where(f => mayRead(f.FieldId))), time.GetUtcNow(), FromRollup: false);
            });
            return new OfficeQuality(QualityCounts.Sum(office.Code, counted.Select(c => c.Counts)), counted.Min(c => c.AsOf), counted, Flags: null);
        }

        IReadOnlyList<QualityFlag> flags = [.. (await GetAsync(office, period, cancellationToken)).Where(f => mayRead(f.FieldId))];
        var asOf = time.GetUtcNow();
        var childOf = children
            .SelectMany(c => StatusService.VillagesOf(orgs, c).Select(v => (Village: v.Code, Child: c.Code)))
            .ToDictionary(p => p.Village, p => p.Child, StringComparer.Ordinal);
        var byChild = flags.ToLookup(f => childOf.GetValueOrDefault(f.OrgCode) ?? "", StringComparer.Ordinal);
        return new OfficeQuality(
            QualityCounts.Of(office.Code, flags),
            asOf,
            [.. children.Select(c => new ChildQuality(c, QualityCounts.Of(c.Code, byChild[c.Code]), asOf, FromRollup: false))],
            flags);
    }

    /// <summary>
    /// A district's counts, from <paramref name="read"/> (its consolidation unit's shared read of the district), stored
    /// for the offices above.
    /// </summary>
    public async Task<QualityRollup> SummarizeDistrictAsync(Org district, Period period, BurdenService.ValueReader read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(district);
        var rollup = new QualityRollup(period.ToString(), district.Code, QualityCounts.Of(district.Code, await GetAsync(district, period, read, cancellationToken)));
        await rollups.SaveQualityAsync(period, rollup, cancellationToken);
        return rollup;
    }

    /// <summary>A district's stored counts, or null.</summary>
    public Task<QualityRollup?> StoredDistrictAsync(Org district, Period period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(district);
        return rollups.GetQualityAsync(period, district.Code, cancellationToken);
    }

    /// <summary>Numeric fields a village reports at <paramref name="kind"/> (derived ones are computed, not reported).</summary>
    public static IReadOnlyCollection<string> FieldsOf(FieldCatalog catalog, PeriodKind kind) =>
        [.. catalog.Fields.Where(f => f.IsNumeric && f.Source != FieldSource.Derived && f.Frequency == kind).Select(f => f.Id)];

    private async Task<IReadOnlyList<QualityFlag>> GetAsync(Org office, Period period, BurdenService.ValueReader read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(office);
        var catalog = (await reference.CatalogForAsync(period, cancellationToken)).Catalog;
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var subtree = orgs.Subtree(office.Code, includeSelf: true).ToList();
        var villages = subtree.Where(o => o.Level == OrgLevel.Village).Select(o => o.Code).ToList();
        var fields = FieldsOf(catalog, period.Kind);
        var current = await ReadAsync(read, period, villages, fields, cancellationToken);
        var previousPeriod = period.Previous();
        var previous = previousPeriod.IsSupported && villages.Count > 0 && fields.Count > 0
            ? await ReadAsync(read, previousPeriod, villages, fields, cancellationToken)
            : new Dictionary<string, OrgValues>();
        return QualityInspector.Inspect(catalog, fields, subtree, current, previous);
    }

    private static async Task<IReadOnlyDictionary<string, OrgValues>> ReadAsync(
        BurdenService.ValueReader read, Period period, IReadOnlyCollection<string> villages, IReadOnlyCollection<string> fieldIds, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, OrgValues>(StringComparer.Ordinal);
        if (villages.Count == 0 || fieldIds.Count == 0)
        {
            return found;
        }

        await foreach (var orgValues in read(period, villages, fieldIds, cancellationToken))
        {
            found[orgValues.OrgCode] = orgValues;
        }

        return found;
    }
}
