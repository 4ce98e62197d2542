using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using OfficeOpenXml;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.LocalHost.Commands;
using Xunit.Abstractions;

namespace ReportPipeline.Web.Tests;

[Collection(BrowserCollection.Name)]
public sealed class WebAppTests(BrowserHostFixture host, ITestOutputHelper output)
{
    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task A_clerk_signs_in_sees_an_inline_error_fixes_it_submits_and_reads_the_receipt(int width)
    {
        var village = host.Villages()[width == 1280 ? 0 : 1];
        var period = BrowserHostFixture.UniqueMonth();
        var values = host.TypedValues(village, period, seed: width);
        var field = host.Catalog.Catalog.Fields.First(f => f is { Source: FieldSource.Typed, Type: FieldType.Integer, Max: not null, Required: true }
            && values.ContainsKey(f.Id));
        var page = await host.OpenAsync(width);

        await SignInAsync(page, village, "submitter", period);
        await page.WaitForSelectorAsync("body[data-form-ready='true']");
        // Time to interactive of the whole one table: from navigation start of a fresh load (token kept in the tab).
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-form-ready='true']");
        var interactiveMs = await page.EvaluateAsync<double>("performance.now()");
        var renderMs = await page.EvaluateAsync<double>("window.__formReadyMs");
        var fieldCount = await page.Locator("form.onetable .row").CountAsync();
        output.WriteLine($"Form of {fieldCount} fields at {width}px: interactive {interactiveMs:0} ms after navigation start (render and wiring {renderMs:0} ms)");

