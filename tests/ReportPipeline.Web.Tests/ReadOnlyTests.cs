using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using static ReportPipeline.Web.Tests.WebAppTests;

namespace ReportPipeline.Web.Tests;

/// <summary>Locked means read-only, and offices are offered only the steps the approval rules allow, from the server.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ReadOnlyTests(BrowserHostFixture host)
{
    [Fact]
    public async Task A_locked_form_disables_every_input_and_flag_button_and_says_why()
    {
        var village = host.Villages()[26];
        var period = Period.Parse(BrowserHostFixture.UniqueMonth());
        await SubmitAsync(village, period.ToString(), seed: 26);
        await DuePeriodTests.PrefillAsync(host, village, period);
        await ApproveAsync(village, period.ToString(), village.ParentCode!);

        var page = await host.OpenAsync(375);
        await SignInAsync(page, village, "submitter", period.ToString());
        await page.WaitForSelectorAsync("body[data-form-ready='true']");

        Assert.True(await page.Locator("form.onetable .row input, form.onetable .row select").CountAsync() > 50);
        Assert.Equal(0, await page.Locator("form.onetable .row input:enabled, form.onetable .row select:enabled").CountAsync());
        Assert.True(await page.Locator("form.onetable button.flag").CountAsync() > 0);
        Assert.Equal(0, await page.Locator("form.onetable button.flag:enabled").CountAsync());
        await Assertions.Expect(page.Locator("#lock-reason")).ToContainTextAsync("审核通过并锁定");
        await Assertions.Expect(page.Locator("details.offline")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("button[type=submit].primary")).ToBeDisabledAsync();
        await BrowserHostFixture.ScreenshotAsync(page, "clerk-locked-readonly");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Offices_are_offered_only_the_steps_the_approval_rules_allow()
    {
        var city = host.Orgs.All.Single(o => o.Level == OrgLevel.City);
        var district = host.Orgs.Children(city.Code).First();
        var township = host.Townships()[0];
        var villages = host.Orgs.Villages(township.Code).OrderBy(o => o.Code, StringComparer.Ordinal).ToList();
        var (reported, silent) = (villages[7], villages[8]);
        var period = BrowserHostFixture.UniqueMonth();
        await SubmitAsync(reported, period, seed: 27);

        // The township's admin: the reported village may be approved or returned; the silent one cannot be approved.
        var office = await host.OpenAsync(1280);
        await SignInAsync(office, township, "admin", period);
        var reportedRow = office.Locator($"#approval tr[data-org='{reported.Code}']");
        await Assertions.Expect(reportedRow.Locator("button.approve")).ToBeVisibleAsync();
        await Assertions.Expect(reportedRow.Locator("button.return")).ToBeVisibleAsync();
        Assert.Equal(0, await office.Locator($"#approval tr[data-org='{silent.Code}'] button.approve").CountAsync());
        await Assertions.Expect(office.Locator("#approve-self")).ToBeDisabledAsync();
        await office.Context.CloseAsync();

        // The city's admin: the district's villages are not approved, so the district cannot be approved yet.
        var cityPage = await host.OpenAsync(1280);
        await SignInAsync(cityPage, city, "admin", period);
        var districtRow = cityPage.Locator($"#approval tr[data-org='{district.Code}']");
        await Assertions.Expect(districtRow).ToBeVisibleAsync();
        await Assertions.Expect(districtRow.Locator("button.return")).ToBeVisibleAsync();
        Assert.Equal(0, await districtRow.Locator("button.approve").CountAsync());
        await cityPage.Context.CloseAsync();

        // The route says the same, for the caller: a viewer is offered nothing.
        using var asViewer = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/approval/{period}", host.Token(township.Code, "viewer"));
        using var json = JsonDocument.Parse(await asViewer.Content.ReadAsStringAsync());
        Assert.All(json.RootElement.GetProperty("units").EnumerateArray(), u => Assert.Equal(0, u.GetProperty("actions").GetArrayLength()));
    }

    private async Task SubmitAsync(Org village, string period, int seed)
    {
        var values = host.TypedValues(village, period, seed);
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code),
            BrowserHostFixture.Json(JsonSerializer.Serialize(new { values })));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private async Task ApproveAsync(Org village, string period, string by)
    {
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/approval/{period}", host.Token(by, "admin"),
            BrowserHostFixture.Json("""{"action":"approve"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
