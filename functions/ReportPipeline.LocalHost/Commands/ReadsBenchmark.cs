using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using Spectre.Console;

namespace ReportPipeline.LocalHost.Commands;

/// <summary>
/// <c>bench --reads</c>: what an office's page costs at each level. Seeds a synthetic city in which every village has
/// reported for a month (or reuses one already seeded in the configured storage), consolidates it through the queue so the
/// district units have stored their roll-ups and office summaries, starts the real HTTP host and asks every office route
/// — status, the 催报 CSV, approval, quality, burden, the reports list and the series — as the city's, one district's and
/// one township's admin, each several times; reports the median time, the answer's size (uncompressed) and the city ÷
/// township time against the goals (≤ 3, every city answer ≤ 200 KB).
/// </summary>
public static class ReadsBenchmark
{
    private const double GoalRatio = 3;
    private const long GoalCityBytes = 200 * 1024;

    private sealed record Measured(string Route, OrgLevel Level, double MedianMs, double MaxMs, long Bytes, int Status);

    public static async Task<int> RunAsync(int districts, int townshipsPerDistrict, int villagesPerTownship, int repeats, CancellationToken ct)
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 180;
        }

        var port = ReportedCity.FreePort();
        var url = $"http://127.0.0.1:{port}";
        await using var runtime = await LocalHostRuntime.CreateAsync([], url, runWorkers: false, minimumLevel: LogLevel.Warning, cancellationToken: ct);
        await runtime.App.StartAsync(ct);
        var services = runtime.Services;
        var month = ReportedCity.MonthOf(services);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]bench --reads[/]：{districts} 个区县 × {townshipsPerDistrict} 个乡镇 × {villagesPerTownship} 个村，统计期 {month}，每条路由每级 {repeats} 次取中位数，存储：{(runtime.UsesEmbeddedStorage ? "内嵌 Azurite（内存）" : "已配置的 ReportStorage")}"));
        var prepared = await ReportedCity.PrepareAsync(services, districts, townshipsPerDistrict, villagesPerTownship, ct);
        var (city, district, township) = (prepared.City, prepared.District, prepared.Township);
        var field = SeriesField((await services.GetRequiredService<ReferenceData>().CatalogForAsync(month, ct)).Catalog, month);
        var issuer = services.GetRequiredService<DevelopmentTokenIssuer>();
        var routes = new (string Name, Func<Org, string> Path)[]
        {
            ("status", o => $"/api/orgs/{o.Code}/status/{month}"),
            ("status/missing.csv", o => $"/api/orgs/{o.Code}/status/{month}/missing.csv"),
            ("approval", o => $"/api/orgs/{o.Code}/approval/{month}"),
            ("quality", o => $"/api/orgs/{o.Code}/quality/{month}"),
            ("burden", o => $"/api/orgs/{o.Code}/burden/{month}"),
            ("reports", o => $"/api/orgs/{o.Code}/reports/{month}"),
            ("series", o => $"/api/orgs/{o.Code}/series/{field}?to={month}&periods=6"),
        };

        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(5) };
        var results = new List<Measured>();
        foreach (var (name, path) in routes)
        {
            foreach (var org in new[] { city, district, township })
            {
                var token = issuer.Mint(org.Code, ["admin"], null, TimeSpan.FromHours(1));
                results.Add(await MeasureAsync(http, name, org.Level, path(org), token, repeats, ct));
            }
        }

        return Print(results, prepared.Orgs, districts, townshipsPerDistrict, villagesPerTownship);
    }

    /// <summary>One warm-up call, then <paramref name="repeats"/> timed calls; the answer read whole, uncompressed.</summary>
    private static async Task<Measured> MeasureAsync(HttpClient http, string route, OrgLevel level, string path, string token, int repeats, CancellationToken ct)
    {
        var times = new List<double>();
        long bytes = 0;
        var status = 0;
        for (var i = 0; i <= repeats; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            (bytes, status) = (body.Length, (int)response.StatusCode);
            if (i > 0)
            {
                times.Add(ms);
            }
        }

        times.Sort();
        return new Measured(route, level, times[times.Count / 2], times[^1], bytes, status);
    }

    private static int Print(IReadOnlyList<Measured> results, OrgRegistry registry, int districts, int townships, int villages)
    {
        var table = new Table().AddColumns("路由", "市 ms", "市 字节", "区县 ms", "区县 字节", "乡镇 ms", "乡镇 字节", "市÷乡镇", "目标");
        var failed = false;
        foreach (var group in results.GroupBy(r => r.Route))
        {
            var at = group.ToDictionary(r => r.Level);
            var (c, d, t) = (at[OrgLevel.City], at[OrgLevel.District], at[OrgLevel.Township]);
            var ratio = c.MedianMs / Math.Max(0.1, t.MedianMs);
            // The CSV is a download of the list itself: it grows with the villages by nature and has no size goal.
            var download = group.Key.EndsWith(".csv", StringComparison.Ordinal);
            var met = c.Status == 200 && ratio <= GoalRatio && (download || c.Bytes <= GoalCityBytes);
            failed |= !met && !download;
            table.AddRow(
                group.Key,
                Cell(c), Size(c), Cell(d), Size(d), Cell(t), Size(t),
                ratio.ToString("0.0", CultureInfo.InvariantCulture),
                download ? "（下载）" : met ? "[green]达标[/]" : "[red]未达标[/]");
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"规模：{districts}×{townships}×{villages} = {registry.ByLevel(OrgLevel.Village).Count} 个村；目标：市÷乡镇 ≤ {GoalRatio}，市级每个回答 ≤ {GoalCityBytes / 1024} KB（未压缩）。负载 {ReportedCity.LoadAverage()}"));
        return failed ? 1 : 0;

        static string Cell(Measured m) => m.Status == 200
            ? m.MedianMs.ToString("0", CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"[red]{m.Status}[/] {m.MedianMs:0}");

        static string Size(Measured m) => m.Bytes.ToString("N0", CultureInfo.InvariantCulture);
    }

    /// <summary>A typed whole-number field of the month's frequency (the office page's chart draws such a field).</summary>
    private static string SeriesField(FieldCatalog catalog, Period month) =>
        catalog.Fields.First(f => f is { Source: FieldSource.Typed, Type: FieldType.Integer } && f.Frequency == month.Kind).Id;
}
