using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Reference;
using ReportPipeline.Development.Seeding;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;

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
    private SeededCityHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await SeededCityHost.StartAsync(3, 2, 4, Month);

        // This month: the first village of each township reports itself, consistent with its pre-fill (the others hold pre-filled values only).
        var catalog = _host.Services.GetRequiredService<ReferenceData>().Catalog.Catalog;
        foreach (var township in _host.Orgs.ByLevel(OrgLevel.Township))
        {
            var village = _host.Orgs.Children(township.Code).OrderBy(v => v.Code, StringComparer.Ordinal).First();
            await _host.SubmitAsync(village.Code, Month, TestData.TypedValues(catalog, village, Month.ToString(), CitySeeder.StableSeed(village.Code)));
        }
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Org City => _host.Orgs.ByLevel(OrgLevel.City).Single();

    private List<Org> Districts => [.. _host.Orgs.Children(City.Code).OrderBy(d => d.Code, StringComparer.Ordinal)];

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
        Assert.Equal([_host.Orgs.Villages(City.Code).Count(), _host.Orgs.ByLevel(OrgLevel.Township).Count()],
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
        var reference = _host.Services.GetRequiredService<ReferenceData>();
        var live = await _host.Services.GetRequiredService<SeriesService>().LiveAsync(office, reference.Catalog.Catalog.Find(fieldId)!, Month, 2, CancellationToken.None);
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
        var handler = _host.Services.GetRequiredService<ConsolidationUnitHandler>();
        foreach (var district in districts)
        {
            foreach (var period in new[] { Month.Previous(), Month })
            {
                await handler.HandleAsync(new ConsolidationUnit(period.ToString(), district.Code), CancellationToken.None);
            }
        }
    }

    /// <param name="warm">Ask once before counting (the host's first read of a period loads its catalog version).</param>
    private async Task<(JsonElement Body, int Bytes, long TableTrips, long BlobTrips)> GetAsync(Org org, string field, bool warm = true)
    {
        var read = await _host.ReadAsync($"/api/orgs/{org.Code}/series/{field}?to={Month}&periods=2", _host.Token(City.Code, "viewer"), warm);
        return (read.Body, read.Bytes, read.TableTrips, read.BlobTrips);
    }
}
