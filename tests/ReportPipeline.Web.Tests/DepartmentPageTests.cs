using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ReportPipeline.Application.Auth;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;

namespace ReportPipeline.Web.Tests;

[Collection(BrowserCollection.Name)]
public sealed class DepartmentPageTests(BrowserHostFixture host)
{
    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task A_department_previews_its_file_then_pushes_it_and_reads_the_receipt(int width)
    {
        var township = host.Townships()[width == 1280 ? 1 : 2];
        var villages = host.Orgs.Villages(township.Code).OrderBy(o => o.Code, StringComparer.Ordinal).Take(2).ToList();
        var period = BrowserHostFixture.UniqueMonth();
        var field = host.Catalog.Catalog.Fields.First(f => f.Departments.Contains("gaj") && f.Type == FieldType.Integer
            && f.Frequency == Domain.Periods.PeriodKind.Month && f.Source != FieldSource.Derived && f.Max >= 200);
        var file = Path.Combine(Path.GetTempPath(), $"gaj-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, $"行政区划代码,{field.Name}\n{villages[0].Code},123\n{villages[1].Code},124\n", new UTF8Encoding(false));
        var token = host.Runtime.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(township.Code, ["admin"], "gaj", TimeSpan.FromHours(1));

        var page = await host.OpenAsync(width);
        await page.GotoAsync(host.BaseAddress + "/");
        await page.EvaluateAsync("s => sessionStorage.setItem('rp.session', s)",
            JsonSerializer.Serialize(new { token, org = township.Code, roles = new[] { "admin" }, orgName = township.Name, period }));
        // A fresh load with the session in place, so that no sign-in page still rendering from the first load races it.
        await page.GotoAsync(host.BaseAddress + "/#/department");
        await page.ReloadAsync();
        await page.SetInputFilesAsync("#prefill-file", file);
        await page.ClickAsync("#prefill-preview");
        await Assertions.Expect(page.Locator("#prefill-plan")).ToContainTextAsync("将写入：2 项");
        var before = await ReadValueAsync(villages[0], period, field.Id);
        await BrowserHostFixture.ScreenshotAsync(page, $"department-preview-{width}");
        await page.ClickAsync("#prefill-confirm");
        await Assertions.Expect(page.Locator("#prefill-receipt")).ToContainTextAsync("已写入：2 项");
        await BrowserHostFixture.ScreenshotAsync(page, $"department-receipt-{width}");

        Assert.Null(before);
        Assert.Equal("123", await ReadValueAsync(villages[0], period, field.Id));
        await page.Context.CloseAsync();
        File.Delete(file);
    }

    private async Task<string?> ReadValueAsync(Org village, string period, string field)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/values/{period}", host.Token(village.Code));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("values").EnumerateArray().FirstOrDefault(v => v.GetProperty("field").GetString() == field) is { ValueKind: JsonValueKind.Object } v
            ? v.GetProperty("value").GetString()
            : null;
    }
}
