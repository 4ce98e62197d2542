using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ReportPipeline.Application.Auth;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;

namespace ReportPipeline.Web.Tests;

/// <summary>
/// 报表准入 in the browser: a department's admin builds a report from two one-table items, checks and proposes it; the
/// city's 减负办 admits it from a later period; the 报表清单 lists it for that period and not for the current one.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class AdmissionPageTests(BrowserHostFixture host)
{
    private static int s_nextYear = 2089;

    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task A_department_proposes_a_report_from_one_table_items_and_the_city_admits_it_from_a_later_period(int width)
    {
        // Each admission is a catalog version in force from its period on, later than any other test's periods (2050…)
        // and later than the previous admission's (a version may not start before the newest one).
        var later = $"{Interlocked.Increment(ref s_nextYear)}-01";
        var current = BrowserHostFixture.UniqueMonth();
        var templateId = $"yjj_web_{width}_monthly";
        var title = $"村（社区）应急物资月报（{width}）";
        var fields = host.Catalog.Catalog.Fields
            .Where(f => f.Source == FieldSource.Typed && f.Frequency == Domain.Periods.PeriodKind.Month)
            .Take(2).ToList();
        var township = host.Townships()[0];

        var department = await OpenAsync(width, township, ["admin"], "yjj", current, "#/proposals/new");
        await Assertions.Expect(department.Locator("#nav-proposal")).ToBeVisibleAsync();
        await Assertions.Expect(department.Locator("#proposal h2")).ToHaveTextAsync("应急局：申请新报表");
        await department.FillAsync("#adm-template-id", templateId);
        await department.FillAsync("#adm-title", title);
        foreach (var field in fields)
        {
            await department.FillAsync("#adm-search", field.Id);
            await department.ClickAsync($"#adm-results button[data-field='{field.Id}']");
        }

        await Assertions.Expect(department.Locator("#adm-columns li")).ToHaveCountAsync(2);
        await department.FillAsync("#adm-from", later);
        await department.FillAsync("#adm-reason", "汛期每月掌握各村应急物资情况，数据均取自一表。");
        await department.ClickAsync("#adm-check-button");
        await Assertions.Expect(department.Locator("#adm-check tr[data-verdict='existing']")).ToHaveCountAsync(2);
        await Assertions.Expect(department.Locator("#adm-check")).ToContainTextAsync("一表已有");
        await Assertions.Expect(department.Locator("#adm-check-burden")).ToContainTextAsync("每年多填 0 项");
        await department.ClickAsync("#adm-submit");
        await Assertions.Expect(department.Locator("#adm-answer")).ToContainTextAsync("已提交报表准入申请");
        await Assertions.Expect(department.Locator("#adm-answer-burden")).ToContainTextAsync("每个村（社区）每年多填 0 项");
        var id = (await department.Locator("#adm-proposal-id").TextContentAsync())!.Trim();
        await BrowserHostFixture.ScreenshotAsync(department, "admission-proposal");
        await NoEnglishErrorAsync(department);
        await department.Context.CloseAsync();

        var city = await OpenAsync(width, host.Orgs.Root, ["admin"], null, current, "#/proposals/review");
        var item = city.Locator($"#adm-queue article[data-proposal='{id}']");
        await Assertions.Expect(item.Locator("h3")).ToHaveTextAsync($"应急局：{title}");
        await Assertions.Expect(item).ToContainTextAsync("一表已有");
        await Assertions.Expect(item.Locator(".adm-burden")).ToContainTextAsync("每个村（社区）每年多填 0 项");
        await BrowserHostFixture.ScreenshotAsync(city, "admission-review");

        // A decision without a reason is not sent.
        await item.Locator("button.adm-admit").ClickAsync();
        await Assertions.Expect(item).ToContainTextAsync("请写明决定理由");
        await item.Locator("textarea.adm-decision-reason").FillAsync("数据均取自一表，村（社区）无需多填。");
        await item.Locator("input.adm-decision-from").FillAsync(later);
        await item.Locator("button.adm-admit").ClickAsync();
        await Assertions.Expect(city.Locator("#adm-decided")).ToContainTextAsync("准入");
        await Assertions.Expect(city.Locator($"#adm-queue article[data-proposal='{id}']")).ToHaveCountAsync(0);
        await NoEnglishErrorAsync(city);

        await city.ClickAsync("#nav-templates");
        await Assertions.Expect(city.Locator("#templates-summary")).ToBeVisibleAsync();
        await Assertions.Expect(city.Locator($"#templates-list tr[data-template='{templateId}']")).ToHaveCountAsync(0);
        await city.FillAsync("#templates-period", later);
        await city.ClickAsync("#templates-load");
        var row = city.Locator($"#templates-list tr[data-template='{templateId}']");
        await Assertions.Expect(row).ToContainTextAsync(title);
        await Assertions.Expect(row).ToContainTextAsync("应急局");
        await Assertions.Expect(row).ToContainTextAsync(id);
        await row.ScrollIntoViewIfNeededAsync();
        await BrowserHostFixture.ScreenshotAsync(city, "admission-templates");
        await NoEnglishErrorAsync(city);
        await city.Context.CloseAsync();
    }

    private async Task<IPage> OpenAsync(int width, Org org, string[] roles, string? dept, string period, string hash)
    {
        var token = host.Runtime.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(org.Code, roles, dept, TimeSpan.FromHours(1));
        var page = await host.OpenAsync(width);
        await page.EvaluateAsync("s => sessionStorage.setItem('rp.session', s)",
            JsonSerializer.Serialize(new { token, org = org.Code, roles, orgName = org.Name, period }));
        await page.GotoAsync(host.BaseAddress + "/" + hash);
        await page.ReloadAsync();
        return page;
    }

    private static async Task NoEnglishErrorAsync(IPage page)
    {
        var text = await page.Locator("body").InnerTextAsync();
        Assert.DoesNotMatch(EnglishError(), text);
    }

    [GeneratedRegex(@"\b(error|exception|failed|invalid|undefined|null|NaN|object Object|not found|forbidden|bad request)\b", RegexOptions.IgnoreCase)]
    private static partial Regex EnglishError();
}
