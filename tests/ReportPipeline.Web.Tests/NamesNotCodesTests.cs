using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using ReportPipeline.Domain.Periods;
using static ReportPipeline.Web.Tests.WebAppTests;

namespace ReportPipeline.Web.Tests;

/// <summary>Names, not codes: pre-filled values name the departments that pushed them, and whoever acted is named by their org.</summary>
[Collection(BrowserCollection.Name)]
public sealed class NamesNotCodesTests(BrowserHostFixture host)
{
    [Fact]
    public async Task The_clerk_reads_which_departments_prefilled_a_value_and_which_office_approved_by_name()
    {
        var village = host.Villages()[18];
        Assert.True(host.Orgs.TryGet(village.ParentCode!, out var township));
        var period = Period.Parse(BrowserHostFixture.UniqueMonth());
        using (var submitted = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code),
            BrowserHostFixture.Json(JsonSerializer.Serialize(new { values = host.TypedValues(village, period.ToString(), seed: 31) }))))
        {
            Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        }

        var prefilled = await DuePeriodTests.PrefillAsync(host, village, period);
        using (var approved = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/approval/{period}", host.Token(township!.Code, "admin"),
            BrowserHostFixture.Json("""{"action":"approve"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        }

        var page = await host.OpenAsync(1280);
        await SignInAsync(page, village, "submitter", period.ToString());
        await page.WaitForSelectorAsync("body[data-form-ready='true']");

        var field = host.Catalog.Catalog[prefilled.Keys.First(id => host.Catalog.Catalog[id].Departments.Count > 0)];
        await Assertions.Expect(page.Locator($"#row-{field.Id} .tag.prefill")).ToHaveTextAsync($"已由{host.Catalog.Catalog.Departments.NamesOf(field.Departments)}预填");
        await Assertions.Expect(page.Locator("#approval-note")).ToContainTextAsync($"由 {township.Name} 审核通过");
        await Assertions.Expect(page.Locator("#approval-note")).Not.ToContainTextAsync(township.Code);
        await Assertions.Expect(page.Locator("#lock-reason")).ToContainTextAsync(township.Name);
        await page.Context.CloseAsync();

        // The office's list of steps names the approving office too.
        var office = await host.OpenAsync(1280);
        await SignInAsync(office, township, "admin", period.ToString());
        var steps = office.Locator("#approval-section ol.steps");
        await Assertions.Expect(steps).ToContainTextAsync($"审核通过（{township.Name}）", new() { UseInnerText = false });
        await Assertions.Expect(steps).Not.ToContainTextAsync(township.Code);
        await office.Context.CloseAsync();
    }
}
