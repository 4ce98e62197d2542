using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Burden;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Application.Consolidation;

/// <summary>
/// 减负 figures for an org's subtree: what the templates would ask separately against what villages actually typed.
/// The one computation behind both <c>GET …/burden/{period}</c> and the 减负统计 sheet of every city workbook.
/// </summary>
public sealed class BurdenService(ReferenceData reference, IFieldValueStore values)
{
    public async Task<BurdenFigures> ComputeAsync(Org org, Period period, CancellationToken cancellationToken)
    {
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var villages = StatusService.VillagesOf(orgs, org).Select(v => v.Code).ToList();
        var bundle = reference.Catalog;
        var combined = new Dictionary<string, Dictionary<string, StoredValue>>(StringComparer.Ordinal);
        foreach (var (source, fields) in BurdenCalculator.Inputs(bundle.Catalog, bundle.Templates, period))
        {
            await foreach (var orgValues in values.ReadManyAsync(source, villages, fields, cancellationToken))
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
        return BurdenCalculator.Compute(bundle, org.Code, period, villages, valuesByVillage);
    }
}
