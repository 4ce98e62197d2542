using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Web.Tests;

/// <summary>
/// A browser set to another zone than the pipeline's still shows the pipeline's times: the receipt's 接收时间 and the
/// draft's time read as the workbooks and the server's messages do (the display clock, <c>Pipeline__TimeZone</c>).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DisplayZoneTests(BrowserHostFixture host)
{
    /// <summary>Sixteen hours from China Standard Time: the browser's own rendering would show another hour and often another day.</summary>
    private const string BrowserZone = "America/Los_Angeles";

    [Fact]
    public async Task A_clerk_whose_browser_is_in_another_zone_reads_the_receipt_and_draft_times_in_the_pipelines_zone()
    {
        var village = host.Villages()[4];
        var period = BrowserHostFixture.UniqueMonth();
        var context = await host.Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "zh-CN", TimezoneId = BrowserZone });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        await page.GotoAsync(host.BaseAddress + "/");
        Assert.Equal(BrowserZone, await page.EvaluateAsync<string>("Intl.DateTimeFormat().resolvedOptions().timeZone"));

        await WebAppTests.SignInAsync(page, village, "submitter", period);
        await page.WaitForSelectorAsync("body[data-form-ready='true']");
        var typedFrom = DateTimeOffset.UtcNow;
        await WebAppTests.FillAsync(page, host.TypedValues(village, period, seed: 17));
        var draft = page.Locator("text=草稿已保存在本机");
        await Assertions.Expect(draft).ToBeVisibleAsync();
        var draftText = await draft.TextContentAsync();
        var typedTo = DateTimeOffset.UtcNow;
        Assert.Contains(draftText, new[] { typedFrom, typedTo }.Select(t => $"草稿已保存在本机（{DisplayClock.Format(t)}）"));

        var submitted = page.WaitForResponseAsync(r => r.Url.Contains($"/submissions/{period}", StringComparison.Ordinal) && r.Request.Method == "POST");
        await page.ClickAsync("button[type=submit].primary");
        var receivedAt = JsonDocument.Parse(await (await submitted).TextAsync()).RootElement.GetProperty("receivedAt").GetDateTimeOffset();
        var receipt = page.Locator("#result .notice.ok");
        await Assertions.Expect(receipt).ToContainTextAsync("提交成功");

        await Assertions.Expect(receipt).ToContainTextAsync($"接收时间：{DisplayClock.Format(receivedAt)}");
        var browserTime = TimeZoneInfo.ConvertTime(receivedAt, TimeZoneInfo.FindSystemTimeZoneById(BrowserZone)).ToString("HH:mm", CultureInfo.InvariantCulture);
        Assert.DoesNotContain($" {browserTime}", await receipt.TextContentAsync(), StringComparison.Ordinal);
        Assert.Empty(errors);
        await context.CloseAsync();
    }
}
