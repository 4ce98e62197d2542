using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Burden;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Consolidation;

/// <summary>减负 figures for an org's subtree: what the templates would ask separately against what villages actually typed.</summary>
public sealed class BurdenService(ReferenceData reference, IFieldValueStore values)
{
    public async Task<BurdenFigures> ComputeAsync(Org org, Period period, CancellationToken cancellationToken)
    {
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var villages = StatusService.VillagesOf(orgs, org).Select(v => v.Code).ToList();
        var valuesByVillage = new Dictionary<string, OrgValues>(StringComparer.Ordinal);
        await foreach (var orgValues in values.ReadManyAsync(period, villages, cancellationToken))
        {
            valuesByVillage[orgValues.OrgCode] = orgValues;
        }

        return BurdenCalculator.Compute(reference.Catalog, org.Code, period, villages, valuesByVillage);
    }
}
