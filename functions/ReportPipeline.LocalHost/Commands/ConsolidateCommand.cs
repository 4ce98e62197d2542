using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Domain.Periods;
using Spectre.Console;

namespace ReportPipeline.LocalHost.Commands;

/// <summary><c>consolidate</c>: builds the consolidated workbooks for a period now, with a progress bar.</summary>
public static class ConsolidateCommand
{
    public static Command Create()
    {
        var period = SeedCommand.PeriodOption();
        var force = new Option<bool>("--force") { Description = "Rebuild even when the inputs have not changed" };
        var command = new Command("consolidate", "Build the consolidated workbooks for every template and upper-level org") { period, force };
        command.SetAction(async (parse, ct) =>
        {
            await using var runtime = await LocalHostRuntime.CreateAsync([], null, runWorkers: false, minimumLevel: LogLevel.Warning, cancellationToken: ct);
            var summary = await RunAsync(runtime.Services, [Period.Parse(parse.GetValue(period)!)], parse.GetValue(force), ct);
            return summary.Failed == 0 ? 0 : 1;
        });
        return command;
    }

    internal static async Task<ScheduledConsolidation.RunSummary> RunAsync(IServiceProvider services, IReadOnlyCollection<Period> periods, bool force, CancellationToken ct)
    {
        var scheduler = services.GetRequiredService<ScheduledConsolidation>();
        var jobs = await scheduler.PlanAsync(periods, ct);
        ScheduledConsolidation.RunSummary? summary = null;
        await AnsiConsole.Progress().AutoClear(false).Columns(
                new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"汇总 {jobs.Count} 份报表", maxValue: Math.Max(1, jobs.Count));
                summary = await scheduler.RunAsync(periods, force, new SynchronousProgress<BuildResult>(_ => task.Increment(1)), ct, parallelUnits: 2);
                task.Value = task.MaxValue;
            });
        AnsiConsole.MarkupLine($"汇总完成：生成 {summary!.Built} 份，未变跳过 {summary.Skipped} 份，其他实例已生成 {summary.Busy} 份，失败 {summary.Failed} 份，用时 {summary.DurationMs / 1000:0.0} 秒。");
        return summary;
    }
}

/// <summary>Reports on the caller's thread, so counts are exact when the work completes (unlike <see cref="Progress{T}"/>).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
