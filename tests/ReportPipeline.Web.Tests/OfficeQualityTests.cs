using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using static ReportPipeline.Web.Tests.WebAppTests;

namespace ReportPipeline.Web.Tests;

/// <summary>The 数据质量 list of the city: its districts' counts, no values; choosing the district lists them.</summary>
[Collection(BrowserCollection.Name)]
public sealed class OfficeQualityTests(BrowserHostFixture host)
{
    private const string JumpField = "pop_resident";

    [Fact]
    public async Task The_city_sees_each_districts_count_of_flagged_values_and_the_district_the_values()
    {
        var village = host.Villages()[5];
        var district = host.Orgs.Ancestors(village.Code).First(o => o.Level == OrgLevel.District);
        var previous = BrowserHostFixture.UniqueMonth();
        var period = BrowserHostFixture.UniqueMonth();
        Assert.Equal(Period.Parse(previous), Period.Parse(period).Previous());
        var last = host.TypedValues(village, previous, seed: 31);
        await SendAsync(village, previous, last);
        var values = host.TypedValues(village, period, seed: 31);
        values[JumpField] = (Math.Round(decimal.Parse(last[JumpField], CultureInfo.InvariantCulture) * 1.5m) + 10).ToString(CultureInfo.InvariantCulture);
        await SendAsync(village, period, values);

        var city = await host.OpenAsync(1280);
        await SignInAsync(city, host.Orgs.Root, "viewer", period);
        var line = city.Locator($"#quality-children tr[data-org='{district.Code}']");
        await Assertions.Expect(line).ToBeVisibleAsync();
        Assert.True(int.Parse(await line.Locator("td").Nth(1).InnerTextAsync(), CultureInfo.InvariantCulture) >= 1);
        await Assertions.Expect(city.Locator("#quality")).ToHaveCountAsync(0);

        // Each check's column holds that check's count for the district (a child's answer names only the checks that
        // flagged something in it), and the columns add up to its total.
        var answer = await QualityAsync(host.Orgs.Root, period);
        var child = answer.GetProperty("children").EnumerateArray().Single(c => c.GetProperty("org").GetString() == district.Code);
        var checks = answer.GetProperty("byCheck").EnumerateArray().Select(c => c.GetProperty("code").GetString()!).ToList();
        await Assertions.Expect(line.Locator("td[data-check]")).ToHaveCountAsync(checks.Count);
        foreach (var check in checks)
        {
            var expected = child.GetProperty("byCheck").EnumerateArray().Where(b => b.GetProperty("code").GetString() == check).Sum(b => b.GetProperty("count").GetInt32());
            await Assertions.Expect(line.Locator($"td[data-check='{check}']")).ToHaveTextAsync(expected.ToString(CultureInfo.InvariantCulture));
        }

        Assert.NotEqual("0", await line.Locator("td[data-check='quality_change']").InnerTextAsync());

        var office = await host.OpenAsync(1280);
        await SignInAsync(office, district, "viewer", period);
        await Assertions.Expect(office.Locator($"#quality tr[data-org='{village.Code}'][data-field='{JumpField}']")).ToBeVisibleAsync();

        // The township's page: its count and every flagged value with its village, as its answer lists them.
        var township = host.Orgs.Get(village.ParentCode!);
        var own = await QualityAsync(township, period);
        var page = await host.OpenAsync(375);
        await SignInAsync(page, township, "viewer", period);
        await Assertions.Expect(page.Locator("#quality-section h2")).ToHaveTextAsync($"数据质量（{own.GetProperty("count").GetInt32()} 处）");
        await Assertions.Expect(page.Locator("#quality tbody tr")).ToHaveCountAsync(own.GetProperty("flags").GetArrayLength());
        await Assertions.Expect(page.Locator($"#quality tr[data-org='{village.Code}'][data-field='{JumpField}']")).ToContainTextAsync(village.Name);
        await page.Context.CloseAsync();

        await city.Context.CloseAsync();
        await office.Context.CloseAsync();
    }

    /// <summary>The office's 数据质量 answer, as the city's viewer reads it.</summary>
    private async Task<JsonElement> QualityAsync(Org office, string period)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{office.Code}/quality/{period}", host.Token(host.Orgs.Root.Code, "viewer"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task SendAsync(Org village, string period, Dictionary<string, string> values)
    {
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code),
            BrowserHostFixture.Json(JsonSerializer.Serialize(new { values })));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
