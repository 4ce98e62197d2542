using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Development.Seeding;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Storage.Files;
using Spectre.Console;

namespace ReportPipeline.LocalHost.Commands;

/// <summary><c>seed</c>: writes a synthetic city of any size (or the sample city) and its pre-filled values to storage.</summary>
public static class SeedCommand
{
    public static Command Create()
    {
        var districts = new Option<int>("--districts") { Description = "Districts/counties (Chongqing: 41)", DefaultValueFactory = _ => 2 };
        var townships = new Option<int>("--townships") { Description = "Townships per district (Chongqing: ~25)", DefaultValueFactory = _ => 5 };
        var villages = new Option<int>("--villages") { Description = "Villages per township (Chongqing: ~11)", DefaultValueFactory = _ => 10 };
        var sample = new Option<bool>("--sample") { Description = "Seed the sample city shipped with the catalog instead of a synthetic one" };
        var period = PeriodOption();
        var history = new Option<bool>("--history") { Description = "Also write last period's values (shown as 上期数值)", DefaultValueFactory = _ => true };
        var command = new Command("seed", "Write a synthetic city and its pre-filled values to storage (ReportStorage)") { districts, townships, villages, sample, period, history };
        command.SetAction(async (parse, ct) =>
        {
            await using var runtime = await LocalHostRuntime.CreateAsync([], null, runWorkers: false, minimumLevel: LogLevel.Warning, cancellationToken: ct);
            if (runtime.UsesEmbeddedStorage)
            {
                AnsiConsole.MarkupLine("[yellow]未配置 ReportStorage：数据写入内嵌的临时 Azurite，命令结束即丢失。请设置 ReportStorage 连接串。[/]");
            }

            var registry = parse.GetValue(sample)
                ? FileOrgRegistry.LoadSampleCity()
                : SyntheticCity.Generate(parse.GetValue(districts), parse.GetValue(townships), parse.GetValue(villages));
            var clock = Stopwatch.StartNew();
            var summary = await SeedAsync(runtime.Services, registry, Period.Parse(parse.GetValue(period)!), parse.GetValue(history), ct);
            var elapsed = clock.Elapsed;
            AnsiConsole.MarkupLine($"已写入 {summary.Orgs} 个单位（{summary.Villages} 个村/社区），预填 {summary.PrefilledValues} 项，上期 {summary.HistoryValues} 项，实体 {summary.EntitiesWritten} 个，事务 {summary.Transactions?.ToString(CultureInfo.InvariantCulture) ?? "—"} 次，用时 {elapsed.TotalSeconds:F1} 秒。");
            return 0;
        });
        return command;
    }

    internal static Option<string> PeriodOption() => new("--period")
    {
        Description = "Period: 2026, 2026-Q4 or 2026-11",
        DefaultValueFactory = _ => Period.Month(DateTime.UtcNow.Year, DateTime.UtcNow.Month).Previous().ToString(),
    };

    internal static async Task<SeedSummary> SeedAsync(IServiceProvider services, OrgRegistry registry, Period period, bool history, CancellationToken ct)
    {
        var seeder = ActivatorUtilities.CreateInstance<CitySeeder>(services);
        SeedSummary? summary = null;
        await AnsiConsole.Progress().AutoClear(false).Columns(
                new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"写入 {registry.Count} 个单位的预填数据", maxValue: Math.Max(1, registry.All.Count(o => o.Level == OrgLevel.Village)));
                summary = await seeder.SeedAsync(registry, period, history, new Progress<(int Done, int Total)>(p => task.Value = p.Done), ct);
                task.Value = task.MaxValue;
            });
        return summary!;
    }
}
