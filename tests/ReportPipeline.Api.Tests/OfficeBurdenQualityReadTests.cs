using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Quality;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Quality;
using ReportPipeline.Storage.Diagnostics;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// The office reads at the city: a synthetic city (3 districts × 2 townships × 4 villages, seeded with pre-filled values
/// and last month's) on a host of its own, its districts consolidated by their queue units. The city's answers are
/// its districts aggregated, equal to what the districts answer and to a live computation over every village, and
/// they read no village row: no table round trip at all, and one blob read per district.
/// </summary>
[Collection(DedicatedHostsRunAlone.Name)]
public sealed class OfficeBurdenQualityReadTests : IAsyncLifetime
{
    private static readonly Period Month = Period.Parse("2026-11");
    private SeededCityHost _host = null!;

    public async Task InitializeAsync() => _host = await SeededCityHost.StartAsync(3, 2, 4, Month);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Org City => _host.Orgs.ByLevel(OrgLevel.City).Single();

    private List<Org> Districts => [.. _host.Orgs.Children(City.Code).OrderBy(d => d.Code, StringComparer.Ordinal)];

    private async Task ConsolidateAsync(IEnumerable<Org> districts)
    {
        var handler = _host.Services.GetRequiredService<ConsolidationUnitHandler>();
        foreach (var district in districts)
        {
            await handler.HandleAsync(new ConsolidationUnit(Month.ToString(), district.Code), CancellationToken.None);
        }
    }

    private async Task<(JsonElement Body, int Bytes, long TableTrips, long BlobTrips)> GetAsync(string route, Org org)
    {
        var read = await _host.ReadAsync($"/api/orgs/{org.Code}/{route}/{Month}", _host.Token(City.Code, "viewer"));
        return (read.Body, read.Bytes, read.TableTrips, read.BlobTrips);
    }

    [Fact]
    public async Task The_citys_burden_is_its_districts_stored_counts_summed_equal_to_the_districts_answers_and_to_the_live_count()
    {
        await ConsolidateAsync(Districts);

        var (city, bytes, tableTrips, blobTrips) = await GetAsync("burden", City);

        var children = city.GetProperty("children").EnumerateArray().ToList();
        Assert.Equal(Districts.Select(d => d.Code), children.Select(c => c.GetProperty("org").GetString()));
        Assert.All(children, c => Assert.Equal("rollup", c.GetProperty("source").GetString()));
        Assert.Equal(0, tableTrips);
        Assert.Equal(Districts.Count, blobTrips); // one stored document per district
        Assert.True(bytes < 200_000, $"{bytes} bytes");
        Assert.True(city.GetProperty("asOf").ValueKind == JsonValueKind.String);

        foreach (var (district, line) in Districts.Zip(children))
        {
            var (answer, _, _, _) = await GetAsync("burden", district);
            foreach (var name in new[] { "villages", "villagesCounted", "entriesAskedSeparately", "entriesTyped", "entriesPrefilled" })
            {
                Assert.Equal(answer.GetProperty(name).GetInt64(), line.GetProperty(name).GetInt64());
                Assert.Equal(answer.GetProperty("children").EnumerateArray().Sum(t => t.GetProperty(name).GetInt64()), answer.GetProperty(name).GetInt64());
            }
        }

        var burden = _host.Services.GetRequiredService<BurdenService>();
        var live = burden.Figures(City.Code, Month, await burden.CountAsync(Month, [.. _host.Orgs.Villages(City.Code).Select(v => v.Code)], read: null, CancellationToken.None));
        Assert.True(live.EntriesPrefilled > 0);
        Assert.Equal(live.Villages, city.GetProperty("villages").GetInt32());
        Assert.Equal(live.VillagesCounted, city.GetProperty("villagesCounted").GetInt32());
        Assert.Equal(live.EntriesAskedSeparately, city.GetProperty("entriesAskedSeparately").GetInt64());
        Assert.Equal(live.EntriesTyped, city.GetProperty("entriesTyped").GetInt64());
        Assert.Equal(live.EntriesPrefilled, city.GetProperty("entriesPrefilled").GetInt64());
        Assert.Equal(live.ReductionRatio, city.GetProperty("reductionRatio").GetDecimal());
        Assert.Equal(live.PrefilledShare, city.GetProperty("prefilledShare").GetDecimal());
    }

