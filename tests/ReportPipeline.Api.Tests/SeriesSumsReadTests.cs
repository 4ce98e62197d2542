using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Reference;
using ReportPipeline.Development.Seeding;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.LocalHost;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// The trend/series route at the city and a district: a synthetic city (3 districts × 2 townships × 4 villages, last
/// month reported by every village, this month by one village per township) on a host of its own. Once the districts'
/// units have run, the city's and a district's series come from the field sums they stored — no table round trip, one
/// blob read per district and period — and equal the series computed from every village, for an additive field and a
/// ratio; a district without stored sums is computed from its villages at that read, said so, and stored for the next.
/// </summary>
[Collection(DedicatedHostsRunAlone.Name)]
public sealed class SeriesSumsReadTests : IAsyncLifetime
{
    private static readonly Period Month = Period.Parse("2026-11");
    private static readonly string[] Fields = ["pop_resident", "dispute_resolution_rate"];
    private LocalHostRuntime _runtime = null!;
    private HttpClient _http = null!;
    private OrgRegistry _orgs = null!;

    public async Task InitializeAsync()
    {
        _runtime = await DedicatedHost.StartAsync(new() { ["Pipeline:RequestStorageBudgetSeconds"] = "60" });
        _http = new HttpClient { BaseAddress = new Uri(_runtime.BaseAddress) };
        var seeder = ActivatorUtilities.CreateInstance<CitySeeder>(_runtime.Services);
        await seeder.SeedAsync(SyntheticCity.Generate(3, 2, 4), Month, withHistory: true, progress: null, CancellationToken.None);
        _orgs = await _runtime.Services.GetRequiredService<ReferenceData>().GetOrgsAsync(CancellationToken.None);

        // This month: the first village of each township reports itself, consistent with its pre-fill (the others hold pre-filled values only).
        var catalog = _runtime.Services.GetRequiredService<ReferenceData>().Catalog.Catalog;
        foreach (var township in _orgs.ByLevel(OrgLevel.Township))
        {
            var village = _orgs.Children(township.Code).OrderBy(v => v.Code, StringComparer.Ordinal).First();
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{Month}")
            {
                Content = new StringContent(JsonSerializer.Serialize(new { values = TestData.TypedValues(catalog, village, Month.ToString(), CitySeeder.StableSeed(village.Code)) }), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token(village.Code, "submitter"));
            using var response = await _http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        }
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _runtime.App.StopAsync();
        await _runtime.DisposeAsync();
    }

    private Org City => _orgs.ByLevel(OrgLevel.City).Single();

    private List<Org> Districts => [.. _orgs.Children(City.Code).OrderBy(d => d.Code, StringComparer.Ordinal)];

    [Fact]
    public async Task The_citys_and_a_districts_series_come_from_the_stored_sums_read_no_table_and_equal_the_live_series()
    {
        await ConsolidateAsync(Districts);

        foreach (var field in Fields)
        {
            var (city, bytes, tableTrips, blobTrips) = await GetAsync(City, field);
            Assert.Equal(0, tableTrips);
            Assert.Equal(Districts.Count * 2, blobTrips); // one stored document per district and period
            Assert.True(bytes < 200_000, $"{bytes} bytes");
            Assert.Empty(city.GetProperty("countedLive").EnumerateArray());
            Assert.All(city.GetProperty("asOf").EnumerateArray(), a => Assert.Equal(JsonValueKind.String, a.ValueKind));
            await AssertEqualsLiveAsync(City, field, city);

            var district = Districts[1];
            var (ofDistrict, _, districtTableTrips, districtBlobTrips) = await GetAsync(district, field);
            Assert.Equal(0, districtTableTrips);
            Assert.Equal(2, districtBlobTrips);
            Assert.Empty(ofDistrict.GetProperty("countedLive").EnumerateArray());
            await AssertEqualsLiveAsync(district, field, ofDistrict);
        }

        // Not vacuous: last month every village reported with numbers; this month one village per township.
        var (additive, _, _, _) = await GetAsync(City, Fields[0]);
        Assert.Equal([_orgs.Villages(City.Code).Count(), _orgs.ByLevel(OrgLevel.Township).Count()],
            additive.GetProperty("self").GetProperty("reported").EnumerateArray().Select(r => r.GetInt32()));
        Assert.All(additive.GetProperty("self").GetProperty("values").EnumerateArray(), v => Assert.Equal(JsonValueKind.Number, v.ValueKind));
        var (ratio, _, _, _) = await GetAsync(City, Fields[1]);
        Assert.Equal(JsonValueKind.Number, ratio.GetProperty("self").GetProperty("values")[0].ValueKind);
    }

    [Fact]
    public async Task A_district_without_stored_sums_is_computed_from_its_villages_once_and_stored_for_the_next_read()
    {
        await ConsolidateAsync(Districts.Skip(1));
        var unconsolidated = Districts[0];

        // The district alone first: computed from its villages at the request, said so, no stored time.
        var (district, _, _, _) = await GetAsync(unconsolidated, Fields[0], warm: false);
        Assert.Equal([unconsolidated.Code], district.GetProperty("countedLive").EnumerateArray().Select(d => d.GetString()));
        Assert.All(district.GetProperty("asOf").EnumerateArray(), a => Assert.Equal(JsonValueKind.Null, a.ValueKind));
        await AssertEqualsLiveAsync(unconsolidated, Fields[0], district);

        // The sums that read computed are stored: the city's next read finds every district's and reads no village.
        foreach (var field in Fields)
        {
            var (city, _, tableTrips, _) = await GetAsync(City, field, warm: false);
            Assert.Empty(city.GetProperty("countedLive").EnumerateArray());
            Assert.Equal(0, tableTrips);
            // As of the oldest stored sums used.
            Assert.All(city.GetProperty("asOf").EnumerateArray(), a => Assert.Equal(JsonValueKind.String, a.ValueKind));
            await AssertEqualsLiveAsync(City, field, city);
        }
    }

    [Fact]
    public async Task The_city_counts_a_district_without_stored_sums_live_and_stays_right()
    {
        await ConsolidateAsync(Districts.Skip(1));

        var (city, _, _, _) = await GetAsync(City, Fields[1], warm: false);
        Assert.Equal([Districts[0].Code], city.GetProperty("countedLive").EnumerateArray().Select(d => d.GetString()));
        await AssertEqualsLiveAsync(City, Fields[1], city);
    }

    /// <summary>Every line's numbers and reported counts equal the series computed from every village of the office.</summary>
    private async Task AssertEqualsLiveAsync(Org office, string fieldId, JsonElement answer)
    {
        var reference = _runtime.Services.GetRequiredService<ReferenceData>();
        var live = await _runtime.Services.GetRequiredService<SeriesService>().LiveAsync(office, reference.Catalog.Catalog.Find(fieldId)!, Month, 2, CancellationToken.None);
        AssertLine(live.Self, answer.GetProperty("self"));
        var children = answer.GetProperty("children").EnumerateArray().ToList();
        Assert.Equal(live.Children.Select(c => c.Org), children.Select(c => c.GetProperty("org").GetString()));
        foreach (var (expected, actual) in live.Children.Zip(children))
        {
            AssertLine(expected, actual);
        }
    }

    private static void AssertLine(SeriesLine expected, JsonElement actual)
    {
        Assert.Equal(expected.Values, actual.GetProperty("values").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (decimal?)null : v.GetDecimal()));
        Assert.Equal(expected.Reported, actual.GetProperty("reported").EnumerateArray().Select(r => r.GetInt32()));
    }

    private async Task ConsolidateAsync(IEnumerable<Org> districts)
    {
        var handler = _runtime.Services.GetRequiredService<ConsolidationUnitHandler>();
        foreach (var district in districts)
        {
            foreach (var period in new[] { Month.Previous(), Month })
            {
                await handler.HandleAsync(new ConsolidationUnit(period.ToString(), district.Code), CancellationToken.None);
            }
        }
    }

    private string Token(string org, string role) =>
        _runtime.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(org, [role], null, TimeSpan.FromHours(1));

    /// <param name="warm">Ask once before counting (the host's first read of a period loads its catalog version).</param>
    private async Task<(JsonElement Body, int Bytes, long TableTrips, long BlobTrips)> GetAsync(Org org, string field, bool warm = true)
    {
        var path = $"/api/orgs/{org.Code}/series/{field}?to={Month}&periods=2";
        var token = Token(City.Code, "viewer");
        if (warm)
        {
            using var first = new HttpRequestMessage(HttpMethod.Get, path);
            first.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await _http.SendAsync(first)).Dispose();
        }

        using var trips = new StorageTripCounter();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        return (document.RootElement.Clone(), Encoding.UTF8.GetByteCount(text), trips.Of("table"), trips.Of("blob"));
    }
}
