using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// An office's status and approval pages cost what they show: the city's answer holds its districts aggregated, from the
/// office summaries the district units keep, and its figures are the sum of the districts' own (live) answers; no village
/// is listed above a township, and the 催报 list is a CSV download.
/// </summary>
[Collection(PipelineHostCollection.Name)]
public sealed class OfficeReadTests(PipelineHostFixture host)
{
    private static readonly string[] Counts = ["expected", "reported", "missing", "late"];

    private Org City => host.Orgs.ByLevel(OrgLevel.City).Single();

    private IReadOnlyList<Org> Districts => [.. host.Orgs.ByLevel(OrgLevel.District).OrderBy(d => d.Code, StringComparer.Ordinal)];

    [Fact]
    public async Task The_city_status_is_its_districts_aggregated_and_equals_the_sum_of_the_districts_live_answers()
    {
        var period = UniqueMonth();
        var reported = await ReportSomeAsync(period);
        await ConsolidateDistrictsAsync(period);

        var (city, cityBytes) = await GetAsync($"/api/orgs/{City.Code}/status/{period}", City.Code);
        Assert.Equal("city", city.GetProperty("level").GetString());
        Assert.Equal("summary", city.GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.String, city.GetProperty("asOf").ValueKind);
        Assert.Empty(city.GetProperty("countedLive").EnumerateArray());
        Assert.False(city.GetProperty("unitsListed").GetBoolean());
        Assert.Empty(city.GetProperty("units").EnumerateArray());
        Assert.Empty(city.GetProperty("byTownship").EnumerateArray());
        var children = city.GetProperty("children").EnumerateArray().ToList();
        Assert.Equal(Districts.Select(d => d.Code), children.Select(c => c.GetProperty("org").GetString()));

        var sums = Counts.ToDictionary(c => c, _ => 0);
        foreach (var (district, child) in Districts.Zip(children))
        {
            var (live, _) = await GetAsync($"/api/orgs/{district.Code}/status/{period}", district.Code);
            Assert.Equal("live", live.GetProperty("source").GetString());
            Assert.Equal(host.Orgs.Children(district.Code).Select(t => t.Code).Order(StringComparer.Ordinal),
                live.GetProperty("children").EnumerateArray().Select(t => t.GetProperty("org").GetString()));
            foreach (var count in Counts)
            {
                Assert.Equal(live.GetProperty(count).GetInt32(), child.GetProperty(count).GetInt32());
                sums[count] += live.GetProperty(count).GetInt32();
            }
        }

        foreach (var count in Counts)
        {
            Assert.Equal(sums[count], city.GetProperty(count).GetInt32());
        }

        Assert.Equal(reported.Count, city.GetProperty("reported").GetInt32());
        Assert.Equal(host.Orgs.Villages(City.Code).Count(), city.GetProperty("expected").GetInt32());

        // Bounded: no village is named in the city's answer, and it holds a few hundred bytes per district.
        var text = Encoding.UTF8.GetString(cityBytes);
        Assert.DoesNotContain(host.Orgs.Villages(City.Code), v => text.Contains(v.Code, StringComparison.Ordinal));
        Assert.True(cityBytes.Length <= 1024 + (600 * Districts.Count), $"city status: {cityBytes.Length} bytes");
    }

