using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Reference;
using ReportPipeline.Development.Seeding;
using ReportPipeline.Domain.Burden;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;
using ReportPipeline.Storage.Diagnostics;
using Spectre.Console;

namespace ReportPipeline.LocalHost.Commands;

/// <summary>
/// <c>bench --consolidation</c>: seeds a synthetic city in which every village has reported for a month, its quarter
/// and its year, then rebuilds every (template, upper-level org) workbook through the scheduled consolidation, and in
/// the same run writes the same reports with the workbook writer alone (values read once, no storage per workbook), so
/// that the cost of consolidation is a ratio to its own baseline on this machine. A second, incremental pass must
/// rebuild nothing.
/// </summary>
public static class ConsolidationBenchmark
{
    public sealed record Result
    {
        public required int Villages { get; init; }
        public required int UpperOrgs { get; init; }
        public required IReadOnlyList<Period> Periods { get; init; }
        public required int Jobs { get; init; }
        public required int Built { get; init; }
        public required int Failed { get; init; }
        public required double FullSeconds { get; init; }
        public required long RoundTrips { get; init; }
        public required long TableRoundTrips { get; init; }
        public required long BlobRoundTrips { get; init; }
        public required long BytesWritten { get; init; }
        public required int BaselineWorkbooks { get; init; }
        public required double ReadSeconds { get; init; }
        public required double BuildSeconds { get; init; }
        public required double WriteSeconds { get; init; }
        /// <summary>CPU seconds of this process while the baseline composed and wrote (one thread, plus the GC's).</summary>
        public required double BaselineCpuSeconds { get; init; }
        public required long BaselineBytes { get; init; }
        public required int IncrementalBuilt { get; init; }
        public required int IncrementalSkipped { get; init; }
        public required double IncrementalSeconds { get; init; }
        public required long IncrementalRoundTrips { get; init; }
        public required int ChangeBuilt { get; init; }
        public required int ChangeExpected { get; init; }
        public required int ChangeAbove { get; init; }
        public required long ChangeRoundTrips { get; init; }
        public required IReadOnlyList<(int Workers, int Built, double Seconds)> WorkerRuns { get; init; }
        public required long PeakRssBytes { get; init; }
        /// <summary>CPU seconds of the embedded emulator and of this process during the first full rebuild (null: not measurable).</summary>
        public double? EmulatorCpuSeconds { get; init; }
        public required double HostCpuSeconds { get; init; }
        /// <summary>District roll-ups the city units of the first full rebuild read as stored / had to rebuild.</summary>
        public required int RollupsRead { get; init; }
        public required int RollupsRebuilt { get; init; }
        /// <summary>The first full rebuild's workbooks, summed: composing (values, builder, quality), writing, storing (seconds).</summary>
        public required (double Compose, double Write, double Store) Split { get; init; }

        public double WorkbooksPerSecond => Built / Math.Max(FullSeconds, 1e-9);
        public double WriterWorkbooksPerSecond => BaselineWorkbooks / Math.Max(WriteSeconds, 1e-9);
        public double BaselineSeconds => ReadSeconds + BuildSeconds + WriteSeconds;
        /// <summary>Full consolidation time ÷ the time the writer alone needs for the same workbooks.</summary>
        public double FullToWriterRatio => FullSeconds / Math.Max(WriteSeconds, 1e-9);
    }

