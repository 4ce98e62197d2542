using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// The city's workbooks come from the districts' stored roll-ups, through the queue units' handler against the fixture's
/// Azurite: read when current, rebuilt (once, for the stale district only) when not.
/// </summary>
[Collection(PipelineHostCollection.Name)]
public sealed class RollupTests(PipelineHostFixture host)
{
    [Fact]
    public async Task The_city_unit_reads_current_district_rollups_and_rebuilds_only_a_stale_districts()
    {
        var period = Period.Parse(UniqueMonth());
        var handler = host.Services.GetRequiredService<ConsolidationUnitHandler>();
        var city = host.Orgs.ByLevel(OrgLevel.City).Single();
        var districts = host.Orgs.ByLevel(OrgLevel.District).OrderBy(d => d.Code, StringComparer.Ordinal).ToList();
        var cityTemplates = host.Bundle().Templates.Count(t => t.PeriodKind == period.Kind && t.AudienceLevels.Contains(OrgLevel.City));
        var village = host.Orgs.Villages(districts[0].Code).First();
        await PostAsync(village, period, seed: 1);

        // Before any district unit: every roll-up is missing, so the city unit makes each one itself, once.
        var first = await handler.HandleAsync(new ConsolidationUnit(period.ToString(), city.Code), CancellationToken.None);
        Assert.Equal(cityTemplates * districts.Count, first.RollupsRebuilt);
        Assert.Equal(0, first.RollupsRead);

        // Now they are stored and current: a forced rebuild of the city reads them all and reads no village.
        var again = await handler.HandleAsync(new ConsolidationUnit(period.ToString(), city.Code, Force: true), CancellationToken.None);
        Assert.Equal(0, again.RollupsRebuilt);
        Assert.Equal(cityTemplates * districts.Count, again.RollupsRead);
        Assert.Equal(cityTemplates, again.Built);

        // After the district units, a new report in one district leaves only that district's roll-ups stale.
        foreach (var district in districts)
        {
            await handler.HandleAsync(new ConsolidationUnit(period.ToString(), district.Code), CancellationToken.None);
        }

        await PostAsync(host.Orgs.Villages(districts[0].Code).Skip(1).First(), period, seed: 2);
        var afterChange = await handler.HandleAsync(new ConsolidationUnit(period.ToString(), city.Code), CancellationToken.None);
        Assert.Equal(cityTemplates, afterChange.RollupsRebuilt);
        Assert.Equal(cityTemplates * (districts.Count - 1), afterChange.RollupsRead);
        Assert.Equal(cityTemplates, afterChange.Built);
    }

    [Fact]
    public async Task A_district_unit_stores_the_rollup_its_workbook_was_built_from()
    {
        var period = Period.Parse(UniqueMonth());
        var district = host.Orgs.ByLevel(OrgLevel.District).OrderBy(d => d.Code, StringComparer.Ordinal).First();
        var village = host.Orgs.Villages(district.Code).First();
        await PostAsync(village, period, seed: 3);

        var unit = await host.Services.GetRequiredService<ConsolidationUnitHandler>().HandleAsync(new ConsolidationUnit(period.ToString(), district.Code), CancellationToken.None);

        var rollups = host.Services.GetRequiredService<IRollupStore>();
        var reports = host.Services.GetRequiredService<IReportStore>();
        var built = unit.Results.Where(r => r.Org == district.Code && r.Outcome == BuildOutcome.Built).ToList();
        Assert.NotEmpty(built);
        foreach (var result in built)
        {
            var rollup = await rollups.GetAsync(period, result.Template, district.Code);
            Assert.NotNull(rollup);
            Assert.Equal((await reports.GetPropertiesAsync(period, result.Template, district.Code))!.InputWatermark, rollup.Watermark);
            Assert.Equal(1, rollup.Self.Reported);
            Assert.Equal(host.Orgs.Villages(district.Code).Count(), rollup.Completeness.Count);
            Assert.Equal(host.Orgs.Children(district.Code).Select(t => t.Code).Order(StringComparer.Ordinal), rollup.Children.Select(c => c.OrgCode));
        }

        var burden = await rollups.GetBurdenAsync(period, district.Code);
        Assert.NotNull(burden);
        Assert.Equal(1, burden.Counts.VillagesCounted);
        Assert.Equal(host.Orgs.Villages(district.Code).Count(), burden.Counts.Villages);
    }

    private async Task PostAsync(Org village, Period period, int seed)
    {
        var values = host.TypedValues(village, period.ToString(), seed);
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code), Json(new { values }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
