using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Burden;
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
public sealed class BurdenService(ReferenceData reference, IFieldValueStore values)
{
    /// <summary>Reads the values of some villages for one source period.</summary>
    public delegate IAsyncEnumerable<OrgValues> ValueReader(Period source, IReadOnlyCollection<string> villages, IReadOnlyCollection<string> fieldIds, CancellationToken cancellationToken);

    public async Task<BurdenFigures> ComputeAsync(Org org, Period period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(org);
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var villages = StatusService.VillagesOf(orgs, org).Select(v => v.Code).ToList();
        return Figures(org.Code, period, await CountAsync(period, villages, read: null, cancellationToken));
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
        read ??= values.ReadManyAsync;
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

        var valuesByVillage = combined.ToDictionary(kv => kv.Key, kv => new OrgValues(kv.Key, period, kv.Value), StringComparer.Ordinal);
        return BurdenCalculator.Count(bundle.Catalog, bundle.Templates, period, villages, valuesByVillage);
    }
}