    public static async Task<int> RunAsync(int districts, int townshipsPerDistrict, int villagesPerTownship, CancellationToken ct, IReadOnlyList<int>? workerCounts = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(districts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(townshipsPerDistrict, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(villagesPerTownship, 1);

        await using var runtime = await LocalHostRuntime.CreateAsync([], null, runWorkers: false, minimumLevel: LogLevel.Warning, cancellationToken: ct);
        var services = runtime.Services;
        var registry = SyntheticCity.Generate(districts, townshipsPerDistrict, villagesPerTownship);

        var periods = BenchPeriods(services);

        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]bench --consolidation[/]：{districts} 个区县 × {townshipsPerDistrict} 个乡镇 × {villagesPerTownship} 个村，统计期 {string.Join("、", periods)}，存储：{(runtime.UsesEmbeddedStorage ? "内嵌 Azurite（内存）" : "已配置的 ReportStorage")}"));
        await ReportAllAsync(services, registry, periods, ct);
        var result = await MeasureAsync(services, registry, periods, workerCounts ?? [1, 2, 4], () => runtime.EmulatorCpuTime, ct);
        Print(result);
        return result.Failed == 0 && result.IncrementalBuilt == 0 && result.ChangeBuilt == result.ChangeExpected ? 0 : 1;
    }

    /// <summary>One full rebuild by <see cref="Processes"/> child processes running <c>work</c>, each with <see cref="Loops"/> queue worker loops.</summary>
    public sealed record ProcessRun(int Processes, int Loops, int Jobs, int Units, int Deferred, int Built, int Skipped, int RollupsRebuilt, double Seconds, double? EmulatorCpuSeconds, double WorkerCpuSeconds, double WorkerStartCpuSeconds);

    /// <summary>
    /// <c>bench --consolidation --processes 1 2 4</c>: seeds the same city as <see cref="RunAsync"/>, then for each count N
    /// starts N child processes of this executable running <c>work</c> against this run's storage (the embedded Azurite
    /// on its loopback ports), waits until each is ready, enqueues every unit (forced) and times the rebuild until the
    /// queue is empty. The queue is the only coordination between the processes.
    /// </summary>
    public static async Task<int> RunProcessesAsync(int districts, int townshipsPerDistrict, int villagesPerTownship, IReadOnlyList<int> processCounts, int loops, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(districts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(townshipsPerDistrict, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(villagesPerTownship, 1);
        if (Console.IsOutputRedirected)
        {
            // A log file gets the table on one line per figure.
            AnsiConsole.Profile.Width = 200;
        }

        await using var runtime = await LocalHostRuntime.CreateAsync([], null, runWorkers: false, minimumLevel: LogLevel.Warning, cancellationToken: ct);
        var services = runtime.Services;
        var connection = WorkerProcess.ConnectionStringOf(services);
        var registry = SyntheticCity.Generate(districts, townshipsPerDistrict, villagesPerTownship);
        var periods = BenchPeriods(services);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]bench --consolidation --processes[/]：{districts} 个区县 × {townshipsPerDistrict} 个乡镇 × {villagesPerTownship} 个村，统计期 {string.Join("、", periods)}，每个进程 {loops} 个队列工作者，存储：{(runtime.UsesEmbeddedStorage ? "内嵌 Azurite（内存）" : "已配置的 ReportStorage")}"));
        await ReportAllAsync(services, registry, periods, ct);

        var planner = services.GetRequiredService<ConsolidationPlanner>();
        var queue = services.GetRequiredService<IConsolidationQueue>();
        var jobs = await services.GetRequiredService<ScheduledConsolidation>().PlanAsync(periods, ct);
        var runs = new List<ProcessRun>();
        foreach (var count in processCounts)
        {
            var workers = new List<WorkerProcess>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    workers.Add(WorkerProcess.Start(connection, loops, new Dictionary<string, string> { ["Consolidation__PollSeconds"] = "0.5" }));
                }

                await Task.WhenAll(workers.Select(w => w.Ready)).WaitAsync(TimeSpan.FromMinutes(2), ct);
                var emulatorBefore = runtime.EmulatorCpuTime;
                var started = Stopwatch.GetTimestamp();
                double seconds = 0;
                await WithProgressAsync($"全量汇总 {jobs.Count} 份报表（{count} 个进程 × {loops} 个队列工作者）", 1, async _ =>
                {
                    await planner.EnqueueAsync(periods, force: true, ct);
                    while (await queue.CountAsync(cancellationToken: ct) > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(0.25), ct);
                    }

                    seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                });
                var emulatorSeconds = (runtime.EmulatorCpuTime - emulatorBefore)?.TotalSeconds;
                var summaries = await Task.WhenAll(workers.Select(w => w.StopAsync(ct)));
                runs.Add(new ProcessRun(count, loops, jobs.Count, summaries.Sum(s => s.Units), summaries.Sum(s => s.Deferred), summaries.Sum(s => s.Built), summaries.Sum(s => s.Skipped),
                    summaries.Sum(s => s.RollupsRebuilt), seconds, emulatorSeconds, summaries.Sum(s => s.WorkCpuSeconds), summaries.Sum(s => s.CpuSeconds - s.WorkCpuSeconds)));
            }
            finally
            {
                foreach (var worker in workers)
                {
                    await worker.DisposeAsync();
                }
            }
        }