    [Fact]
    public async Task A_district_without_stored_counts_is_counted_live_so_the_citys_figures_stay_right()
    {
        await ConsolidateAsync(Districts.Skip(1));

        var (city, _, _, _) = await GetAsync("burden", City);
        var (quality, _, _, _) = await GetAsync("quality", City);

        var burden = _host.Services.GetRequiredService<BurdenService>();
        var live = await burden.CountAsync(Month, [.. _host.Orgs.Villages(City.Code).Select(v => v.Code)], read: null, CancellationToken.None);
        Assert.Equal(live.EntriesPrefilled, city.GetProperty("entriesPrefilled").GetInt64());
        Assert.Equal(live.VillagesCounted, city.GetProperty("villagesCounted").GetInt32());
        Assert.Equal(["live", "rollup", "rollup"], city.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("source").GetString()));
        var flags = await _host.Services.GetRequiredService<QualityService>().GetAsync(City, Month, CancellationToken.None);
        Assert.Equal(flags.Count, quality.GetProperty("count").GetInt32());
        Assert.Equal(["live", "rollup", "rollup"], quality.GetProperty("children").EnumerateArray().Select(c => c.GetProperty("source").GetString()));
    }

    [Fact]
    public async Task The_citys_quality_counts_each_district_and_check_equal_to_the_districts_answers_and_lists_values_only_below()
    {
        await ConsolidateAsync(Districts);

        var (city, bytes, tableTrips, blobTrips) = await GetAsync("quality", City);

        var live = await _host.Services.GetRequiredService<QualityService>().GetAsync(City, Month, CancellationToken.None);
        Assert.NotEmpty(live);
        Assert.Equal(0, tableTrips);
        Assert.Equal(Districts.Count, blobTrips); // one stored document per district
        Assert.True(bytes < 200_000, $"{bytes} bytes");
        Assert.Equal(live.Count, city.GetProperty("count").GetInt32());
        Assert.Empty(city.GetProperty("flags").EnumerateArray());
        foreach (var check in live.GroupBy(f => f.Code))
        {
            var line = city.GetProperty("byCheck").EnumerateArray().Single(c => c.GetProperty("code").GetString() == check.Key);
            Assert.Equal(check.Count(), line.GetProperty("count").GetInt32());
            Assert.Equal(QualityCounts.CheckName(check.Key), line.GetProperty("name").GetString());
        }

        var children = city.GetProperty("children").EnumerateArray().ToList();
        Assert.Equal(Districts.Select(d => d.Code), children.Select(c => c.GetProperty("org").GetString()));
        foreach (var (district, line) in Districts.Zip(children))
        {
            var (answer, _, _, _) = await GetAsync("quality", district);
            Assert.Equal(answer.GetProperty("count").GetInt32(), line.GetProperty("count").GetInt32());
            Assert.Equal(answer.GetProperty("flags").GetArrayLength(), answer.GetProperty("count").GetInt32());
            Assert.Equal(answer.GetProperty("count").GetInt32(), answer.GetProperty("children").EnumerateArray().Sum(t => t.GetProperty("count").GetInt32()));
        }
    }

    [Fact]
    public async Task The_citys_workbook_list_reads_no_village_and_says_pending_exactly_when_the_city_unit_would_build()
    {
        await ConsolidateAsync(Districts);
        var handler = _host.Services.GetRequiredService<ConsolidationUnitHandler>();
        await handler.HandleAsync(new ConsolidationUnit(Month.ToString(), City.Code), CancellationToken.None);

        var (built, bytes, tableTrips, blobTrips) = await GetAsync("reports", City);
        var workbooks = built.GetProperty("workbooks").EnumerateArray().ToList();
        Assert.NotEmpty(workbooks);
        Assert.All(workbooks, w => Assert.False(w.GetProperty("pending").GetBoolean(), w.GetProperty("template").GetString()));
        Assert.Equal(0, tableTrips);
        // Its own workbooks' properties, one listing of the period's roll-ups, the city's marker and its log of marks.
        Assert.Equal(workbooks.Count + 3, blobTrips);
        Assert.True(bytes < 200_000, $"{bytes} bytes");

        // Blob times have one-second resolution: a roll-up stored in the same second as the city's workbook does not count
        // as newer (a city unit's marker says so instead); here the district's unit runs in a later second.
        await Task.Delay(TimeSpan.FromSeconds(1.1));

        // A village of the first district reports and that district's unit runs: the city's workbooks the change reaches are
        // pending, and exactly those are the ones the city unit then builds rather than skips.
        var village = _host.Orgs.Villages(Districts[0].Code).First();
        // The required items and one more (the seeded pre-filled values stay as they are).
        var values = new Dictionary<string, string> { ["pop_resident"] = "17400", ["pop_age_60_plus"] = "1830", ["employed_local"] = "1600" };
        await _host.SubmitAsync(village.Code, Month, values);

        await ConsolidateAsync(Districts.Take(1));
        var (changed, _, changedTableTrips, _) = await GetAsync("reports", City);
        Assert.Equal(0, changedTableTrips);
        var pending = changed.GetProperty("workbooks").EnumerateArray()
            .Where(w => w.GetProperty("pending").GetBoolean()).Select(w => w.GetProperty("template").GetString()).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(pending);
        var city = await handler.HandleAsync(new ConsolidationUnit(Month.ToString(), City.Code), CancellationToken.None);
        Assert.Equal(pending, city.Results.Where(r => r.Outcome == BuildOutcome.Built).Select(r => r.Template).Order(StringComparer.Ordinal));
        var (after, _, _, _) = await GetAsync("reports", City);
        Assert.All(after.GetProperty("workbooks").EnumerateArray(), w => Assert.False(w.GetProperty("pending").GetBoolean(), w.GetProperty("template").GetString()));
    }

    [Fact]
    public async Task A_districts_live_status_reads_its_rows_once_for_receipts_and_review_states_alike()
    {
        // A township's approval: the district's answer shows the township's review state and its villages' receipts, both
        // kept on the same rows (l|{org}) of the district's one partition.
        var district = Districts[1];
        var township = _host.Orgs.Children(district.Code).First();
        await _host.Services.GetRequiredService<IApprovalStore>().CommitAsync(
            await _host.Services.GetRequiredService<IApprovalStore>().ReadAsync(Month, [township.Code]),
            new ApprovalEvent(township.Code, Month, ApprovalAction.Return, "区审核员", district.Code, DateTimeOffset.UtcNow, "请核对"), district.Code);

        var village = _host.Orgs.Villages(township.Code).First();
        await _host.SubmitAsync(village.Code, Month, new Dictionary<string, string> { ["pop_resident"] = "17400", ["pop_age_60_plus"] = "1830", ["employed_local"] = "1600" });

        var status = await _host.ReadAsync($"/api/orgs/{district.Code}/status/{Month}", _host.Token(City.Code, "viewer"));

        // One query of the partition, not a receipts query and a review-state query of the same rows.
        Assert.Equal(1, status.TableTrips - status.TableRetries);
        var row = status.Body.GetProperty("children").EnumerateArray().Single(t => t.GetProperty("org").GetString() == township.Code);
        Assert.Equal("returned", row.GetProperty("approval").GetString());
        Assert.Equal(1, row.GetProperty("reported").GetInt32());
    }
}
