using System.Text.Json;
using Microsoft.Playwright;
using static ReportPipeline.Web.Tests.WebAppTests;

namespace ReportPipeline.Web.Tests;

/// <summary>
/// An installable offline app: with the network gone the form reloads from the service worker's caches and can be
/// filled; a submit waits on the device (待发送) and is sent once when the network returns, stored exactly once.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OfflineTests(BrowserHostFixture host)
{
    [Fact]
    public async Task Offline_the_form_reloads_a_submit_waits_and_is_stored_once_when_the_network_returns()
    {
        var village = host.Villages()[17];
        var period = BrowserHostFixture.UniqueMonth();
        var page = await host.OpenAsync(375);
        await SignInAsync(page, village, "submitter", period);
        await page.WaitForSelectorAsync("body[data-form-ready='true']");
        Assert.NotNull(await page.GetAttributeAsync("link[rel=manifest]", "href"));
        // The service worker takes the page over; one load under it keeps the catalog and the form's data.
        await page.WaitForFunctionAsync("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null");
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-form-ready='true']");

        await page.Context.SetOfflineAsync(true);
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-form-ready='true']");
        var values = host.TypedValues(village, period, seed: 17);
        await page.EvaluateAsync(
            """
            values => {
              for (const [id, text] of Object.entries(values)) {
                const el = document.getElementById('f-' + id);
                if (!el || el.disabled) continue;
                if (el.tagName === 'SELECT') {
                  const option = [...el.options].find(o => o.value === text || o.textContent === text);
                  el.value = option ? option.value : '';
                } else el.value = text;
                el.dispatchEvent(new Event('input', { bubbles: true }));
              }
            }
            """, values);
        await page.FillAsync("#f-pop_floating_out", "777");
        await page.ClickAsync("button[type=submit].primary");
        await Assertions.Expect(page.Locator("#result .notice.outbox")).ToContainTextAsync("待发送");
        await BrowserHostFixture.ScreenshotAsync(page, "clerk-offline-queued");
        Assert.Empty(await HistoryAsync(village.Code, period));

        await page.Context.SetOfflineAsync(false);
        await page.EvaluateAsync("() => window.dispatchEvent(new Event('online'))");
        var receipt = page.Locator("#result .notice.ok");
        await Assertions.Expect(receipt).ToContainTextAsync("已发送 回执号");
        await Assertions.Expect(page.Locator("#f-pop_floating_out")).ToHaveValueAsync("777");

        // Once: one submission in the village's history, whatever the page or the network did.
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-form-ready='true']");
        var submissions = (await HistoryAsync(village.Code, period)).Select(v => v.GetProperty("submissionId").GetString()).Distinct().ToList();
        Assert.Single(submissions);
        await page.Context.CloseAsync();
    }

    private async Task<List<JsonElement>> HistoryAsync(string org, string period)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{org}/history/{period}?pageSize=500", host.Token(org, "viewer"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. json.RootElement.GetProperty("versions").EnumerateArray().Select(v => v.Clone())];
    }
}
