using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Development.Synthetic;
using Microsoft.Extensions.DependencyInjection;

namespace ReportPipeline.Api.Tests;

internal static class TestData
{
    public static CatalogBundle Bundle(this PipelineHostFixture host) => host.Services.GetRequiredService<ReferenceData>().Catalog;

    public static IReadOnlyList<Org> Villages(this PipelineHostFixture host) =>
        [.. host.Orgs.All.Where(o => o.Level == OrgLevel.Village).OrderBy(o => o.Code, StringComparer.Ordinal)];

    public static IReadOnlyList<Org> Townships(this PipelineHostFixture host) =>
        [.. host.Orgs.All.Where(o => o.Level == OrgLevel.Township).OrderBy(o => o.Code, StringComparer.Ordinal)];

    /// <summary>Values a village would type for the period: valid, typed fields of the period's frequency only.</summary>
    public static Dictionary<string, string> TypedValues(this PipelineHostFixture host, Org village, string period, int seed)
        => TypedValues(host.Bundle().Catalog, village, period, seed);

    /// <summary>The same for a host of a test's own.</summary>
    public static Dictionary<string, string> TypedValues(FieldCatalog catalog, Org village, string period, int seed)
    {
        var parsed = Period.Parse(period);
        return SyntheticValues.Generate(catalog, village, parsed, seed)
            .Where(kv => catalog.Find(kv.Key) is { Source: FieldSource.Typed } f && f.Frequency == parsed.Kind)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
    }
}
