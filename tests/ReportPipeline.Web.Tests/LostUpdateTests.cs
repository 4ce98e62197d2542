using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using ReportPipeline.Domain.Orgs;
using static ReportPipeline.Web.Tests.WebAppTests;

namespace ReportPipeline.Web.Tests;

/// <summary>
/// A submit never silently undoes newer data: the form sends the version it loaded, a 412 shows the newer values beside
/// the clerk's with a choice per field, and an upload from the page reloads the stored values.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LostUpdateTests(BrowserHostFixture host)
{
    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task Values_changed_after_the_form_was_opened_are_shown_beside_the_clerks_and_the_chosen_ones_are_stored(int width)
    {
        var (village, period) = await ReportedAsync(width == 1280 ? 3 : 4);
        var page = await host.OpenAsync(width);
        await SignInAsync(page, village, "submitter", period);
        await page.WaitForSelectorAsync("body[data-form-ready='true']");
        await Assertions.Expect(page.Locator("#f-pop_resident")).ToHaveValueAsync("5200");

        // Someone else (another tab, an office admin, a CSV through the API) changes two fields; the page is not refreshed.
        using (var csv = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code),
            new StringContent("编号,本期数值\r\npop_resident,5300\r\npop_floating_in,2060\r\n", Encoding.UTF8, "text/csv")))
        {
            Assert.Equal(HttpStatusCode.Created, csv.StatusCode);
        }

        await page.FillAsync("#f-pop_floating_out", "777");
        await page.ClickAsync("button[type=submit].primary");

        var conflict = page.Locator("#result .notice.conflict");
        await Assertions.Expect(conflict).ToContainTextAsync("本次提交未保存任何数据");
        await Assertions.Expect(conflict.Locator("[data-field='pop_resident']")).ToContainTextAsync("5300");
        await Assertions.Expect(conflict.Locator("[data-field='pop_resident']")).ToContainTextAsync("5200");
        await Assertions.Expect(conflict.Locator("[data-field='pop_floating_in']")).ToContainTextAsync("2060");
        await BrowserHostFixture.ScreenshotAsync(page, "clerk-conflict");
        // The refused submit wrote nothing: the newer two are kept and the clerk's change is not stored yet.
        var refused = await StoredAsync(village, period);
        Assert.Equal(("5300", "2060"), (refused["pop_resident"], refused["pop_floating_in"]));
        Assert.NotEqual("777", refused["pop_floating_out"]);

        await conflict.Locator("[data-field='pop_resident'] input[value='theirs']").CheckAsync();
        await conflict.Locator("[data-field='pop_floating_in'] input[value='theirs']").CheckAsync();
        await conflict.Locator("button.resubmit").ClickAsync();

        await Assertions.Expect(page.Locator("#result .notice.ok")).ToContainTextAsync("提交成功");
        var stored = await StoredAsync(village, period);
        Assert.Equal(("5300", "2060", "777"), (stored["pop_resident"], stored["pop_floating_in"], stored["pop_floating_out"]));
        await Assertions.Expect(page.Locator("#f-pop_resident")).ToHaveValueAsync("5300");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task After_a_csv_uploaded_from_the_page_the_form_shows_the_stored_values_and_a_later_submit_keeps_them()
    {
        var (village, period) = await ReportedAsync(5);
        var page = await host.OpenAsync(1280);
        await SignInAsync(page, village, "submitter", period);
        await page.WaitForSelectorAsync("body[data-form-ready='true']");
        await page.ClickAsync("details.offline summary");

        await page.SetInputFilesAsync("#upload-file", new FilePayload { Name = "村报表.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes("编号,本期数值\r\npop_resident,5300\r\npop_floating_in,2060\r\n") });
        await Assertions.Expect(page.Locator("#result .notice.ok")).ToContainTextAsync("更新 2 项");
        await Assertions.Expect(page.Locator("#f-pop_resident")).ToHaveValueAsync("5300");
        await Assertions.Expect(page.Locator("#f-pop_floating_in")).ToHaveValueAsync("2060");

        await page.FillAsync("#f-pop_floating_out", "777");
        await page.ClickAsync("button[type=submit].primary");

        await Assertions.Expect(page.Locator("#result .notice.ok")).ToContainTextAsync("更新 1 项");
        var stored = await StoredAsync(village, period);
        Assert.Equal(("5300", "2060", "777"), (stored["pop_resident"], stored["pop_floating_in"], stored["pop_floating_out"]));
        await page.Context.CloseAsync();
    }

    /// <summary>A village that has reported a month with 常住人口 5200 and 流入人口 2050.</summary>
    private async Task<(Org Village, string Period)> ReportedAsync(int index)
    {
        var village = host.Villages()[index];
        var period = BrowserHostFixture.UniqueMonth();
        var values = host.TypedValues(village, period, seed: 60 + index);
        (values["pop_resident"], values["pop_floating_in"], values["pop_registered"]) = ("5200", "2050", "5000");
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code), BrowserHostFixture.Json(JsonSerializer.Serialize(new { values })));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (village, period);
    }

    private async Task<Dictionary<string, string>> StoredAsync(Org village, string period)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/values/{period}", host.Token(village.Code, "viewer"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("values").EnumerateArray().ToDictionary(v => v.GetProperty("field").GetString()!, v => v.GetProperty("value").GetString()!);
    }
}
