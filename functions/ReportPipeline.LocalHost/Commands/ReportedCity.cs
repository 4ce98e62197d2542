using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Reference;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using Spectre.Console;

namespace ReportPipeline.LocalHost.Commands;

/// <summary>
/// The city the office benchmarks read (<c>bench --reads</c>, and the web app's page timings in
/// tests/ReportPipeline.Web.Bench): a synthetic city in which every village has reported last year's November (or the
/// same city already seeded in the configured storage, reused), consolidated through the queue so that the district
/// units have stored their roll-ups and office summaries; and the offices measured — the city, its first district and
/// that district's first township.
/// </summary>
public sealed record ReportedCity(Period Month, OrgRegistry Orgs, Org City, Org District, Org Township, int Units, int Built, TimeSpan Consolidation)
{
    /// <summary>The month every village reported: last year's November in the pipeline's clock.</summary>
    public static Period MonthOf(IServiceProvider services)
    {
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        return Period.Month(now.Year - 1, 11);
    }

    /// <summary>Seeds (unless already there) and consolidates the city of the given size; prints what it did.</summary>
    public static async Task<ReportedCity> PrepareAsync(IServiceProvider services, int districts, int townshipsPerDistrict, int villagesPerTownship, CancellationToken ct)
    {
        var registry = SyntheticCity.Generate(districts, townshipsPerDistrict, villagesPerTownship);
        var month = MonthOf(services);
        if (await IsSeededAsync(services, registry, month, ct))
        {
            AnsiConsole.MarkupLine("存储中已有同样规模、已填报的城市：沿用，不再写入。");
        }
        else
        {
            await ConsolidationBenchmark.ReportAllAsync(services, registry, [month], ct);
        }

        // Every unit of the month through the queue (districts first): the districts' roll-ups and office summaries exist.
        var clock = Stopwatch.StartNew();
        await services.GetRequiredService<ConsolidationPlanner>().EnqueueAsync([month], force: false, ct);
        var units = await services.GetRequiredService<ConsolidationQueueWorker>().DrainAsync(2, ct);
        var built = units.Sum(u => u.Built);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"汇总：{units.Count} 个单元，{built} 份报表生成，用时 {clock.Elapsed.TotalSeconds:0.0} 秒"));

        var orgs = await services.GetRequiredService<ReferenceData>().GetOrgsAsync(ct);
        var city = orgs.ByLevel(OrgLevel.City).Single();
        var district = orgs.Children(city.Code).OrderBy(o => o.Code, StringComparer.Ordinal).First();
        var township = orgs.Children(district.Code).OrderBy(o => o.Code, StringComparer.Ordinal).First();
        return new ReportedCity(month, orgs, city, district, township, units.Count, built, clock.Elapsed);
    }

    /// <summary>A free loopback port for the host the benchmark starts.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The 1, 5 and 15 minute load averages (the machine is shared: figures are quoted with them).</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "—";

    /// <summary>The stored city already is this one, with the month reported (a storage configured and seeded before).</summary>
    private static async Task<bool> IsSeededAsync(IServiceProvider services, OrgRegistry registry, Period month, CancellationToken ct)
    {
        var stored = await services.GetRequiredService<ReferenceData>().GetOrgsAsync(ct);
        var wanted = registry.ByLevel(OrgLevel.Village);
        if (stored.ByLevel(OrgLevel.Village).Count != wanted.Count || wanted.Any(v => !stored.TryGet(v.Code, out _)))
        {
            return false;
        }

        var values = services.GetRequiredService<IFieldValueStore>();
        await foreach (var receipt in values.ReadLatestReceiptsAsync(month, [wanted[^1].Code], ct))
        {
            return receipt.HasReported;
        }

        return false;
    }
}
