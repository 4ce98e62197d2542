using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Burden;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Application.Consolidation;

/// <summary>
/// 减负 figures for an org's subtree: what the templates would ask separately against what villages actually typed.
/// The one computation behind both <c>GET …/burden/{period}</c> and the 减负统计 sheet of every city workbook (which sums
/// the districts' counts made by <see cref="CountAsync"/>).
/// </summary>
public sealed class BurdenService(ReferenceData reference, IFieldValueStore values, IRollupStore rollups, TimeProvider time)
{
    /// <summary>Districts whose roll-ups are read, or counted live when missing, at once.</summary>
    private const int Parallelism = 8;

    /// <summary>Reads the values of some villages for one source period.</summary>
    public delegate IAsyncEnumerable<OrgValues> ValueReader(Period source, IReadOnlyCollection<string> villages, IReadOnlyCollection<string> fieldIds, CancellationToken cancellationToken);

    /// <summary>
    /// An office's 减负 figures with each direct child's (city → districts, district → townships, township → villages),
    /// the office's counts being the sum of its children's. A city reads each district's counts as its consolidation unit
    /// stored them (<c>rollups/{period}/_burden/{district}.json</c>), so it reads no village; a district whose counts
    /// are not stored yet is counted live, by the same code. Below the city, one read of the office's villages is
    /// counted per child.
    /// </summary>
    public async Task<OfficeBurden> GetOfficeAsync(Org office, Period period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(office);
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        // Loaded before the figures below read it synchronously.
        await reference.CatalogForAsync(period, cancellationToken);
        var children = office.Level == OrgLevel.Village ? [] : orgs.Children(office.Code).OrderBy(o => o.Code, StringComparer.Ordinal).ToList();
        var counted = new ChildBurden[children.Count];
        if (office.Level == OrgLevel.City)
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, children.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                var district = children[i];
                counted[i] = await rollups.GetBurdenAsync(period, district.Code, ct) is { } stored
                    ? Child(district, stored.Counts, stored.StoredAt, fromRollup: true)
                    : Child(district, await CountAsync(period, [.. orgs.Villages(district.Code).Select(v => v.Code)], read: null, ct), time.GetUtcNow(), fromRollup: false);
            });
        }
        else
        {
            var villages = StatusService.VillagesOf(orgs, office).Select(v => v.Code).ToList();
            var (bundle, read) = await ReadAsync(period, villages, values.ReadManyAsync, cancellationToken);
            var asOf = time.GetUtcNow();
            for (var i = 0; i < children.Count; i++)
            {
                var own = StatusService.VillagesOf(orgs, children[i]).Select(v => v.Code).ToList();
                counted[i] = Child(children[i], BurdenCalculator.Count(bundle.Catalog, bundle.Templates, period, own, read), asOf, fromRollup: false);
            }

            if (children.Count == 0)
            {
                // A village: its own figures, no children.
                return new OfficeBurden(Figures(office.Code, period, BurdenCalculator.Count(bundle.Catalog, bundle.Templates, period, villages, read)), asOf, []);
            }
        }

        var total = counted.Aggregate(BurdenCounts.None, (sum, child) => sum + child.Counts);
        return new OfficeBurden(Figures(office.Code, period, total), counted.Min(c => c.AsOf), counted);

        ChildBurden Child(Org child, BurdenCounts counts, DateTimeOffset? asOf, bool fromRollup) => new(child, counts, Figures(child.Code, period, counts), asOf, fromRollup);
    }

    /// <summary>The figures from counts (a subtree's own, or the sum of its districts').</summary>
    public BurdenFigures Figures(string orgCode, Period period, BurdenCounts counts)
        => BurdenCalculator.Figures(reference.CatalogFor(period).Catalog, reference.CatalogFor(period).Templates, orgCode, period, counts);

    /// <summary>The periods the counts read (each field from the period of its frequency at the period's end).</summary>
    public IReadOnlyCollection<Period> SourcePeriodsOf(Period period)
        => [.. BurdenCalculator.Inputs(reference.CatalogFor(period).Catalog, reference.CatalogFor(period).Templates, period).Keys];

    /// <summary>
    /// The entries of some villages, read from the store or through <paramref name="read"/> (a district's shared read).
    /// </summary>
    public async Task<BurdenCounts> CountAsync(Period period, IReadOnlyCollection<string> villages, ValueReader? read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(villages);
        var (bundle, valuesByVillage) = await ReadAsync(period, villages, read ?? values.ReadManyAsync, cancellationToken);
        return BurdenCalculator.Count(bundle.Catalog, bundle.Templates, period, villages, valuesByVillage);
    }

    /// <summary>What the counts read of some villages: each needed field from its source period, by village.</summary>
    private async Task<(CatalogBundle Bundle, Dictionary<string, OrgValues> Values)> ReadAsync(Period period, IReadOnlyCollection<string> villages, ValueReader read, CancellationToken cancellationToken)
    {
        var bundle = await reference.CatalogForAsync(period, cancellationToken);
        var combined = new Dictionary<string, Dictionary<string, StoredValue>>(StringComparer.Ordinal);
        foreach (var (source, fields) in BurdenCalculator.Inputs(bundle.Catalog, bundle.Templates, period))
        {
            await foreach (var orgValues in read(source, villages, fields, cancellationToken))
            {
                var into = combined.TryGetValue(orgValues.OrgCode, out var d) ? d : combined[orgValues.OrgCode] = new(StringComparer.Ordinal);
                foreach (var id in fields)
                {
                    if (orgValues.Values.TryGetValue(id, out var value))
                    {
                        into[id] = value;
                    }
                }
            }
        }

        return (bundle, combined.ToDictionary(kv => kv.Key, kv => new OrgValues(kv.Key, period, kv.Value), StringComparer.Ordinal));
    }
}

/// <summary>One child's 减负 figures, and as of when: a stored roll-up's time, or the time it was counted live.</summary>
public sealed record ChildBurden(Org Org, BurdenCounts Counts, BurdenFigures Figures, DateTimeOffset? AsOf, bool FromRollup);

/// <summary>An office's 减负 figures (the sum of its children's counts), the oldest of its children's times, and each child.</summary>
public sealed record OfficeBurden(BurdenFigures Figures, DateTimeOffset? AsOf, IReadOnlyList<ChildBurden> Children);
