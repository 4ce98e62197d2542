using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Development.Seeding;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.LocalHost;
using ReportPipeline.LocalHost.Commands;
using ReportPipeline.Storage.Configuration;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// Scale-out across processes: two child processes of the built reportpipeline.dll, each running <c>work</c> against
/// this test's Azurite, drain one queue together. The queue is all they share.
/// </summary>
[Collection(DedicatedHostsRunAlone.Name)]
public sealed class WorkerProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Two_worker_processes_drain_one_queue_and_build_every_planned_workbook_exactly_once()
    {
        await using var runtime = await LocalHostRuntime.CreateAsync([], null, runWorkers: false, minimumLevel: LogLevel.Warning);
        var services = runtime.Services;
        var period = Period.Month(services.GetRequiredService<TimeProvider>().GetUtcNow().Year - 1, 11);
        await ActivatorUtilities.CreateInstance<CitySeeder>(services).SeedReportedAsync(SyntheticCity.Generate(4, 2, 2), period, null, CancellationToken.None);
        var jobs = await services.GetRequiredService<ScheduledConsolidation>().PlanAsync([period], CancellationToken.None);
        var queue = services.GetRequiredService<IConsolidationQueue>();
        var connection = services.GetRequiredService<IConfiguration>()[ReportStorageSettings.DefaultName]!;

        // One loop each, polling often, so that both are waiting when the units arrive; a city unit that finds its
        // districts busy comes back after one second.
        var settings = new Dictionary<string, string> { ["Consolidation__PollSeconds"] = "0.2", ["Consolidation__CoalesceSeconds"] = "1" };
        await using var first = WorkerProcess.Start(connection, loops: 1, settings, units: true);
        await using var second = WorkerProcess.Start(connection, loops: 1, settings, units: true);
        await Task.WhenAll(first.Ready, second.Ready).WaitAsync(Patience);

        await services.GetRequiredService<ConsolidationPlanner>().EnqueueAsync([period], force: false, CancellationToken.None);
        using (var patience = new CancellationTokenSource(Patience))
        {
            while (await queue.CountAsync(cancellationToken: patience.Token) > 0)
            {
                await Task.Delay(200, patience.Token);
            }
        }

        var summaries = await Task.WhenAll(first.StopAsync(), second.StopAsync()).WaitAsync(Patience);

        Assert.All(summaries, s => Assert.True(s.Units > 0, "each process handled units"));
        Assert.All(summaries, s => Assert.Equal("stopped", s.Stopped));
        var results = first.Units.Concat(second.Units)
            .SelectMany(u => u.Unit.Pulled.Append(u.Unit)).SelectMany(u => u.Results)
            .ToList();
        var built = results.Where(r => r.Outcome == BuildOutcome.Built).GroupBy(r => (r.Template, r.Org, r.Period)).ToList();
        Assert.Equal(jobs.Select(j => (j.Template, j.Org, j.Period.ToString())).Order(), built.Select(b => b.Key).Order());
        Assert.All(built, b => Assert.Single(b));
        Assert.DoesNotContain(results, r => r.Outcome is not (BuildOutcome.Built or BuildOutcome.Skipped or BuildOutcome.Busy));
        Assert.Equal(jobs.Count, summaries.Sum(s => s.Built));

        // What the processes said they built is in storage, and nothing is left in the queue or set aside.
        var reports = services.GetRequiredService<IReportStore>();
        foreach (var job in jobs)
        {
            Assert.NotNull(await reports.GetPropertiesAsync(job.Period, job.Template, job.Org));
        }

        Assert.Equal(0, await queue.CountAsync());
        Assert.Equal(0, await queue.CountAsync(poison: true));
    }

    [Fact]
    public async Task A_worker_process_counts_the_attempts_that_failed_and_the_unit_is_set_aside_after_its_last()
    {
        await using var runtime = await LocalHostRuntime.CreateAsync([], null, runWorkers: false, minimumLevel: LogLevel.Warning);
        var services = runtime.Services;
        var connection = services.GetRequiredService<IConfiguration>()[ReportStorageSettings.DefaultName]!;
        var queue = services.GetRequiredService<IConsolidationQueue>();
        // A unit for an org that is not in the registry fails every attempt.
        await queue.EnqueueDelayedAsync(new ConsolidationUnit("2025-11", "999999999999").ToMessage(), TimeSpan.Zero);

        await using var worker = WorkerProcess.Start(connection, loops: 1,
            new Dictionary<string, string> { ["Consolidation__PollSeconds"] = "0.2", ["Consolidation__VisibilityTimeoutSeconds"] = "1", ["Consolidation__MaxDequeueCount"] = "2" },
            idleSeconds: 1, untilStdinCloses: false);
        var summary = await worker.CompletionAsync().WaitAsync(Patience);

        Assert.Equal("idle", summary.Stopped);
        Assert.Equal(2, summary.Failed);
        Assert.Equal(0, summary.Units);
        Assert.Equal(1, await queue.CountAsync(poison: true));
    }

    [Fact]
    public async Task A_worker_process_given_an_idle_time_ends_by_itself_once_the_queue_has_stayed_empty_that_long()
    {
        await using var runtime = await LocalHostRuntime.CreateAsync([], null, runWorkers: false, minimumLevel: LogLevel.Warning);
        var connection = runtime.Services.GetRequiredService<IConfiguration>()[ReportStorageSettings.DefaultName]!;

        await using var worker = WorkerProcess.Start(connection, loops: 2, new Dictionary<string, string> { ["Consolidation__PollSeconds"] = "0.2" },
            idleSeconds: 1, untilStdinCloses: false);
        var summary = await worker.CompletionAsync().WaitAsync(Patience);

        Assert.Equal("idle", summary.Stopped);
        Assert.Equal(0, summary.Units);
        Assert.InRange(summary.WallSeconds, 1, 60);
    }

    [Fact]
    public async Task A_worker_process_without_a_storage_setting_refuses_to_start()
    {
        // An empty connection string is no setting: the worker must not start an emulator of its own, which nobody else reaches.
        await using var worker = WorkerProcess.Start(connectionString: "", loops: 1, untilStdinCloses: false);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => worker.Ready.WaitAsync(Patience));
        Assert.Contains("未配置存储", error.Message, StringComparison.Ordinal);
    }
}