        PrintProcesses(registry, periods, runs);
        return runs.All(r => r.Built == r.Jobs) ? 0 : 1;
    }

    /// <summary>
    /// December of last year, its quarter and its year, so that the quarterly and yearly templates read their monthly
    /// fields (期末数) from a month that holds values: every template of every kind has data to consolidate.
    /// </summary>
    private static Period[] BenchPeriods(IServiceProvider services)
    {
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        var month = Period.Month(now.Year - 1, 12);
        return [month, month.Enclosing(PeriodKind.Quarter), month.Enclosing(PeriodKind.Year)];
    }

    private static void PrintProcesses(OrgRegistry registry, IReadOnlyList<Period> periods, IReadOnlyList<ProcessRun> runs)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("figure").AddColumn("指标").AddColumn(new TableColumn("value").RightAligned());
        void Row(string english, string chinese, string value) => table.AddRow(Markup.Escape(english), Markup.Escape(chinese), Markup.Escape(value));
        string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        var villages = registry.ByLevel(OrgLevel.Village).Count;
        Row("villages / upper-level orgs", "村（社区）/ 上级单位", F($"{villages} / {registry.Count - villages}"));
        Row("periods", "统计期", string.Join(", ", periods));
        Row("jobs (template × org)", "报表任务（模板 × 单位）", F($"{runs.FirstOrDefault()?.Jobs ?? 0}"));
        var one = runs.FirstOrDefault(r => r.Processes == 1);
        foreach (var r in runs)
        {
            var name = F($"{r.Processes} process(es) × {r.Loops} loop(s)");
            var label = F($"{r.Processes} 个进程 × {r.Loops} 个队列工作者");
            Row(F($"{name}: built / skipped / units handled (city units sent back to wait for their districts)"), F($"{label}：生成 / 跳过 / 处理任务数（市级任务等待区县而延后）"),
                F($"{r.Built} / {r.Skipped} / {r.Units} ({r.Deferred})"));
            Row(F($"{name}: wall s / workbooks/s / speed-up vs 1 process"), F($"{label}：用时（秒）/ 每秒份数 / 相对 1 个进程的加速比"),
                F($"{r.Seconds:0.00} / {r.Built / Math.Max(r.Seconds, 1e-9):0.0} / ") + (one is null ? "-" : F($"{one.Seconds / Math.Max(r.Seconds, 1e-9):0.00}")));
            Row(F($"{name}: CPU s of the emulator (share of one core)"), F($"{label}：模拟器 CPU 秒（占单核比例）"),
                r.EmulatorCpuSeconds is { } e ? F($"{e:0.0} ({e / Math.Max(r.Seconds, 1e-9):0.0%})") : "-");
            Row(F($"{name}: CPU s of the worker processes while working (share of one core) / at start-up"), F($"{label}：工作进程 CPU 秒（占单核比例）/ 启动"),
                F($"{r.WorkerCpuSeconds:0.0} ({r.WorkerCpuSeconds / Math.Max(r.Seconds, 1e-9):0.0%}) / {r.WorkerStartCpuSeconds:0.0}"));
            Row(F($"{name}: district roll-ups the city units rebuilt"), F($"{label}：市级任务重建的区县汇总中间结果"), F($"{r.RollupsRebuilt}"));
        }

        Row("load average", "系统负载", File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "-");
        AnsiConsole.Write(table);
        foreach (var r in runs.Where(r => r.Built != r.Jobs))
        {
            AnsiConsole.MarkupLine(F($"[red]{r.Processes} 个进程的全量汇总生成了 {r.Built} 份，应为 {r.Jobs} 份。[/]"));
        }
    }

    /// <summary>Every village has reported every period: one typed report each, written in bulk (entity group transactions).</summary>
    internal static async Task ReportAllAsync(IServiceProvider services, OrgRegistry registry, IReadOnlyList<Period> periods, CancellationToken ct)
    {
        var seeder = ActivatorUtilities.CreateInstance<CitySeeder>(services);
        var villages = registry.ByLevel(OrgLevel.Village).Count;
        await AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                foreach (var period in periods)
                {
                    var task = context.AddTask($"{villages} 个村（社区）填报 {period}", maxValue: Math.Max(1, villages));
                    await seeder.SeedReportedAsync(registry, period, new Progress<(int Done, int Total)>(p => task.Value = p.Done), ct);
                    task.Value = task.MaxValue;
                }
            });
    }

    private static async Task<Result> MeasureAsync(IServiceProvider services, OrgRegistry registry, IReadOnlyList<Period> periods, IReadOnlyList<int> workerCounts, Func<TimeSpan?> emulatorCpu, CancellationToken ct)
    {
        var scheduler = services.GetRequiredService<ScheduledConsolidation>();
        var planner = services.GetRequiredService<ConsolidationPlanner>();
        var worker = services.GetRequiredService<Application.Hosting.ConsolidationQueueWorker>();
        var reference = services.GetRequiredService<ReferenceData>();
        var diagnostics = services.GetRequiredService<StorageDiagnostics>();
        var orgs = await reference.GetOrgsAsync(ct);
        var jobs = await scheduler.PlanAsync(periods, ct);
        using var split = new RoundTripsByService();

        // 1. Full rebuilds through the queue, as the timer and the queue builders run them: every unit enqueued (forced),
        //    then drained by 1, 2, 4 worker loops of this process. The first run's round trips are the figures below.
        var runs = new List<(int Workers, int Built, double Seconds)>();
        var built = 0;
        var failed = 0;
        long roundTrips = 0, tableTrips = 0, blobTrips = 0, bytes = 0;
        double fullSeconds = 0;
        double? emulatorSeconds = null;
        double hostSeconds = 0;
        int rollupsRead = 0, rollupsRebuilt = 0;
        (double Compose, double Write, double Store) split3 = default;
        foreach (var workers in workerCounts)
        {
            var (emulatorBefore, hostBefore) = (emulatorCpu(), Process.GetCurrentProcess().TotalProcessorTime);
            var before = diagnostics.RoundTrips;
            var splitBefore = split.Snapshot();
            var started = Stopwatch.GetTimestamp();
            await planner.EnqueueAsync(periods, force: true, ct);
            IReadOnlyList<UnitResult> done = [];
            await WithProgressAsync($"全量汇总 {jobs.Count} 份报表（{workers} 个队列工作者）", 1, async _ => done = await worker.DrainAsync(workers, ct));
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var runBuilt = done.Sum(u => u.Built);
            runs.Add((workers, runBuilt, seconds));
            if (runs.Count == 1)
            {
                var splitAfter = split.Snapshot();
                (built, fullSeconds) = (runBuilt, seconds);
                roundTrips = diagnostics.RoundTrips - before;
                (tableTrips, blobTrips) = (splitAfter.Table - splitBefore.Table, splitAfter.Blob - splitBefore.Blob);
                bytes = done.SelectMany(u => u.Results).Where(r => r.Outcome == BuildOutcome.Built).Sum(r => r.Bytes);
                emulatorSeconds = (emulatorCpu() - emulatorBefore)?.TotalSeconds;
                hostSeconds = (Process.GetCurrentProcess().TotalProcessorTime - hostBefore).TotalSeconds;
                (rollupsRead, rollupsRebuilt) = (done.Sum(u => u.RollupsRead), done.Sum(u => u.RollupsRebuilt));
                var results = done.SelectMany(u => u.Results).ToList();
                split3 = (results.Sum(r => r.ComposeMs) / 1000, results.Sum(r => r.WriteMs) / 1000, results.Sum(r => r.StoreMs) / 1000);
            }

            failed += jobs.Count - runBuilt;
        }

        // The consolidation's own peak, before the baseline holds the whole city's values in memory.
        var peakRss = Process.GetCurrentProcess().PeakWorkingSet64;

        // 2. Baseline: the same reports, values read once, built in memory and written by the writer alone.
        var baseline = await WriterOnlyAsync(services, reference, orgs, jobs, ct);

        // 3. Incremental, nothing changed: every unit again, nothing is rebuilt.
        var incrementalBefore = diagnostics.RoundTrips;
        var incrementalStarted = Stopwatch.GetTimestamp();
        await planner.EnqueueAsync(periods, force: false, ct);
        var incremental = await worker.DrainAsync(2, ct);
        var incrementalSeconds = Stopwatch.GetElapsedTime(incrementalStarted).TotalSeconds;

        // 4. One field in one village: only the templates reading it, above that village, are rebuilt.
        var (changeBuilt, changeExpected, changeAbove, changeTrips) = await ChangeOneFieldAsync(services, registry, periods[0], jobs, ct);

        return new Result
        {
            Villages = orgs.ByLevel(OrgLevel.Village).Count,
            UpperOrgs = orgs.Count - orgs.ByLevel(OrgLevel.Village).Count,
            Periods = periods,
            Jobs = jobs.Count,
            Built = built,
            Failed = failed,
            FullSeconds = fullSeconds,
            RoundTrips = roundTrips,
            TableRoundTrips = tableTrips,
            BlobRoundTrips = blobTrips,
            BytesWritten = bytes,
            BaselineWorkbooks = baseline.Workbooks,
            ReadSeconds = baseline.Read.TotalSeconds,
            BuildSeconds = baseline.Build.TotalSeconds,
            WriteSeconds = baseline.Write.TotalSeconds,
            BaselineCpuSeconds = baseline.Cpu.TotalSeconds,
            BaselineBytes = baseline.Bytes,
            IncrementalBuilt = incremental.Sum(u => u.Built),
            IncrementalSkipped = incremental.Sum(u => u.Results.Count(r => r.Outcome == BuildOutcome.Skipped)),
            IncrementalSeconds = incrementalSeconds,
            IncrementalRoundTrips = diagnostics.RoundTrips - incrementalBefore,
            ChangeBuilt = changeBuilt,
            ChangeExpected = changeExpected,
            ChangeAbove = changeAbove,
            ChangeRoundTrips = changeTrips,
            WorkerRuns = runs,
            PeakRssBytes = peakRss,
            EmulatorCpuSeconds = emulatorSeconds,
            HostCpuSeconds = hostSeconds,
            RollupsRead = rollupsRead,
            RollupsRebuilt = rollupsRebuilt,
            Split = split3,
        };
    }

    /// <summary>A correction of one typed field in one village, through the submission path's planner, then the queue.</summary>
    private static async Task<(int Built, int Expected, int Above, long RoundTrips)> ChangeOneFieldAsync(
        IServiceProvider services, OrgRegistry registry, Period month, IReadOnlyList<ConsolidationJob> jobs, CancellationToken ct)
    {
        var bundle = await services.GetRequiredService<ReferenceData>().CatalogForAsync(null, ct);
        var store = services.GetRequiredService<IFieldValueStore>();
        var planner = services.GetRequiredService<ConsolidationPlanner>();
        var worker = services.GetRequiredService<Application.Hosting.ConsolidationQueueWorker>();
        var diagnostics = services.GetRequiredService<StorageDiagnostics>();
        var village = registry.ByLevel(OrgLevel.Village)[0];
        var current = await store.GetAsync(village.Code, month, ct);
        var inRules = bundle.Catalog.Rules.SelectMany(r => r.Others.Append(r.Field)).ToHashSet(StringComparer.Ordinal);
        var field = bundle.Catalog.Fields.First(f => f is { Source: FieldSource.Typed, Type: FieldType.Integer } && f.Frequency == month.Kind
            && !inRules.Contains(f.Id) && current.Values.ContainsKey(f.Id)
            && bundle.Templates.Any(t => t.PeriodKind == month.Kind && t.FieldIds().Contains(f.Id)));
        var changed = current.Values[field.Id].Value.Number is { } n && n > 0 ? n - 1 : 1;
        var values = new SubmissionValidator(bundle.Catalog).Validate([new RawValue(field.Id, changed.ToString(CultureInfo.InvariantCulture))], new Dictionary<string, FieldValue>(), month.Kind).Values;

        var before = diagnostics.RoundTrips;
        var id = $"BENCH-CHANGE-{village.Code}";
        var time = services.GetRequiredService<TimeProvider>();
        await store.MergeAsync(new MergeRequest(village.Code, month, id, ValueOrigin.Corrected, values, ContentHash.Compute(values), id, "bench", time.GetUtcNow()), ct);
        var units = await planner.EnqueueForChangeAsync(village.Code, month, [field.Id], firstReport: false, ct);
        var done = await worker.DrainAsync(2, ct);

        // Expected: for each period the change reaches, the templates reading the field × the village's ancestors they reach.
        var expected = units.SelectMany(u => u.Templates!.Select(t => (u.Period, Template: t))).Distinct()
            .Sum(x => registry.Ancestors(village.Code).Count(a => bundle.FindTemplate(x.Template)!.AudienceLevels.Contains(a.Level)));
        var above = jobs.Count(j => registry.IsInSubtree(j.Org, village.Code));
        return (done.Sum(u => u.Built), expected, above, diagnostics.RoundTrips - before);
    }

    private sealed record Baseline(int Workbooks, TimeSpan Read, TimeSpan Build, TimeSpan Write, long Bytes, TimeSpan Cpu);

    /// <summary>
    /// What the units do per workbook, minus storage: every value and receipt the run needs is read once, then each report
    /// is composed by the units' own assembler (<see cref="ConsolidationService.FromMemory"/>: the same source periods,
    /// builder, quality flags and 减负 figures) and written by the writer.
    /// </summary>
    private static async Task<Baseline> WriterOnlyAsync(IServiceProvider services, ReferenceData reference, OrgRegistry orgs, IReadOnlyList<ConsolidationJob> jobs, CancellationToken ct)
    {
        var store = services.GetRequiredService<IFieldValueStore>();
        var writer = services.GetRequiredService<IReportWorkbookWriter>();
        var consolidation = services.GetRequiredService<ConsolidationService>();
        var burden = services.GetRequiredService<BurdenService>();
        var time = services.GetRequiredService<TimeProvider>();
        var bundle = await reference.CatalogForAsync(null, ct);
        var allVillages = orgs.ByLevel(OrgLevel.Village).Select(v => v.Code).ToList();

        var started = Stopwatch.GetTimestamp();
        var periodsRead = jobs
            .SelectMany(j => consolidation.WatermarkPeriods(bundle.FindTemplate(j.Template)!, j.Period))
            .Concat(jobs.Select(j => j.Period).Distinct().SelectMany(burden.SourcePeriodsOf))
            .Distinct()
            .ToList();
        var valuesBySource = new Dictionary<Period, IReadOnlyDictionary<string, OrgValues>>();
        var receiptsBySource = new Dictionary<Period, IReadOnlyDictionary<string, MergeReceipt>>();
        foreach (var source in periodsRead)
        {
            var values = new Dictionary<string, OrgValues>(StringComparer.Ordinal);
            await foreach (var v in store.ReadManyAsync(source, allVillages, ct))
            {
                values[v.OrgCode] = v;
            }

            var receipts = new Dictionary<string, MergeReceipt>(StringComparer.Ordinal);
            await foreach (var r in store.ReadLatestReceiptsAsync(source, allVillages, ct))
            {
                receipts[r.OrgCode] = r;
            }

            (valuesBySource[source], receiptsBySource[source]) = (values, receipts);
        }

        var read = Stopwatch.GetElapsedTime(started);

        // Each report is composed, then written, and let go: the baseline holds one report at a time, as a unit does.
        // The benchmark's city has no review states (nothing is approved), as the units find it.
        var inputs = consolidation.FromMemory(orgs, valuesBySource, receiptsBySource, new Dictionary<string, Domain.Governance.ApprovalRecord>());
        TimeSpan build = TimeSpan.Zero, write = TimeSpan.Zero;
        long bytes = 0;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        await WithProgressAsync($"基线：仅组装并写工作簿 {jobs.Count} 份", jobs.Count, async progress =>
        {
            foreach (var job in jobs)
            {
                var composing = Stopwatch.GetTimestamp();
                var report = await inputs.ComposeAsync(bundle.FindTemplate(job.Template)!, job.Org, job.Period, time.GetUtcNow(), ct);
                var writing = Stopwatch.GetTimestamp();
                bytes += writer.Write(report).LongLength;
                build += Stopwatch.GetElapsedTime(composing, writing);
                write += Stopwatch.GetElapsedTime(writing);
                progress.Report(null!);
            }
        });
        return new Baseline(jobs.Count, read, build, write, bytes, Process.GetCurrentProcess().TotalProcessorTime - cpuBefore);
    }

    private static async Task WithProgressAsync(string description, int total, Func<IProgress<BuildResult>, Task> work) =>
        await AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(description, maxValue: Math.Max(1, total));
                await work(new SynchronousProgress<BuildResult>(_ => task.Increment(1)));
                task.Value = task.MaxValue;
            });

    private static void Print(Result r)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("figure").AddColumn("指标").AddColumn(new TableColumn("value").RightAligned());
        void Row(string english, string chinese, string value) => table.AddRow(Markup.Escape(english), Markup.Escape(chinese), Markup.Escape(value));
        string N(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
        string Share(TimeSpan part, double of) => N(part.TotalSeconds / Math.Max(of, 1e-9), "0.0%");

        Row("villages / upper-level orgs", "村（社区）/ 上级单位", string.Create(CultureInfo.InvariantCulture, $"{r.Villages} / {r.UpperOrgs}"));
        Row("periods", "统计期", string.Join(", ", r.Periods));
        Row("jobs (template × org)", "报表任务（模板 × 单位）", r.Jobs.ToString(CultureInfo.InvariantCulture));
        Row("full rebuild: workbooks built / failed", "全量：生成 / 失败", string.Create(CultureInfo.InvariantCulture, $"{r.Built} / {r.Failed}"));
        Row("full rebuild: seconds", "全量：用时（秒）", N(r.FullSeconds, "0.00"));
        Row("full rebuild: workbooks/s", "全量：每秒份数", N(r.WorkbooksPerSecond, "0.0"));
        Row("full rebuild: storage round trips (table / blob)", "全量：存储往返（表 / Blob）",
            string.Create(CultureInfo.InvariantCulture, $"{r.RoundTrips} ({r.TableRoundTrips} / {r.BlobRoundTrips})"));
        Row("full rebuild: round trips per workbook", "全量：每份往返次数", N(r.RoundTrips / (double)Math.Max(1, r.Built), "0.00"));
        Row("full rebuild: bytes written", "全量：写入字节", r.BytesWritten.ToString("#,##0", CultureInfo.InvariantCulture));
        Row("baseline: workbooks written by the writer alone", "基线：仅写工作簿份数", r.BaselineWorkbooks.ToString(CultureInfo.InvariantCulture));
        Row("baseline: read once / build / write (s)", "基线：一次读取 / 构建 / 写入（秒）",
            string.Create(CultureInfo.InvariantCulture, $"{r.ReadSeconds:0.00} / {r.BuildSeconds:0.00} / {r.WriteSeconds:0.00}"));
        Row("baseline: shares read / build / write", "基线：读取 / 构建 / 写入占比",
            $"{Share(TimeSpan.FromSeconds(r.ReadSeconds), r.BaselineSeconds)} / {Share(TimeSpan.FromSeconds(r.BuildSeconds), r.BaselineSeconds)} / {Share(TimeSpan.FromSeconds(r.WriteSeconds), r.BaselineSeconds)}");
        Row("writer alone: workbooks/s", "仅写入：每秒份数", N(r.WriterWorkbooksPerSecond, "0.0"));
        Row("full rebuild ÷ writer alone (time)", "全量 ÷ 仅写入（时间比）", N(r.FullToWriterRatio, "0.00"));
        Row("share of full rebuild: write / build / storage and rest", "全量占比：写入 / 构建 / 存储及其他",
            $"{Share(TimeSpan.FromSeconds(r.WriteSeconds), r.FullSeconds)} / {Share(TimeSpan.FromSeconds(r.BuildSeconds), r.FullSeconds)} / {N(Math.Max(0, 1 - (r.WriteSeconds + r.BuildSeconds) / Math.Max(r.FullSeconds, 1e-9)), "0.0%")}");
        Row("full rebuild, summed over workbooks: compose / write / store (s)", "全量各报表合计：组装 / 写入 / 存储（秒）",
            string.Create(CultureInfo.InvariantCulture, $"{r.Split.Compose:0.0} / {r.Split.Write:0.0} / {r.Split.Store:0.0}"));
        Row("CPU s: full rebuild (this process + emulator) ÷ baseline compose and write", "CPU 秒：全量（本进程 + 模拟器）÷ 基线组装与写入",
            r.EmulatorCpuSeconds is { } cpu
                ? string.Create(CultureInfo.InvariantCulture, $"{r.HostCpuSeconds + cpu:0.0} ÷ {r.BaselineCpuSeconds:0.0} = {(r.HostCpuSeconds + cpu) / Math.Max(r.BaselineCpuSeconds, 1e-9):0.00}")
                : "-");
        Row("baseline bytes ÷ stored bytes", "基线字节 ÷ 存储字节", N(r.BaselineBytes / (double)Math.Max(1, r.BytesWritten), "0.000"));
        Row("incremental: built / skipped", "增量：生成 / 跳过", string.Create(CultureInfo.InvariantCulture, $"{r.IncrementalBuilt} / {r.IncrementalSkipped}"));
        Row("incremental: seconds / round trips", "增量：用时（秒）/ 存储往返", string.Create(CultureInfo.InvariantCulture, $"{r.IncrementalSeconds:0.00} / {r.IncrementalRoundTrips}"));
        Row("one field in one village: rebuilt / expected / workbooks above it", "一个村改一个指标：重建 / 应重建 / 其上级全部报表",
            string.Create(CultureInfo.InvariantCulture, $"{r.ChangeBuilt} / {r.ChangeExpected} / {r.ChangeAbove}"));
        Row("one field in one village: round trips", "一个村改一个指标：存储往返", r.ChangeRoundTrips.ToString(CultureInfo.InvariantCulture));
        foreach (var (workers, built, seconds) in r.WorkerRuns)
        {
            Row(string.Create(CultureInfo.InvariantCulture, $"full rebuild with {workers} queue worker(s): built / s / workbooks/s"),
                string.Create(CultureInfo.InvariantCulture, $"全量（{workers} 个队列工作者）：生成 / 秒 / 每秒份数"),
                string.Create(CultureInfo.InvariantCulture, $"{built} / {seconds:0.00} / {built / Math.Max(seconds, 1e-9):0.0}"));
        }

        Row("table / blob round trips per workbook", "每份表 / Blob 往返", string.Create(CultureInfo.InvariantCulture,
            $"{r.TableRoundTrips / (double)Math.Max(1, r.Built):0.00} / {r.BlobRoundTrips / (double)Math.Max(1, r.Built):0.00}"));
        Row("city units: district roll-ups read / rebuilt", "市级任务：读取 / 重建的区县汇总中间结果", string.Create(CultureInfo.InvariantCulture, $"{r.RollupsRead} / {r.RollupsRebuilt}"));
        Row("full rebuild: CPU s of the emulator (share of one core) / of this process", "全量：模拟器 CPU 秒（占单核比例）/ 本进程 CPU 秒",
            r.EmulatorCpuSeconds is { } emulator
                ? string.Create(CultureInfo.InvariantCulture, $"{emulator:0.0} ({emulator / Math.Max(r.FullSeconds, 1e-9):0.0%}) / {r.HostCpuSeconds:0.0}")
                : string.Create(CultureInfo.InvariantCulture, $"- / {r.HostCpuSeconds:0.0}"));
        Row("peak RSS during the full rebuilds (MiB)", "全量汇总期间峰值内存（MiB）", N(r.PeakRssBytes / 1048576.0, "0"));
        Row("load average", "系统负载", File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "-");
        AnsiConsole.Write(table);
        if (r.ChangeBuilt != r.ChangeExpected)
        {
            AnsiConsole.MarkupLine("[red]改一个指标后重建的报表数与应重建数不符。[/]");
        }

        if (r.IncrementalBuilt != 0)
        {
            AnsiConsole.MarkupLine("[red]增量汇总不应重新生成任何报表：输入未变，但仍有报表被重建。[/]");
        }
    }

    /// <summary>Round trips split by service, from the <c>storage.round_trips</c> counter's <c>service</c> tag.</summary>
    private sealed class RoundTripsByService : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

        public RoundTripsByService()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == StorageMetrics.MeterName && instrument.Name == "storage.round_trips")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "service" && tag.Value is string service)
                    {
                        _counts.AddOrUpdate(service, value, (_, sum) => sum + value);
                    }
                }
            });
            _listener.Start();
        }

        public (long Table, long Blob) Snapshot() => (_counts.GetValueOrDefault("table"), _counts.GetValueOrDefault("blob"));

        public void Dispose() => _listener.Dispose();
    }
}
