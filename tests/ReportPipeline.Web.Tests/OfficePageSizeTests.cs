using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using ReportPipeline.Application.Reference;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Ports;
using ReportPipeline.LocalHost;
using ReportPipeline.LocalHost.Commands;
using static ReportPipeline.Web.Tests.WebAppTests;

namespace ReportPipeline.Web.Tests;

/// <summary>
/// The city's office page costs what it shows, not what lies below it: the same city (2 districts of 2 townships) with 3
/// and with 9 villages per township, no village reported, gives the city's admin the same page — the same elements, rows
/// and options, no select or box holding villages — and the 催报 list of every village only as a download. A page that
/// drew one element per village anywhere (a 催报 box, a select of villages, a table of units) differs between the two.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OfficePageSizeTests(BrowserHostFixture host)
{
    private const string Period = "2026-10";

    private sealed class PageShape
    {
        public int Elements { get; set; }

        public int Options { get; set; }

        public int LargestSelect { get; set; }

        public int Rows { get; set; }

        public int FilledBoxes { get; set; }

        public string Text { get; set; } = "";

        public string OptionTexts { get; set; } = "";
    }

    /// <summary>The village is named or coded anywhere on the page, its options included.</summary>
    private static bool Names(PageShape page, Org village) =>
        page.Text.Contains(village.Code, StringComparison.Ordinal) || page.Text.Contains(village.Name, StringComparison.Ordinal)
        || page.OptionTexts.Contains(village.Code, StringComparison.Ordinal) || page.OptionTexts.Contains(village.Name, StringComparison.Ordinal);

    [Fact]
    public async Task The_city_page_is_the_same_size_with_three_times_the_villages()
    {
        var (small, smallVillages, smallCsv) = await CityPageAsync(villagesPerTownship: 3);
        var (large, largeVillages, largeCsv) = await CityPageAsync(villagesPerTownship: 9);

        Assert.Equal(12, smallVillages.Count);
        Assert.Equal(36, largeVillages.Count);
        Assert.Equal(small.Elements, large.Elements);
        Assert.Equal(small.Rows, large.Rows);
        Assert.Equal(small.Options, large.Options);
        Assert.Equal(small.LargestSelect, large.LargestSelect);
        Assert.Equal(0, large.FilledBoxes);
        Assert.DoesNotContain(largeVillages, v => Names(large, v));

        // Every village is on the 催报 list, which is a file.
        Assert.All(smallVillages, v => Assert.Contains(v.Code, smallCsv, StringComparison.Ordinal));
        Assert.All(largeVillages, v => Assert.Contains(v.Code, largeCsv, StringComparison.Ordinal));
    }

    /// <summary>A host of its own on that city, the city's admin's page once every section has loaded, and its 催报 download.</summary>
    private async Task<(PageShape Shape, IReadOnlyList<Org> Villages, string Csv)> CityPageAsync(int villagesPerTownship)
    {
        var url = $"http://127.0.0.1:{ReportedCity.FreePort()}";
        await using var runtime = await LocalHostRuntime.CreateAsync([], url, runWorkers: false, minimumLevel: LogLevel.Warning);
        await runtime.App.StartAsync();
        var registry = SyntheticCity.Generate(districts: 2, townshipsPerDistrict: 2, villagesPerTownship: villagesPerTownship);
        await runtime.Services.GetRequiredService<IOrgRegistrySource>().SaveAsync([.. registry.All], CancellationToken.None);
        runtime.Services.GetRequiredService<ReferenceData>().InvalidateOrgs();
        var city = registry.ByLevel(OrgLevel.City).Single();
        var villages = registry.ByLevel(OrgLevel.Village);

        var context = await host.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "zh-CN",
            AcceptDownloads = true,
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        try
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(url + "/");
            await SignInAsync(page, city, "admin", Period);
            await Assertions.Expect(page.Locator("#children tbody tr")).ToHaveCountAsync(2);
            await page.WaitForFunctionAsync("() => document.querySelector('section.cards') && !document.querySelector('#app .loading')");
            var shape = await page.EvaluateAsync<PageShape>(
                """
                () => ({
                  elements: document.getElementsByTagName('*').length,
                  options: document.querySelectorAll('option').length,
                  largestSelect: Math.max(0, ...[...document.querySelectorAll('select')].map(s => s.options.length)),
                  rows: document.querySelectorAll('tr').length,
                  filledBoxes: [...document.querySelectorAll('textarea')].filter(t => t.value.length > 0).length,
                  text: document.body.innerText,
                  optionTexts: [...document.querySelectorAll('option')].map(o => `${o.value} ${o.textContent}`).join('\n'),
                })
                """);
            await BrowserHostFixture.ScreenshotAsync(page, $"office-city-{villages.Count}-villages");
            var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#missing-csv"));
            var csv = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(await download.PathAsync()));
            return (shape, villages, csv);
        }
        finally
        {
            await context.CloseAsync();
            await runtime.App.StopAsync();
        }
    }
}
