using System.Text;
using Microsoft.Playwright;
using static ReportPipeline.Web.Tests.WebAppTests;

namespace ReportPipeline.Web.Tests;

/// <summary>
/// Errors stay until fixed: every field's problems are recomputed from all that touches it after each edit, listed
/// at the top and at the submit bar with links to the fields, and an upload's errors are not painted under the form's
/// own (different) values.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class FieldErrorTests(BrowserHostFixture host)
{
    [Fact]
    public async Task A_rule_error_stays_when_a_field_sharing_another_rule_is_edited_and_the_summary_links_to_it()
    {
        var page = await OpenFormAsync(27);
        await page.FillAsync("#f-tekun_persons", "10");
        await page.FillAsync("#f-tekun_centralised", "3");
        await page.FillAsync("#f-tekun_dispersed", "4");
        var error = page.Locator("#e-tekun_persons");
        await Assertions.Expect(error).ToContainTextAsync("应等于");

        // 户籍人口 shares another rule (parts not above the total) with 特困供养人员: editing it must not clear the sum error.
        await page.FillAsync("#f-pop_registered", "5000");
        await Assertions.Expect(error).ToContainTextAsync("应等于");
        var link = page.Locator("#error-summary a[data-field='tekun_persons']");
        await Assertions.Expect(link).ToBeVisibleAsync();
        Assert.Equal(1, await page.Locator("#error-summary-bar a[data-field='tekun_persons']").CountAsync());
        await link.ClickAsync();
        await Assertions.Expect(page.Locator("#f-tekun_persons")).ToBeFocusedAsync();

        await page.FillAsync("#f-tekun_persons", "7");
        await Assertions.Expect(error).ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("#error-summary")).ToBeHiddenAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Required_errors_shown_on_submit_stay_when_a_field_sharing_their_rule_is_edited()
    {
        var village = host.Villages()[28];
        var period = BrowserHostFixture.UniqueMonth();
        var page = await OpenFormAsync(village, period);
        await page.ClickAsync("button[type=submit].primary");
        var invalid = page.Locator("form.onetable .row.invalid");
        await Assertions.Expect(invalid.First).ToBeVisibleAsync();
        var ids = await page.EvalOnSelectorAllAsync<string[]>("form.onetable .row.invalid", "rows => rows.map(r => r.id.slice(4))");
        Assert.Equal(ids.Length, await page.Locator("#error-summary li").CountAsync());
        Assert.Equal(ids.Length, await page.Locator("#error-summary-bar li").CountAsync());

        // A field that takes part in a rule with a field still missing: typing it must leave that field's error in place.
        var catalog = host.Catalog.Catalog;
        var values = Development.Synthetic.SyntheticValues.Generate(catalog, village, Domain.Periods.Period.Parse(period), seed: 28)
            .Where(kv => catalog[kv.Key] is { Source: not Domain.Catalog.FieldSource.Derived, Frequency: Domain.Periods.PeriodKind.Month })
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        var (missing, neighbour) = ids.SelectMany(id => host.Catalog.Catalog.Rules
                .Where(r => r.Field == id || r.Others.Contains(id))
                .SelectMany(r => r.Others.Prepend(r.Field))
                .Where(other => !ids.Contains(other) && values.ContainsKey(other))
                .Select(other => (id, other)))
            .First();
        await page.FillAsync($"#f-{neighbour}", values[neighbour]);
        await page.Locator($"#f-{neighbour}").BlurAsync();
        await Assertions.Expect(page.Locator($"#e-{missing}")).Not.ToBeEmptyAsync();
        Assert.Equal(ids.Length, await invalid.CountAsync());

        // Filling the missing field clears its error, and only its.
        await page.FillAsync($"#f-{missing}", values[missing]);
        await Assertions.Expect(page.Locator($"#e-{missing}")).ToBeEmptyAsync();
        Assert.Equal(ids.Length - 1, await page.Locator("#error-summary li").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_uploads_errors_are_listed_with_their_cells_not_painted_under_the_forms_valid_values()
    {
        var page = await OpenFormAsync(29);
        await page.FillAsync("#f-pop_resident", "8200");
        await page.ClickAsync("details.offline summary");
        await page.SetInputFilesAsync("#upload-file", new FilePayload { Name = "村报表.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes("编号,本期数值\r\npop_resident,abc\r\n") });

        await Assertions.Expect(page.Locator("#result .notice.error")).ToContainTextAsync("常住人口");
        await Assertions.Expect(page.Locator("#e-pop_resident")).ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("#f-pop_resident")).ToHaveValueAsync("8200");
        await page.Context.CloseAsync();
    }

    private Task<IPage> OpenFormAsync(int index) => OpenFormAsync(host.Villages()[index], BrowserHostFixture.UniqueMonth());

    private async Task<IPage> OpenFormAsync(Domain.Orgs.Org village, string period)
    {
        var page = await host.OpenAsync(1280);
        await SignInAsync(page, village, "submitter", period);
        await page.WaitForSelectorAsync("body[data-form-ready='true']");
        return page;
    }
}
