using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using ReportPipeline.Domain.Periods;
using static ReportPipeline.Web.Tests.WebAppTests;

namespace ReportPipeline.Web.Tests;

/// <summary>The form warns while typing by the soft limits the catalog carries, and the clerk's explanation reaches the office.</summary>
[Collection(BrowserCollection.Name)]
public sealed class QualityWhileTypingTests(BrowserHostFixture host)
{
    [Fact]
    public async Task A_jump_against_last_month_warns_while_typing_and_the_explanation_sent_is_shown_to_the_office()
    {
        var village = host.Villages()[29];
        var township = host.Orgs.TryGet(village.ParentCode!, out var parent) ? parent : throw new InvalidOperationException();
        var period = Period.Parse(BrowserHostFixture.UniqueMonth());
        var last = host.TypedValues(village, period.Previous().ToString(), seed: 29);
        last["pop_resident"] = "5000";
        using (var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period.Previous()}", host.Token(village.Code),
            BrowserHostFixture.Json(JsonSerializer.Serialize(new { values = last }))))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var page = await host.OpenAsync(375);
        await SignInAsync(page, village, "submitter", period.ToString());
        await page.WaitForSelectorAsync("body[data-form-ready='true']");
        var values = host.TypedValues(village, period.ToString(), seed: 30);
        values.Remove("pop_resident");
        await page.EvaluateAsync(
            """
            values => {
              for (const [id, text] of Object.entries(values)) {
                const el = document.getElementById('f-' + id);
                if (!el || el.disabled || el.tagName === 'SELECT') continue;
                el.value = text;
                el.dispatchEvent(new Event('input', { bubbles: true }));
              }
            }
            """, values.Where(kv => host.Catalog.Catalog[kv.Key].Type is Domain.Catalog.FieldType.Integer or Domain.Catalog.FieldType.Decimal).ToDictionary());

        await page.FillAsync("#f-pop_resident", "7000");
        var warning = page.Locator("#e-pop_resident");
        await Assertions.Expect(warning).ToContainTextAsync("超过允许的变化幅度±20%");
        await Assertions.Expect(page.Locator("#row-pop_resident")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("warn"));
        var explanation = page.Locator("#x-pop_resident");
        await Assertions.Expect(explanation).ToBeVisibleAsync();
        await explanation.FillAsync("新建安置小区入住");
        await page.Locator("#row-pop_resident").ScrollIntoViewIfNeededAsync();
        await BrowserHostFixture.ScreenshotAsync(page, "clerk-quality-warning");

        // Back within the limit: no warning, no box.
        await page.FillAsync("#f-pop_resident", "5100");
        await Assertions.Expect(warning).ToBeEmptyAsync();
        await Assertions.Expect(explanation).ToBeHiddenAsync();
        await page.FillAsync("#f-pop_resident", "7000");
        await Assertions.Expect(explanation).ToHaveValueAsync("新建安置小区入住");

        await page.ClickAsync("button[type=submit].primary");
        await Assertions.Expect(page.Locator("#result .notice.ok")).ToContainTextAsync("提交成功");
        await page.Context.CloseAsync();

        using var quality = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/quality/{period}", host.Token(township.Code, "viewer"));
        using var json = JsonDocument.Parse(await quality.Content.ReadAsStringAsync());
        var flag = json.RootElement.GetProperty("flags").EnumerateArray()
            .Single(f => f.GetProperty("org").GetString() == village.Code && f.GetProperty("field").GetString() == "pop_resident");
        Assert.Equal("新建安置小区入住", flag.GetProperty("explanation").GetString());
    }
}
