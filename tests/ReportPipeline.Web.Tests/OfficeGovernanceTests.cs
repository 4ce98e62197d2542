using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using static ReportPipeline.Web.Tests.WebAppTests;

namespace ReportPipeline.Web.Tests;

/// <summary>The office's workbook list, the approval chain as office and clerk see it, and a value's history and quality flags.</summary>
[Collection(BrowserCollection.Name)]
public sealed class OfficeGovernanceTests(BrowserHostFixture host)
{
    private const string JumpField = "pop_resident";

    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task An_office_sees_when_each_workbook_was_built_and_which_wait_for_a_rebuild_and_an_admin_rebuilds_one(int width)
    {
        var township = host.Townships()[1];
        var villages = host.Orgs.Villages(township.Code).OrderBy(o => o.Code, StringComparer.Ordinal).ToList();
        var period = BrowserHostFixture.UniqueMonth();
        var templates = host.Catalog.Templates.Where(t => t.PeriodKind == PeriodKind.Month && t.AudienceLevels.Contains(OrgLevel.Township)).ToList();
        var (built, notBuilt) = (templates[0], templates[1]);
        await SubmitAsync(villages[0], period, seed: 3);
        using (var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{township.Code}/reports/{period}/{built.Id}/build", host.Token(township.Code, "admin")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var page = await host.OpenAsync(width);
        await SignInAsync(page, township, "admin", period);
        var builtRow = page.Locator($"#workbooks tr[data-template='{built.Id}']");
        var otherRow = page.Locator($"#workbooks tr[data-template='{notBuilt.Id}']");
        await Assertions.Expect(builtRow.Locator("td.state")).ToHaveTextAsync("已是最新");
        await Assertions.Expect(builtRow.Locator("td.built")).Not.ToHaveTextAsync("尚未生成");
        await Assertions.Expect(otherRow.Locator("td.built")).ToHaveTextAsync("尚未生成");
        await Assertions.Expect(otherRow.Locator("td.state")).ToHaveTextAsync("待更新");
        await Assertions.Expect(otherRow.Locator("button.download")).ToBeDisabledAsync();
        var builtAt = await builtRow.Locator("td.built").TextContentAsync();

        // Another village of the township reports: the built workbook now waits for a rebuild, its built time unchanged.
        await SubmitAsync(villages[1], period, seed: 4);
        await page.ReloadAsync();
        await Assertions.Expect(builtRow.Locator("td.state")).ToHaveTextAsync("待更新");
        await Assertions.Expect(builtRow.Locator("td.built")).ToHaveTextAsync(builtAt!);
        await builtRow.ScrollIntoViewIfNeededAsync();
        await BrowserHostFixture.ScreenshotAsync(page, "office-workbooks-pending");

        await builtRow.Locator("button.build").ClickAsync();
        await Assertions.Expect(page.Locator("#workbooks-section .notice.ok")).ToContainTextAsync("已生成");
        await Assertions.Expect(builtRow.Locator("td.state")).ToHaveTextAsync("已是最新");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_sees_the_workbooks_without_the_rebuild_button()
    {
        var township = host.Townships()[1];
        var page = await host.OpenAsync(1280);
        await SignInAsync(page, township, "viewer", BrowserHostFixture.UniqueMonth());

        await Assertions.Expect(page.Locator("#workbooks tbody tr").First).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("#workbooks button.build").CountAsync());
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task An_office_returns_one_village_and_approves_another_whose_clerk_then_sees_it_locked(int width)
    {
        var township = host.Townships()[2];
        var villages = host.Orgs.Villages(township.Code).OrderBy(o => o.Code, StringComparer.Ordinal).ToList();
        var (approved, returned) = (villages[0], villages[1]);
        var period = BrowserHostFixture.UniqueMonth();
        await SubmitAsync(approved, period, seed: 5);
        await SubmitAsync(returned, period, seed: 6);
        const string Reason = "户数与上月相差较大，请核实后重报";

        // The clerk has the form open before the office acts.
        var clerk = await host.OpenAsync(width);
        await SignInAsync(clerk, approved, "submitter", period);
        await clerk.WaitForSelectorAsync("body[data-form-ready='true']");
        await Assertions.Expect(clerk.Locator("button[type=submit].primary")).ToBeEnabledAsync();

        var office = await host.OpenAsync(width);
        await SignInAsync(office, township, "admin", period);
        var approvedRow = office.Locator($"#approval tr[data-org='{approved.Code}']");
        var returnedRow = office.Locator($"#approval tr[data-org='{returned.Code}']");
        await Assertions.Expect(approvedRow.Locator("td.state")).ToContainTextAsync("已提交");
        await Assertions.Expect(office.Locator("#approve-self")).ToBeDisabledAsync();

        await returnedRow.Locator("button.return").ClickAsync();
        await office.Locator("#approval tr.reason-row input.reason").FillAsync(Reason);
        await office.Locator("#approval tr.reason-row button.confirm").ClickAsync();
        await Assertions.Expect(returnedRow.Locator("td.state")).ToContainTextAsync("退回");
        await Assertions.Expect(returnedRow.Locator("td.reason")).ToHaveTextAsync(Reason);

        await approvedRow.Locator("button.approve").ClickAsync();
        await Assertions.Expect(office.Locator("#approval-section .notice.ok")).ToContainTextAsync("审核通过并锁定");
        await Assertions.Expect(approvedRow.Locator("td.state")).ToContainTextAsync("审核通过");
        await Assertions.Expect(approvedRow.Locator("td.state")).ToContainTextAsync("已锁定");
        await Assertions.Expect(approvedRow.Locator("button.unlock")).ToBeVisibleAsync();
        await office.Locator("#approval-section").ScrollIntoViewIfNeededAsync();
        await BrowserHostFixture.ScreenshotAsync(office, "office-approval");

        // The open form is now locked: a change submitted from it is refused with 409 and the page shows the server's words.
        // (The unchanged values sent again would be the earlier submission's replay, which writes nothing.)
        await clerk.FillAsync("#f-pop_floating_out", "778");
        await clerk.ClickAsync("button[type=submit].primary");
        var refused = clerk.Locator("#result .notice.error");
        await Assertions.Expect(refused).ToContainTextAsync("数据已审核锁定");
        await Assertions.Expect(refused).ToContainTextAsync(approved.Name);
        await Assertions.Expect(clerk.Locator("button[type=submit].primary")).ToBeDisabledAsync();
        await clerk.ReloadAsync();
        await clerk.WaitForSelectorAsync("body[data-form-ready='true']");
        await Assertions.Expect(clerk.Locator("#approval-note")).ToContainTextAsync("已锁定");
        await Assertions.Expect(clerk.Locator("button[type=submit].primary")).ToBeDisabledAsync();
        await BrowserHostFixture.ScreenshotAsync(clerk, "clerk-locked");

        // The returned village's clerk reads the reason.
        var other = await host.OpenAsync(width);
        await SignInAsync(other, returned, "submitter", period);
        await other.WaitForSelectorAsync("body[data-form-ready='true']");
        await Assertions.Expect(other.Locator("#approval-note")).ToContainTextAsync("已退回");
        await Assertions.Expect(other.Locator("#approval-note")).ToContainTextAsync(Reason);
        await BrowserHostFixture.ScreenshotAsync(other, "clerk-returned");

        // Unlock by the township's admin, with a reason: the lock is gone.
        await approvedRow.Locator("button.unlock").ClickAsync();
        await office.Locator("#approval tr.reason-row input.reason").FillAsync("需更正党员数");
        await office.Locator("#approval tr.reason-row button.confirm").ClickAsync();
        await Assertions.Expect(approvedRow.Locator("td.state")).Not.ToContainTextAsync("已锁定");
        await Assertions.Expect(approvedRow.Locator("button.approve")).ToBeVisibleAsync();

        foreach (var page in new[] { clerk, office, other })
        {
            await page.Context.CloseAsync();
        }
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task The_history_of_a_field_shows_its_versions_from_the_clerk_form_the_quality_list_and_the_drill_down(int width)
    {
        var township = host.Townships()[2];
        var village = host.Orgs.Villages(township.Code).OrderBy(o => o.Code, StringComparer.Ordinal).Skip(width == 1280 ? 2 : 3).First();
        var previous = BrowserHostFixture.UniqueMonth();
        var period = BrowserHostFixture.UniqueMonth();
        Assert.Equal(Period.Parse(previous), Period.Parse(period).Previous());
        var last = host.TypedValues(village, previous, seed: 31);
        await SendAsync(village, previous, last);
        var lastValue = decimal.Parse(last[JumpField], CultureInfo.InvariantCulture);

        // This month the field jumps by half (beyond its ±20 % threshold: a quality flag), then is sent again higher.
        var values = host.TypedValues(village, period, seed: 31);
        var first = Math.Round(lastValue * 1.5m) + 10;
        var second = first + 7;
        values[JumpField] = first.ToString(CultureInfo.InvariantCulture);
        await SendAsync(village, period, values);
        values[JumpField] = second.ToString(CultureInfo.InvariantCulture);
        await SendAsync(village, period, values);

        var clerk = await host.OpenAsync(width);
        await SignInAsync(clerk, village, "submitter", period);
        await clerk.WaitForSelectorAsync("body[data-form-ready='true']");
        await clerk.Locator($"#row-{JumpField} button.hist").ClickAsync();
        await ExpectVersionsAsync(clerk, first, second);
        await BrowserHostFixture.ScreenshotAsync(clerk, "clerk-history");
        await clerk.Locator("#history-close").ClickAsync();
        await Assertions.Expect(clerk.Locator("#history")).ToHaveCountAsync(0);

        var office = await host.OpenAsync(width);
        await SignInAsync(office, township, "viewer", period);
        var flag = office.Locator($"#quality tr[data-org='{village.Code}'][data-field='{JumpField}']");
        await Assertions.Expect(flag).ToContainTextAsync(second.ToString(CultureInfo.InvariantCulture));
        await flag.ScrollIntoViewIfNeededAsync();
        await BrowserHostFixture.ScreenshotAsync(office, "office-quality");
        await flag.Locator("button.history").ClickAsync();
        await ExpectVersionsAsync(office, first, second);
        await BrowserHostFixture.ScreenshotAsync(office, "office-history");
        await office.Keyboard.PressAsync("Escape");
        await Assertions.Expect(office.Locator("#history")).ToHaveCountAsync(0);

        // From the drill-down: every field, paged; choosing the field narrows it to the same two versions.
        await office.Locator($"#units tr[data-org='{village.Code}'] button.history").ClickAsync();
        await Assertions.Expect(office.Locator("#history-table tr.version")).ToHaveCountAsync(20);
        await Assertions.Expect(office.Locator("#history-more")).ToBeVisibleAsync();
        await office.Locator("#history-more").ClickAsync();
        await Assertions.Expect(office.Locator("#history-table tr.version")).Not.ToHaveCountAsync(20);
        await office.SelectOptionAsync("#history-field", JumpField);
        await ExpectVersionsAsync(office, first, second);

        await clerk.Context.CloseAsync();
        await office.Context.CloseAsync();
    }

    private static async Task ExpectVersionsAsync(IPage page, decimal first, decimal second)
    {
        var rows = page.Locator("#history-table tr.version");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0).Locator("td.value")).ToHaveTextAsync(second.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(rows.Nth(0).Locator("td.previous")).ToHaveTextAsync(first.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(rows.Nth(1).Locator("td.value")).ToHaveTextAsync(first.ToString(CultureInfo.InvariantCulture));
    }

    private Task SubmitAsync(Org village, string period, int seed) => SendAsync(village, period, host.TypedValues(village, period, seed));

    private async Task SendAsync(Org village, string period, Dictionary<string, string> values)
    {
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code),
            BrowserHostFixture.Json(JsonSerializer.Serialize(new { values })));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
