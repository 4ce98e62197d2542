using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using ReportPipeline.Domain.Periods;
using Xunit.Abstractions;
using static ReportPipeline.Web.Tests.WebAppTests;

namespace ReportPipeline.Web.Tests;

/// <summary>
/// A form a phone can finish, at 375 px: search by name or 编号, 已填 x / N, jump to the next empty or erroneous field,
/// collapsible groups, tap targets of at least 44 px, no focused control hidden under the sticky submit bar, and
/// tables that become cards. Prints the form's height, tab stops and the time of a scripted fill.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PhoneFormTests(BrowserHostFixture host, ITestOutputHelper output)
{
    private const string Measure =
        """
        () => {
          const form = document.querySelector('form.onetable');
          const focusable = [...document.querySelectorAll('main a[href], main button, main input, main select, main textarea, main summary, main [tabindex]')]
            .filter(el => !el.disabled && el.tabIndex >= 0 && el.offsetParent !== null && el.getClientRects().length > 0
              && !(el.closest('details:not([open])') && el.tagName !== 'SUMMARY') && !el.closest('[hidden]'));
          const small = focusable.filter(el => { const r = el.getBoundingClientRect(); return r.height < 44 || (r.width < 44 && el.tagName !== 'INPUT'); });
          return { height: document.scrollingElement.scrollHeight, formHeight: Math.round(form.getBoundingClientRect().height), tabStops: focusable.length, small: small.length,
                   smallList: small.slice(0, 8).map(el => `${el.tagName}.${el.className}#${el.id}:${Math.round(el.getBoundingClientRect().width)}x${Math.round(el.getBoundingClientRect().height)}`) };
        }
        """;

    [Fact]
    public async Task A_clerk_on_a_phone_searches_jumps_to_what_is_left_and_sees_the_progress()
    {
        var village = host.Villages()[19];
        var period = Period.Parse(BrowserHostFixture.UniqueMonth());
        await DuePeriodTests.PrefillAsync(host, village, period);
        var page = await host.OpenAsync(375);
        await SignInAsync(page, village, "submitter", period.ToString());
        await page.WaitForSelectorAsync("body[data-form-ready='true']");

        var before = await page.EvaluateAsync<JsonElement>(Measure);
        output.WriteLine($"375 px: page {before.GetProperty("height")} px, form {before.GetProperty("formHeight")} px, {before.GetProperty("tabStops")} tab stops, {before.GetProperty("small")} controls under 44 px: {before.GetProperty("smallList")}");

        var progress = page.Locator("#fill-progress");
        var typed = host.Catalog.Catalog.Fields.Count(f => f.Frequency == PeriodKind.Month && f.Source != Domain.Catalog.FieldSource.Derived);
        await Assertions.Expect(progress).ToContainTextAsync("已填");
        await Assertions.Expect(progress).ToContainTextAsync($"/ {typed}");

        // Walking the form with Tab: no focused control ends up under the sticky submit bar.
        await page.Locator("#field-search").FocusAsync();
        var hiddenByBar = 0;
        for (var i = 0; i < 60; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            hiddenByBar += await page.EvaluateAsync<bool>(
                "() => { const el = document.activeElement; if (!el || el.closest('.actions.sticky')) return false; const bar = document.querySelector('.actions.sticky').getBoundingClientRect(); const r = el.getBoundingClientRect(); return r.bottom > bar.top + 1; }") ? 1 : 0;
        }

        output.WriteLine($"60 tab stops from the search box: {hiddenByBar} focused under the sticky bar");
        Assert.Equal(0, hiddenByBar);

        // Search by Chinese name, then by 编号.
        await page.FillAsync("#field-search", "常住人口");
        await Assertions.Expect(page.Locator("#row-pop_resident")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#row-pop_floating_out")).ToBeHiddenAsync();
        await page.FillAsync("#field-search", "pop_floating_out");
        await Assertions.Expect(page.Locator("#row-pop_floating_out")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#row-pop_resident")).ToBeHiddenAsync();
        await page.FillAsync("#field-search", "");

        // Collapsible groups: a closed group hides its rows; jumping to a field inside opens it.
        var firstGroup = page.Locator("form.onetable details.group").First;
        await firstGroup.Locator("summary").ClickAsync();
        await Assertions.Expect(firstGroup.Locator(".row").First).ToBeHiddenAsync();

        // The next empty field: focused, visible, not under the sticky bar; filling it moves the progress.
        var progressBefore = await progress.TextContentAsync();
        var started = Stopwatch.StartNew();
        for (var i = 0; i < 5; i++)
        {
            await page.ClickAsync("#next-empty");
            var focused = page.Locator("form.onetable .row :focus");
            await Assertions.Expect(focused).ToBeVisibleAsync();
            var hidden = await page.EvaluateAsync<bool>(
                "() => { const el = document.activeElement; const bar = document.querySelector('.actions.sticky').getBoundingClientRect(); const r = el.getBoundingClientRect(); return r.bottom > bar.top || r.top < 0; }");
            Assert.False(hidden, "the focused field is hidden under the submit bar");
            await page.Keyboard.TypeAsync("1");
        }

        output.WriteLine($"five jump-and-type steps in {started.ElapsedMilliseconds} ms");
        await Assertions.Expect(progress).Not.ToHaveTextAsync(progressBefore!);

        // The next erroneous field.
        await page.FillAsync("#f-pop_resident", "abc");
        await page.Locator("#f-pop_floating_out").FocusAsync();
        await page.ClickAsync("#next-error");
        await Assertions.Expect(page.Locator("#f-pop_resident")).ToBeFocusedAsync();

        var after = await page.EvaluateAsync<JsonElement>(Measure);
        Assert.True(after.GetProperty("small").GetInt32() == 0, $"controls under 44 px: {after.GetProperty("smallList")}");
        await BrowserHostFixture.ScreenshotAsync(page, "clerk-phone-form");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_offices_tables_become_cards_on_a_phone()
    {
        var township = host.Townships()[2];
        var page = await host.OpenAsync(375);
        await SignInAsync(page, township, "admin", BrowserHostFixture.UniqueMonth());
        var row = page.Locator("#approval tbody tr").First;
        await Assertions.Expect(row).ToBeVisibleAsync();
        // A card: the row's cells stack, each labelled with its column, and nothing is scrolled off to the right.
        var card = await row.EvaluateAsync<JsonElement>(
            "tr => { const td = tr.querySelector('td'); const wrap = tr.closest('.table-wrap'); return { display: getComputedStyle(td).display, label: td.dataset.label || '', overflow: wrap.scrollWidth > wrap.clientWidth + 1 }; }");
        Assert.Equal("block", card.GetProperty("display").GetString());
        Assert.Equal("单位", card.GetProperty("label").GetString());
        Assert.False(card.GetProperty("overflow").GetBoolean());
        await BrowserHostFixture.ScreenshotAsync(page, "office-approval-cards");
        await page.Context.CloseAsync();
    }
}
