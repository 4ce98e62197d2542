using System.Net;
using System.Text.Json;
using Microsoft.Playwright;

namespace ReportPipeline.Web.Tests;

[Collection(BrowserCollection.Name)]
public sealed class DerivedValuesAndChartTests(BrowserHostFixture host)
{
    [Theory]
    [InlineData(1280)]
    [InlineData(375)]
    public async Task The_yearly_form_shows_the_compulsory_enrolment_rate_computed_from_a_nested_sum(int width)
    {
        var village = host.Villages()[width == 1280 ? 5 : 6];
        var page = await host.OpenAsync(width);
        await WebAppTests.SignInAsync(page, village, "submitter", "2048");
        await page.WaitForSelectorAsync("body[data-form-ready='true']");

        await page.FillAsync("#f-primary_students", "120");
        await page.FillAsync("#f-junior_students", "80");
        await page.FillAsync("#f-school_age_children", "210");

        // percent(sum(primary_students, junior_students), school_age_children) = 200 ÷ 210 × 100, shown with 2 decimals.
        await Assertions.Expect(page.Locator("#f-students_total")).ToHaveValueAsync("200");
        var rate = page.Locator("#f-compulsory_enrolment_rate");
        await Assertions.Expect(rate).ToHaveValueAsync("95.24");
        await rate.ScrollIntoViewIfNeededAsync();
        await BrowserHostFixture.ScreenshotAsync(page, "clerk-derived-rate");

        // No number when the denominator is zero, as in the workbook.
        await page.FillAsync("#f-school_age_children", "0");
        await Assertions.Expect(rate).ToHaveValueAsync("");
        await page.Context.CloseAsync();
    }
}
