using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Web.Tests;

[Collection(BrowserCollection.Name)]
public sealed class DerivedValuesAndChartTests(BrowserHostFixture host)
{
    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task The_yearly_form_shows_the_compulsory_enrolment_rate_computed_from_a_nested_sum(int width)
    {
        var village = host.Villages()[width == 1280 ? 5 : 6];
        var page = await host.OpenAsync(width);
        await WebAppTests.SignInAsync(page, village, "submitter", "2048");
        await page.WaitForSelectorAsync("body[data-form-ready='true']");

        await page.FillAsync("#f-primary_students", "120");
        await page.FillAsync("#f-junior_students", "80");
        await page.FillAsync("#f-school_age_children", "210");

        // percent(sum(primary_students, junior_students), school_age_children) = 200 ÷ 210 × 100, shown with 2 decimals.
        await Assertions.Expect(page.Locator("#f-students_total")).ToHaveValueAsync("200");
        var rate = page.Locator("#f-compulsory_enrolment_rate");
        await Assertions.Expect(rate).ToHaveValueAsync("95.24");
        await rate.ScrollIntoViewIfNeededAsync();
        await BrowserHostFixture.ScreenshotAsync(page, "clerk-derived-rate");

        // No number when the denominator is zero, as in the workbook.
        await page.FillAsync("#f-school_age_children", "0");
        await Assertions.Expect(rate).ToHaveValueAsync("");
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task An_office_draws_the_trend_and_the_comparison_of_its_villages_from_one_request(int width)
    {
        var township = host.Townships()[width == 1280 ? 1 : 2];
        var villages = host.Orgs.Villages(township.Code).OrderBy(o => o.Code, StringComparer.Ordinal).Take(2).ToList();
        var previous = BrowserHostFixture.UniqueMonth();
        var period = BrowserHostFixture.UniqueMonth();
        var sum = 0m;
        foreach (var (village, month) in new[] { (villages[0], previous), (villages[0], period), (villages[1], period) })
        {
            var values = host.TypedValues(village, month, seed: 5);
            sum += month == period ? decimal.Parse(values["pop_resident"], System.Globalization.CultureInfo.InvariantCulture) : 0;
            using var submitted = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{month}", host.Token(village.Code),
                BrowserHostFixture.Json(JsonSerializer.Serialize(new { values })));
            Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        }

        var page = await host.OpenAsync(width);
        await WebAppTests.SignInAsync(page, township, "viewer", period);
        await page.SelectOptionAsync("#trend-field", "pop_resident");
        await page.ClickAsync("#draw-chart");

        var trend = page.Locator("#chart-trend");
        var compare = page.Locator("#chart-compare");
        await Assertions.Expect(trend.Locator(".u-legend")).ToContainTextAsync(township.Name);
        await Assertions.Expect(compare.Locator(".u-legend")).ToContainTextAsync("常住人口");
        var box = page.Locator(".chart-box");
        await Assertions.Expect(box).ToContainTextAsync("本图用了 1 次请求");
        await Assertions.Expect(box).ToContainTextAsync(villages[1].Name);
        await Assertions.Expect(box).ToContainTextAsync(sum.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(box.Locator(".notice.error")).ToHaveCountAsync(0);
        Assert.DoesNotMatch("[A-Za-z]{4,} [a-z]+ [a-z]+", await box.InnerTextAsync());

        // Both canvases are drawn: inked pixels, and within the page's width.
        foreach (var chart in new[] { trend, compare })
        {
            var inked = await chart.Locator("canvas").EvaluateAsync<int>(
                "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }");
            Assert.True(inked > 500, $"only {inked} pixels drawn");
            var right = await chart.Locator("canvas").EvaluateAsync<double>("c => c.getBoundingClientRect().right");
            Assert.True(right <= width, $"the chart reaches {right} px on a {width} px page");
        }

        await box.ScrollIntoViewIfNeededAsync();
        await BrowserHostFixture.ScreenshotAsync(page, "office-chart");
        await page.Context.CloseAsync();
    }
    // A city's chart is assembled from its districts' stored sums, so it says when they were taken (数据截至, in the
    // pipeline's zone even in a browser set to another one) and, for a period no district had consolidated yet, which
    // districts were counted from their villages at the request instead.
    [Fact]
    public async Task A_citys_chart_names_the_districts_counted_live_and_then_says_as_of_when_its_stored_sums_were_taken()
    {
        var city = host.Orgs.All.Single(o => o.Level == OrgLevel.City);
        var districts = host.Orgs.Children(city.Code);
        var period = BrowserHostFixture.UniqueMonth();
        var context = await host.Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", TimezoneId = "America/Los_Angeles" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(host.BaseAddress + "/");
        await WebAppTests.SignInAsync(page, city, "viewer", period);
        await page.SelectOptionAsync("#trend-field", "pop_resident");

        // The first chart of a month nobody consolidated: every district counted live (and its sums kept), no 数据截至.
        await page.ClickAsync("#draw-chart");
        var live = page.Locator("#series-counted-live");
        await Assertions.Expect(live).ToContainTextAsync("实时计算");
        foreach (var district in districts)
        {
            await Assertions.Expect(live).ToContainTextAsync(district.Name);
        }

        Assert.Equal(0, await page.Locator("#series-as-of").CountAsync());

        // Drawn again: from the sums the first drawing stored, taken at the time the answer gives.
        var answered = page.WaitForResponseAsync(r => r.Url.Contains($"/api/orgs/{city.Code}/series/pop_resident", StringComparison.Ordinal));
        await page.ClickAsync("#draw-chart");
        var series = JsonDocument.Parse(await (await answered).TextAsync()).RootElement;
        var asOf = series.GetProperty("asOf").EnumerateArray().Last().GetDateTimeOffset();
        Assert.Empty(series.GetProperty("countedLive").EnumerateArray());
        var note = page.Locator("#series-as-of");
        await Assertions.Expect(note).ToContainTextAsync($"数据截至 {DisplayClock.Format(asOf)[11..]}");
        Assert.Equal(0, await page.Locator("#series-counted-live").CountAsync());
        await Assertions.Expect(page.Locator(".chart-box details").First).ToContainTextAsync(DisplayClock.Format(asOf));
        await context.CloseAsync();
    }
}