        await FillAsync(page, values);
        var input = page.Locator($"#f-{field.Id}");
        await input.FillAsync((field.Max!.Value + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var error = page.Locator($"#e-{field.Id}");
        await Assertions.Expect(error).ToContainTextAsync(field.Name);
        await Assertions.Expect(error).ToContainTextAsync("应在");
        await input.ScrollIntoViewIfNeededAsync();
        await BrowserHostFixture.ScreenshotAsync(page, "clerk-inline-error");

        await input.FillAsync(values[field.Id]);
        await Assertions.Expect(error).ToBeEmptyAsync();
        await page.ClickAsync("button[type=submit].primary");

        var receipt = page.Locator("#result .notice.ok");
        await Assertions.Expect(receipt).ToContainTextAsync("提交成功");
        await Assertions.Expect(receipt).ToContainTextAsync($"已收到 {village.Name}");
        await BrowserHostFixture.ScreenshotAsync(page, "clerk-receipt");
        await page.WaitForTimeoutAsync(600);
        Assert.Equal(0, await page.EvaluateAsync<int>("Object.keys(localStorage).filter(k => k.startsWith('rp.draft.')).length"));

        using var stored = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/values/{period}", host.Token(village.Code, "viewer"));
        var json = JsonDocument.Parse(await stored.Content.ReadAsStringAsync()).RootElement;
        var storedValue = json.GetProperty("values").EnumerateArray().Single(v => v.GetProperty("field").GetString() == field.Id).GetProperty("value").GetString();
        Assert.Equal(values[field.Id], storedValue);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_clerk_uploads_a_filled_workbook_and_a_gb18030_csv_and_reads_each_receipt()
    {
        var village = host.Villages()[2];
        var period = BrowserHostFixture.UniqueMonth();
        var values = host.TypedValues(village, period, seed: 7);
        using var form = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/form/{period}", host.Token(village.Code));
        var workbook = DemoCommand.FillForm(await form.Content.ReadAsByteArrayAsync(), values);
        var page = await host.OpenAsync(1280);
        await SignInAsync(page, village, "submitter", period);
        await page.WaitForSelectorAsync("body[data-form-ready='true']");
        await page.ClickAsync("details.offline summary");

        await page.SetInputFilesAsync("#upload-file", new FilePayload { Name = "一表通填报表.xlsx", MimeType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Buffer = workbook });
        await Assertions.Expect(page.Locator("#result .notice.ok")).ToContainTextAsync("上传文件 一表通填报表.xlsx");
        await Assertions.Expect(page.Locator("#result .notice.ok")).ToContainTextAsync($"更新 {values.Count} 项");

        // The same numbers again as a GB18030 CSV with Chinese headers, sent by the browser as Windows does
        // (application/vnd.ms-excel): the app sends it as text/csv; the content equals what is stored, so the server
        // answers with the first receipt and the page says that nothing was saved twice.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var catalog = host.Catalog.Catalog;
        var csv = string.Join(",", values.Keys.Select(k => catalog[k].Name)) + "\r\n" + string.Join(",", values.Values.Select(v => v.Contains(',') ? $"\"{v}\"" : v)) + "\r\n";
        await page.SetInputFilesAsync("#upload-file", new FilePayload { Name = "村报表.csv", MimeType = "application/vnd.ms-excel", Buffer = Encoding.GetEncoding("GB18030").GetBytes(csv) });
        var receipt = page.Locator("#result .notice.ok");
        await Assertions.Expect(receipt).ToContainTextAsync("上传文件 村报表.csv");
        await Assertions.Expect(receipt).ToContainTextAsync("已收到（重复提交）");
        await Assertions.Expect(receipt).ToContainTextAsync("本次没有重复保存");
        await BrowserHostFixture.ScreenshotAsync(page, "clerk-upload");

        // A CSV with a wrong number: the error list names the cell.
        var field = catalog.Fields.First(f => f is { Source: FieldSource.Typed, Type: FieldType.Integer, Max: not null } && values.ContainsKey(f.Id));
        var bad = $"编号,本期数值\r\n{field.Id},不是数字\r\n";
        await page.SetInputFilesAsync("#upload-file", new FilePayload { Name = "错误.csv", MimeType = "text/csv", Buffer = Encoding.GetEncoding("GB18030").GetBytes(bad) });
        var problems = page.Locator("#result .notice.error");
        await Assertions.Expect(problems).ToContainTextAsync("应为数字");
        await Assertions.Expect(problems.Locator(".cell")).ToContainTextAsync("第");
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task An_office_viewer_sees_the_village_reported_downloads_its_workbook_and_cannot_see_another_township(int width)
    {
        var township = host.Townships()[0];
        var other = host.Townships()[1];
        var village = host.Orgs.Villages(township.Code).OrderBy(o => o.Code, StringComparer.Ordinal).Skip(width == 1280 ? 3 : 4).First();
        var period = BrowserHostFixture.UniqueMonth();
        var values = host.TypedValues(village, period, seed: 11 + width);
        using (var submitted = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code),
            BrowserHostFixture.Json(JsonSerializer.Serialize(new { values }))))
        {
            Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        }

        var template = host.Catalog.Templates.First(t => t.PeriodKind == Domain.Periods.PeriodKind.Month && t.AudienceLevels.Contains(OrgLevel.Township)
            && t.Columns.Count(c => c.FieldId is { } id && values.ContainsKey(id) && host.Catalog.Catalog[id].Type is FieldType.Integer) >= 2);
        using (var built = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{township.Code}/reports/{period}/{template.Id}/build", host.Token(township.Code, "admin")))
        {
            Assert.Equal(HttpStatusCode.OK, built.StatusCode);
        }

        var page = await host.OpenAsync(width);
        await SignInAsync(page, township, "viewer", period);
        var row = page.Locator($"#units tr[data-org='{village.Code}']");
        await Assertions.Expect(row).ToContainTextAsync("已报");
        await Assertions.Expect(page.Locator("#chase")).Not.ToContainTextAsync(village.Name);
        await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync(other.Name);
        await BrowserHostFixture.ScreenshotAsync(page, "office-status");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync($"#workbooks tr[data-template='{template.Id}'] button.download"));
        var file = await download.PathAsync();
        Assert.EndsWith(".xlsx", download.SuggestedFilename, StringComparison.Ordinal);
        using var package = new ExcelPackage(new FileInfo(file));
        var sheet = package.Workbook.Worksheets.First();
        var villageRow = sheet.Cells.First(c => c.Value as string == village.Name).Start.Row;
        var rowNumbers = Enumerable.Range(1, sheet.Dimension.End.Column).Select(c => sheet.Cells[villageRow, c].Value).OfType<double>().ToList();
        foreach (var column in template.Columns.Where(c => c.FieldId is { } id && values.ContainsKey(id) && host.Catalog.Catalog[id].Type is FieldType.Integer))
        {
            Assert.Contains(double.Parse(values[column.FieldId!], System.Globalization.CultureInfo.InvariantCulture), rowNumbers);
        }

        // Another township's completeness, asked for from inside the app with the viewer's own token: refused.
        var status = await page.EvaluateAsync<int>(
            "async org => (await fetch(`/api/orgs/${org}/status/" + period + "`, { headers: { Authorization: 'Bearer ' + JSON.parse(sessionStorage.getItem('rp.session')).token } })).status",
            other.Code);
        Assert.Equal(403, status);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_app_is_served_with_a_strict_content_security_policy_and_no_inline_script()
    {
        using var response = await host.Http.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotMatch("<script(?![^>]*\\bsrc=)", html);
        Assert.DoesNotContain("http", html.Replace("http-equiv", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    internal static async Task SignInAsync(IPage page, Org org, string role, string period)
    {
        await page.FillAsync("#org-search", org.Code);
        await page.ClickAsync($"#org-results button[data-code='{org.Code}']");
        await page.SelectOptionAsync("#role", role);
        await page.FillAsync("#period", period);
        await page.ClickAsync("#signin");
    }

    /// <summary>Types every value at once (the events the browser would send), so that 200 fields do not take 200 round trips.</summary>
    internal static Task FillAsync(IPage page, IReadOnlyDictionary<string, string> values) =>
        page.EvaluateAsync(
            """
            values => {
              for (const [id, text] of Object.entries(values)) {
                const el = document.getElementById('f-' + id);
                if (!el || el.disabled) continue;
                if (el.tagName === 'SELECT') {
                  const option = [...el.options].find(o => o.value === text || o.textContent === text || (text === 'true' && o.value === 'true') || (text === 'false' && o.value === 'false'));
                  el.value = option ? option.value : '';
                } else el.value = text;
                el.dispatchEvent(new Event('input', { bubbles: true }));
              }
            }
            """,
            values);
}
