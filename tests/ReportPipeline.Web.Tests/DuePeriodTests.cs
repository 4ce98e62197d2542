using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Excel;
using static ReportPipeline.Web.Tests.WebAppTests;

namespace ReportPipeline.Web.Tests;

/// <summary>
/// Sign-in opens the period that is due, from the one reporting calendar, with a picker of recent periods and their
/// states; the web form pre-fills and carries forward exactly what the Excel form does, from the same server rule.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DuePeriodTests(BrowserHostFixture host)
{
    [Fact]
    public async Task Sign_in_without_a_period_opens_the_due_one_and_the_picker_shows_each_periods_state()
    {
        var village = host.Villages()[20];
        using var periodsResponse = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/periods", host.Token(village.Code));
        Assert.Equal(HttpStatusCode.OK, periodsResponse.StatusCode);
        using var periods = JsonDocument.Parse(await periodsResponse.Content.ReadAsStringAsync());
        var due = periods.RootElement.GetProperty("due").GetString()!;
        var today = DateOnly.Parse(periods.RootElement.GetProperty("today").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var dueEntry = periods.RootElement.GetProperty("periods").EnumerateArray().Single(p => p.GetProperty("period").GetString() == due);
        // The village reported nothing: the due period is one that has ended, not the month in progress.
        Assert.True(dueEntry.GetProperty("ended").GetBoolean());
        Assert.NotEqual($"{today.Year:D4}-{today.Month:D2}", due);
        Assert.Contains(dueEntry.GetProperty("stateName").GetString(), new[] { "未报", "逾期" });

        var page = await host.OpenAsync(1280);
        await page.FillAsync("#org-search", village.Code);
        await page.ClickAsync($"#org-results button[data-code='{village.Code}']");
        await page.ClickAsync("#signin");
        await page.WaitForSelectorAsync("body[data-form-ready='true']");

        await Assertions.Expect(page.Locator("main h1")).ToContainTextAsync(Period.Parse(due).ToDisplayString());
        var picker = page.Locator("select#period-switch");
        await Assertions.Expect(picker).ToHaveValueAsync(due);
        await Assertions.Expect(picker.Locator($"option[value='{due}']")).ToContainTextAsync("（应报）");
        Assert.True(await picker.Locator("option").CountAsync() >= 6);
        await BrowserHostFixture.ScreenshotAsync(page, "clerk-due-period");

        // Choosing another period from the picker opens it.
        var other = periods.RootElement.GetProperty("periods").EnumerateArray().Select(p => p.GetProperty("period").GetString()!).First(p => p != due && Period.Parse(p).Kind == PeriodKind.Month);
        await picker.SelectOptionAsync(other);
        await Assertions.Expect(page.Locator("main h1")).ToContainTextAsync(Period.Parse(other).ToDisplayString());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_web_form_carries_forward_last_months_values_as_the_excel_form_does()
    {
        var village = host.Villages()[21];
        var period = Period.Parse(BrowserHostFixture.UniqueMonth());
        await ReportAsync(village, period.Previous(), seed: 21);
        var carried = host.Catalog.Catalog.Fields.Where(f => f is { CarryForward: true, Source: FieldSource.Typed } && f.Frequency == PeriodKind.Month).ToList();
        Assert.NotEmpty(carried);
        var workbook = await WorkbookValuesAsync(village, period);

        var page = await host.OpenAsync(1280);
        await SignInAsync(page, village, "submitter", period.ToString());
        await page.WaitForSelectorAsync("body[data-form-ready='true']");
        foreach (var field in carried)
        {
            Assert.True(workbook.TryGetValue(field.Id, out var expected), $"the workbook carries {field.Id} forward");
            await Assertions.Expect(page.Locator($"#f-{field.Id}")).ToHaveValueAsync(expected);
            await Assertions.Expect(page.Locator($"#row-{field.Id} .tag.carry")).ToBeVisibleAsync();
        }

        await page.Context.CloseAsync();
    }

    /// <summary>The one rule, for every period kind: the form route's JSON holds exactly the values the workbook does.</summary>
    [Theory]
    [InlineData(PeriodKind.Month)]
    [InlineData(PeriodKind.Quarter)]
    [InlineData(PeriodKind.Year)]
    public async Task The_form_as_json_holds_exactly_the_workbooks_prefilled_and_carried_values(PeriodKind kind)
    {
        var (village, period) = kind switch
        {
            PeriodKind.Month => (host.Villages()[22], Period.Parse(BrowserHostFixture.UniqueMonth())),
            PeriodKind.Quarter => (host.Villages()[23], Period.Quarter(2090, 3)),
            _ => (host.Villages()[24], Period.OfYear(2095)),
        };
        await ReportAsync(village, period.Previous(), seed: 30 + (int)kind);
        var prefilled = await PrefillAsync(host, village, period);
        Assert.NotEmpty(prefilled);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orgs/{village.Code}/form/{period}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.Token(village.Code));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var fields = json.RootElement.GetProperty("fields").EnumerateArray().ToList();
        var fromJson = fields.Where(f => f.GetProperty("value").ValueKind == JsonValueKind.String)
            .ToDictionary(f => f.GetProperty("field").GetString()!, f => f.GetProperty("value").GetString()!);

        Assert.Equal(await WorkbookValuesAsync(village, period), fromJson);
        Assert.Contains(fields, f => f.GetProperty("treatment").GetString() == "carried-forward");
        var prefilledJson = fields.Where(f => f.GetProperty("treatment").GetString() == "prefilled").ToList();
        Assert.Equal(prefilled.Keys.Order(StringComparer.Ordinal), prefilledJson.Select(f => f.GetProperty("field").GetString()!).Order(StringComparer.Ordinal));
        foreach (var f in prefilledJson)
        {
            var definition = host.Catalog.Catalog[f.GetProperty("field").GetString()!];
            Assert.Equal(host.Catalog.Catalog.Departments.NamesOf(definition.Departments), f.GetProperty("prefilledBy").GetString());
        }
    }

    private async Task ReportAsync(Org village, Period period, int seed)
    {
        var values = host.TypedValues(village, period.ToString(), seed);
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code),
            BrowserHostFixture.Json(JsonSerializer.Serialize(new { values })));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>Upper-level departments push their fields of the period (as the seeder does).</summary>
    internal static async Task<IReadOnlyDictionary<string, FieldValue>> PrefillAsync(BrowserHostFixture host, Org village, Period period)
    {
        var catalog = host.Catalog.Catalog;
        var raw = SyntheticValues.GeneratePrefilled(catalog, village, period, seed: 5);
        var normalised = new SubmissionValidator(catalog).Validate([.. raw.Select(kv => new RawValue(kv.Key, kv.Value))], new Dictionary<string, FieldValue>(), period.Kind).Values
            .Where(kv => catalog[kv.Key].Frequency == period.Kind)
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var store = host.Runtime.Services.GetRequiredService<IFieldValueStore>();
        await store.MergeAsync(new MergeRequest(village.Code, period, $"PUSH-{period}-{village.Code}", ValueOrigin.Prefilled, normalised,
            ContentHash.Compute(normalised), $"push:{period}", "seed", DateTimeOffset.UtcNow));
        return normalised;
    }

    /// <summary>Every value the form workbook holds (typed, carried forward, pre-filled), normalised as an upload would be.</summary>
    private async Task<Dictionary<string, string>> WorkbookValuesAsync(Org village, Period period)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/form/{period}", host.Token(village.Code));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        var read = new FormWorkbookReader().Read(stream);
        Assert.True(read.IsValid);
        var outcome = new SubmissionValidator(host.Catalog.Catalog).Validate([.. read.Values, .. read.UnchangedPrefill], new Dictionary<string, FieldValue>(), period.Kind);
        return outcome.Values.ToDictionary(kv => kv.Key, kv => kv.Value.Canonical, StringComparer.Ordinal);
    }
}