    [Fact]
    public async Task The_city_approval_lists_itself_and_its_districts_and_counts_a_step_at_once()
    {
        var period = UniqueMonth();
        var reported = await ReportSomeAsync(period);
        await ConsolidateDistrictsAsync(period);
        var village = reported[0];
        using (var step = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/approval/{period}", Admin(village.ParentCode!),
            new StringContent("""{"action":"approve"}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, step.StatusCode);
        }

        var (city, cityBytes) = await GetAsync($"/api/orgs/{City.Code}/approval/{period}", City.Code, admin: true);
        Assert.Equal("summary", city.GetProperty("source").GetString());
        Assert.Equal([City.Code, .. Districts.Select(d => d.Code)], city.GetProperty("units").EnumerateArray().Select(u => u.GetProperty("org").GetString()));
        Assert.Equal(host.Orgs.Subtree(City.Code, includeSelf: true).Count(), city.GetProperty("total").GetInt32());

        // The step on a village, deep below, is in the city's count without another consolidation; and the city's count is
        // the districts' (live) counts plus the city itself.
        Assert.Equal(1, city.GetProperty("approved").GetInt32());
        var districtsApproved = 0;
        foreach (var district in Districts)
        {
            var (live, _) = await GetAsync($"/api/orgs/{district.Code}/approval/{period}", district.Code);
            Assert.Equal("live", live.GetProperty("source").GetString());
            Assert.All(live.GetProperty("units").EnumerateArray(), u => Assert.True(
                u.GetProperty("org").GetString() == district.Code || u.GetProperty("parent").GetString() == district.Code));
            districtsApproved += live.GetProperty("approved").GetInt32();
        }

        Assert.Equal(districtsApproved, city.GetProperty("approved").GetInt32());

        // A step on a district shows at the city at once too: its state in the district's row and the step in the list.
        var returned = Districts[0];
        using (var step = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{returned.Code}/approval/{period}", Admin(City.Code),
            new StringContent("""{"action":"return","reason":"请核实"}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, step.StatusCode);
        }

        var (afterStep, _) = await GetAsync($"/api/orgs/{City.Code}/approval/{period}", City.Code, admin: true);
        Assert.Equal("returned", afterStep.GetProperty("units").EnumerateArray().Single(u => u.GetProperty("org").GetString() == returned.Code).GetProperty("state").GetString());
        Assert.Equal(returned.Code, afterStep.GetProperty("steps")[0].GetProperty("org").GetString());
        Assert.Equal(1, afterStep.GetProperty("returned").GetInt32());
        var text = Encoding.UTF8.GetString(cityBytes);
        Assert.DoesNotContain(host.Orgs.Villages(City.Code), v => text.Contains($"\"{v.Code}\"", StringComparison.Ordinal) && v.Code != village.Code);
        Assert.True(cityBytes.Length <= 2048 + (1200 * (Districts.Count + 1)), $"city approval: {cityBytes.Length} bytes");
    }

