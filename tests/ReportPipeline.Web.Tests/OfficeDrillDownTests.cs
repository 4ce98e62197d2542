using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using ReportPipeline.Domain.Orgs;
using static ReportPipeline.Web.Tests.WebAppTests;

namespace ReportPipeline.Web.Tests;

/// <summary>
/// The city's office page shows its districts, not its villages: a district opens its townships, a township its villages;
/// the 催报 list of a big area is a CSV download; the figures say as of when they were taken.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OfficeDrillDownTests(BrowserHostFixture host)
{
    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task The_city_page_shows_districts_and_drills_down_to_a_townships_villages(int width)
    {
        var city = host.Orgs.All.Single(o => o.Level == OrgLevel.City);
        var district = host.Orgs.Children(city.Code).First();
        var township = host.Townships()[1];
        var villages = host.Orgs.Villages(township.Code).OrderBy(v => v.Code, StringComparer.Ordinal).ToList();
        var reported = villages[width == 1280 ? 5 : 6];
        var period = BrowserHostFixture.UniqueMonth();
        using (var submitted = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{reported.Code}/submissions/{period}", host.Token(reported.Code),
            BrowserHostFixture.Json(JsonSerializer.Serialize(new { values = host.TypedValues(reported, period, seed: 41) }))))
        {
            Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        }

        var page = await host.OpenAsync(width);
        await SignInAsync(page, city, "viewer", period);

        // The city: one row per district, no village anywhere on the page, and the time its figures hold at.
        var districtRow = page.Locator($"#children tr[data-org='{district.Code}']");
        await Assertions.Expect(districtRow).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#children tbody tr")).ToHaveCountAsync(host.Orgs.Children(city.Code).Count);
        await Assertions.Expect(page.Locator("#status-as-of")).ToContainTextAsync("数据截至");
        Assert.Equal(0, await page.Locator("#units").CountAsync());
        Assert.Equal(0, await page.Locator("#chase").CountAsync());
        await Assertions.Expect(page.Locator("#status-section")).Not.ToContainTextAsync(reported.Name);
        await BrowserHostFixture.ScreenshotAsync(page, $"office-city-{width}");

        // The 催报 list of the whole city is a file: UTF-8 with BOM, every village that has not reported.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#missing-csv"));
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync(await download.PathAsync());
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var csv = Encoding.UTF8.GetString(bytes[3..]);
        Assert.Contains(villages[0].Code, csv, StringComparison.Ordinal);
        Assert.DoesNotContain(reported.Code, csv, StringComparison.Ordinal);

        // District → its townships → the township's villages, and back up.
        await districtRow.Locator("button.drill").ClickAsync();
        var townshipRow = page.Locator($"#children tr[data-org='{township.Code}']");
        await Assertions.Expect(townshipRow).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#children tbody tr")).ToHaveCountAsync(host.Orgs.Children(district.Code).Count);
        await townshipRow.Locator("button.drill").ClickAsync();
        await Assertions.Expect(page.Locator("#units tbody tr")).ToHaveCountAsync(villages.Count);
        await Assertions.Expect(page.Locator($"#units tr[data-org='{reported.Code}']")).ToContainTextAsync("已报");
        await Assertions.Expect(page.Locator("#chase")).ToContainTextAsync(villages[0].Name);
        await Assertions.Expect(page.Locator("#chase")).Not.ToContainTextAsync(reported.Name);
        await BrowserHostFixture.ScreenshotAsync(page, $"office-city-drilled-{width}");
        await page.ClickAsync("#drill-up");
        await Assertions.Expect(townshipRow).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("#units").CountAsync());

        // The approval section drills the same way: the city and its districts, then a district's townships.
        var approvalDistrict = page.Locator($"#approval tr[data-org='{district.Code}']");
        await Assertions.Expect(approvalDistrict).ToBeVisibleAsync();
        await approvalDistrict.Locator("button.drill").ClickAsync();
        await Assertions.Expect(page.Locator($"#approval tr[data-org='{township.Code}']")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