    [Fact]
    public async Task A_city_answer_holds_the_districts_as_last_consolidated_and_counts_a_never_consolidated_district_live()
    {
        var period = UniqueMonth();
        var first = await ReportSomeAsync(period);

        // No district unit has run: the district is counted live once (and that count is stored).
        var (unconsolidated, _) = await GetAsync($"/api/orgs/{City.Code}/status/{period}", City.Code);
        Assert.Equal(Districts.Select(d => d.Code), unconsolidated.GetProperty("countedLive").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(first.Count, unconsolidated.GetProperty("reported").GetInt32());

        await ConsolidateDistrictsAsync(period);
        var (consolidated, _) = await GetAsync($"/api/orgs/{City.Code}/status/{period}", City.Code);
        Assert.Empty(consolidated.GetProperty("countedLive").EnumerateArray());
        var asOf = consolidated.GetProperty("asOf").GetDateTimeOffset();

        // A later report is in the city's figures once its district's unit has run, and the answer says as of when.
        var later = host.Orgs.Villages(City.Code).First(v => first.All(f => f.Code != v.Code));
        await SubmitAsync(later, period, seed: 9);
        var (before, _) = await GetAsync($"/api/orgs/{City.Code}/status/{period}", City.Code);
        Assert.Equal(first.Count, before.GetProperty("reported").GetInt32());
        Assert.Equal(asOf, before.GetProperty("asOf").GetDateTimeOffset());

        await ConsolidateDistrictsAsync(period);
        var (after, _) = await GetAsync($"/api/orgs/{City.Code}/status/{period}", City.Code);
        Assert.Equal(first.Count + 1, after.GetProperty("reported").GetInt32());
        Assert.True(after.GetProperty("asOf").GetDateTimeOffset() > asOf);
    }

    [Fact]
    public async Task A_count_a_page_made_is_made_again_after_a_while_but_a_units_summary_stands_until_the_next_unit()
    {
        var summaries = host.Services.GetRequiredService<OfficeSummaries>();
        var tenMinutesAgo = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(10);
        foreach (var byReader in new[] { true, false })
        {
            var period = UniqueMonth();
            var reported = await ReportSomeAsync(period);
            foreach (var district in Districts)
            {
                // What a count ten minutes ago, before these reports, would hold.
                var now = await summaries.ComputeAsync(host.Orgs, district, Period.Parse(period), CancellationToken.None);
                var before = now with
                {
                    AsOf = tenMinutesAgo,
                    CountedByReader = byReader,
                    Townships = [.. now.Townships.Select(t => t with { Villages = t.Villages with { Reported = 0, Missing = t.Villages.Villages, Late = 0 } })],
                };
                Assert.True(await summaries.SaveAsync(before, CancellationToken.None));
            }

            var (city, _) = await GetAsync($"/api/orgs/{City.Code}/status/{period}", City.Code);
            Assert.Equal(byReader ? reported.Count : 0, city.GetProperty("reported").GetInt32());
            Assert.Equal(byReader ? Districts.Count : 0, city.GetProperty("countedLive").GetArrayLength());
        }
    }

    [Fact]
    public async Task The_missing_list_is_a_csv_with_a_bom_listing_exactly_the_villages_that_have_not_reported()
    {
        var period = UniqueMonth();
        var reported = await ReportSomeAsync(period);
        var district = Districts[0];

        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{district.Code}/status/{period}/missing.csv", host.Token(district.Code, "viewer"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(".csv", response.Content.Headers.ContentDisposition?.FileNameStar, StringComparison.Ordinal);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("单位代码,单位名称,所属乡镇（街道）,所属区县,统计期,截止日期", lines[0]);
        var expected = host.Orgs.Villages(district.Code).Where(v => reported.All(r => r.Code != v.Code)).OrderBy(v => v.Code, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(v => v.Code), lines.Skip(1).Select(l => l.Split(',')[0]));
        var row = lines[1].Split(',');
        Assert.Equal(expected[0].Name, row[1]);
        Assert.Equal(host.Orgs.Get(expected[0].ParentCode!).Name, row[2]);
        Assert.Equal(district.Name, row[3]);

        // Another office's area is refused, as the status route is.
        var other = host.Townships().First(t => t.Code != expected[0].ParentCode);
        using var refused = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{district.Code}/status/{period}/missing.csv", host.Token(other.Code, "viewer"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    /// <summary>One village in each township reports (so every district and township has some).</summary>
    private async Task<IReadOnlyList<Org>> ReportSomeAsync(string period)
    {
        var villages = host.Townships().Select(t => host.Orgs.Villages(t.Code).OrderBy(v => v.Code, StringComparer.Ordinal).First()).ToList();
        foreach (var village in villages)
        {
            await SubmitAsync(village, period, seed: 5);
        }

        return villages;
    }

    private async Task ConsolidateDistrictsAsync(string period)
    {
        var handler = host.Services.GetRequiredService<ConsolidationUnitHandler>();
        foreach (var district in Districts)
        {
            await handler.HandleAsync(new ConsolidationUnit(period, district.Code), CancellationToken.None);
        }
    }

    private async Task SubmitAsync(Org village, string period, int seed)
    {
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code),
            Json(new { values = host.TypedValues(village, period, seed) }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task<(JsonElement Json, byte[] Bytes)> GetAsync(string path, string org, bool admin = false)
    {
        using var response = await host.SendAsync(HttpMethod.Get, path, admin ? Admin(org) : host.Token(org, "viewer"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return (JsonDocument.Parse(bytes).RootElement.Clone(), bytes);
    }

    private string Admin(string org) =>
        host.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(org, ["admin"], null, TimeSpan.FromHours(1));
}
