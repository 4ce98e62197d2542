using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Ingestion;
using ReportPipeline.Application.Reference;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using Spectre.Console;

namespace ReportPipeline.LocalHost.Commands;

/// <summary>
/// <c>bench --freshness</c>: with every workbook of a month current, villages spread over the whole city submit a
/// correction through the submission service at a fixed rate while this process's queue worker loops run; measures,
/// per submission, the time from its acceptance until its township, district and city workbooks have been rebuilt (or
/// found current) by a unit that read its inputs after the acceptance — per level p50 / p95 / max — with the units
/// processed, workbooks built and skipped, district roll-ups the city units rebuilt, the queue's depth over time and the
/// emulator's CPU. With <c>--processes</c> the loops run in child processes of this executable (<c>work</c>, on the same
/// Azurite), one run per process count, and a closing table compares the counts.
/// </summary>
public static class FreshnessBenchmark
{
    private static readonly OrgLevel[] Levels = [OrgLevel.Township, OrgLevel.District, OrgLevel.City];

    private const string PollSeconds = "0.5";

    /// <param name="processCounts">Child worker processes per run, each with <paramref name="workers"/> loops (null: the loops run in this process).</param>
    public static async Task<int> RunAsync(int districts, int townshipsPerDistrict, int villagesPerTownship, int submissions, IReadOnlyList<double> rates, int workers, CancellationToken ct,
        IReadOnlyList<int>? processCounts = null)
    {
        if (Console.IsOutputRedirected)
        {
            // A log file gets the table on one line per figure.
            AnsiConsole.Profile.Width = 180;
        }

        await using var runtime = await LocalHostRuntime.CreateAsync([], null, runWorkers: false, minimumLevel: LogLevel.Warning,
            configure: c => c.AddInMemoryCollection(new Dictionary<string, string?> { ["Consolidation:PollSeconds"] = PollSeconds }), cancellationToken: ct);
        var services = runtime.Services;
        var registry = SyntheticCity.Generate(districts, townshipsPerDistrict, villagesPerTownship);
        // November: a month that ends no quarter, so a correction reaches that month's workbooks only.
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        var month = Period.Month(now.Year - 1, 11);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]bench --freshness[/]：{districts} 个区县 × {townshipsPerDistrict} 个乡镇 × {villagesPerTownship} 个村，统计期 {month}，{workers} 个队列工作者，存储：{(runtime.UsesEmbeddedStorage ? "内嵌 Azurite（内存）" : "已配置的 ReportStorage")}"));
        await ConsolidationBenchmark.ReportAllAsync(services, registry, [month], ct);

        // Every workbook of the month current before the first submission.
        var planner = services.GetRequiredService<ConsolidationPlanner>();
        var worker = services.GetRequiredService<ConsolidationQueueWorker>();
        var started = Stopwatch.GetTimestamp();
        await planner.EnqueueAsync([month], force: false, ct);
        var initial = await worker.DrainAsync(workers, ct);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"全部报表已是最新：{initial.Sum(u => u.Built)} 份生成，用时 {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} 秒"));

        var exit = 0;
        var run = 0;
        var results = new List<BurstResult>();
        foreach (var processes in processCounts ?? [0])
        {
            foreach (var rate in rates)
            {
                var result = await BurstAsync(services, month, submissions, rate, workers, processes, run++, () => runtime.EmulatorCpuTime, ct);
                Print(result, districts, townshipsPerDistrict, villagesPerTownship, workers);
                results.Add(result);
                exit = result.Submissions.Any(s => s.Latency.Values.Any(l => l is null)) ? 1 : exit;
            }
        }

        if (processCounts is not null)
        {
            PrintProcesses(results, workers);
        }

        return exit;
    }

    private sealed record Submission(string Village, DateTimeOffset AcceptedAt, IReadOnlyDictionary<OrgLevel, double?> Latency);

    private sealed record BurstResult(
        double Rate,
        int Processes,
        IReadOnlyList<Submission> Submissions,
        IReadOnlyList<(UnitResult Unit, DateTimeOffset Done)> Units,
        IReadOnlyList<(double Seconds, int Depth)> Depth,
        double BurstSeconds,
        double DrainedAfterSeconds,
        double? EmulatorCpuSeconds,
        double HostCpuSeconds,
        double? WorkerCpuSeconds,
        double WallSeconds,
        IReadOnlyDictionary<string, OrgLevel> Levels)
    {
        /// <summary>Orgs (city and districts) whose marked work was still waiting, unclaimed, when the queue was empty: a change no unit will come for.</summary>
        public IReadOnlyList<string> LeftWaiting { get; init; } = [];

        /// <summary>Units in the poison queue after the run (all runs so far), and failures the worker processes logged.</summary>
        public int Poisoned { get; init; }

        public int FailuresLogged { get; init; }
    }

    private static async Task<BurstResult> BurstAsync(
        IServiceProvider services, Period month, int count, double rate, int workers, int processes, int run, Func<TimeSpan?> emulatorCpu, CancellationToken ct)
    {
        var reference = services.GetRequiredService<ReferenceData>();
        var orgs = await reference.GetOrgsAsync(ct);
        var store = services.GetRequiredService<IFieldValueStore>();
        var submissionService = services.GetRequiredService<SubmissionService>();
        var queue = services.GetRequiredService<IConsolidationQueue>();
        var time = services.GetRequiredService<TimeProvider>();
        var bundle = await reference.CatalogForAsync(null, ct);

        // Villages spread evenly over the whole city (so over every district); three typed fields in no cross-field rule
        // that month templates read, each moved by one.
        var villages = orgs.ByLevel(OrgLevel.Village).OrderBy(v => v.Code, StringComparer.Ordinal).ToList();
        // Taken evenly over the code order (every district), sent in a shuffled order (districts interleaved in time).
        var chosen = Enumerable.Range(0, count).Select(i => villages[(int)((i + 0.5) * villages.Count / count) % villages.Count]).ToList();
        new Random(run + 1).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(chosen));
        var inRules = bundle.Catalog.Rules.SelectMany(r => r.Others.Append(r.Field)).ToHashSet(StringComparer.Ordinal);
        var fields = bundle.Catalog.Fields
            .Where(f => f is { Source: FieldSource.Typed, Type: FieldType.Integer } && f.Frequency == month.Kind && !inRules.Contains(f.Id)
                && bundle.Templates.Any(t => t.PeriodKind == month.Kind && t.FieldIds().Contains(f.Id)))
            .Take(3).Select(f => f.Id).ToList();
        var affected = bundle.Templates.Where(t => t.PeriodKind == month.Kind && t.FieldIds().Any(fields.Contains)).ToList();
        var bodies = new List<byte[]>();
        foreach (var village in chosen)
        {
            var current = await store.GetAsync(village.Code, month, ct);
            var values = fields.ToDictionary(f => f, f => current.Values.TryGetValue(f, out var v) && v.Value.Number is { } n
                ? (n > 0 && run % 2 == 0 ? n - 1 : n + 1).ToString(CultureInfo.InvariantCulture)
                : "1");
            bodies.Add(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { values })));
        }

        var units = new ConcurrentQueue<(UnitResult Unit, DateTimeOffset Done)>();
        var depth = new List<(double Seconds, int Depth)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Worker processes are started and ready before the clock starts: their start-up is not the queue's latency.
        var children = new List<WorkerProcess>();
        try
        {
            if (processes > 0)
            {
                var connection = WorkerProcess.ConnectionStringOf(services);
                for (var i = 0; i < processes; i++)
                {
                    children.Add(WorkerProcess.Start(connection, workers, new Dictionary<string, string> { ["Consolidation__PollSeconds"] = PollSeconds }, units: true));
                }

                await Task.WhenAll(children.Select(c => c.Ready)).WaitAsync(TimeSpan.FromMinutes(2), ct);
            }

            var (emulatorBefore, hostBefore) = (emulatorCpu(), Process.GetCurrentProcess().TotalProcessorTime);
            var clock = Stopwatch.StartNew();
            var loops = processes > 0
                ? null
                : QueueWorkLoops.RunAsync(services, workers, idle: null, (unit, done) => units.Enqueue((unit, done)), stop.Token, ct);

            // The submissions at the given rate, each on its own so that a slow one does not hold back the schedule.
            var accepted = new DateTimeOffset?[count];
            var sending = chosen.Select((village, i) => Task.Run(async () =>
            {
                var due = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, ct);
                }

                var outcome = await submissionService.SubmitAsync(new SubmissionInput(village.Code, month, UploadFormat.Json, bodies[i], "bench") { Subject = "bench" }, ct);
                accepted[i] = outcome.Accepted ? time.GetUtcNow() : null;
            }, ct)).ToList();

            var allSent = Task.WhenAll(sending);
            double burstSeconds = 0;
            DateTimeOffset? emptyAt = null;
            var limit = TimeSpan.FromSeconds(count / rate) + TimeSpan.FromMinutes(20);
            while (clock.Elapsed < limit)
            {
                var waiting = await queue.CountAsync(cancellationToken: ct);
                depth.Add((clock.Elapsed.TotalSeconds, waiting));
                if (allSent.IsCompleted)
                {
                    burstSeconds = burstSeconds == 0 ? clock.Elapsed.TotalSeconds : burstSeconds;
                    if (waiting == 0)
                    {
                        emptyAt = time.GetUtcNow();
                        break;
                    }
                }

                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }

            var wall = clock.Elapsed.TotalSeconds;
            await allSent;
            await stop.CancelAsync();
            double? workerSeconds = null;
            var failuresLogged = 0;
            if (loops is not null)
            {
                await loops;
            }
            else
            {
                var summaries = await Task.WhenAll(children.Select(c => c.StopAsync(ct)));
                // What the workers logged as failures (a unit that threw is retried, and after five tries set aside).
                failuresLogged = children.Sum(c => c.Errors().Split('\n').Count(line => line.Contains("fail:", StringComparison.Ordinal)));
                workerSeconds = summaries.Sum(s => s.WorkCpuSeconds);
                foreach (var unit in children.SelectMany(c => c.Units))
                {
                    units.Enqueue(unit);
                }
            }

            var emulatorSeconds = (emulatorCpu() - emulatorBefore)?.TotalSeconds;
            var hostSeconds = (Process.GetCurrentProcess().TotalProcessorTime - hostBefore).TotalSeconds;
            var lastAccepted = accepted.Where(a => a is not null).Select(a => a!.Value).DefaultIfEmpty(time.GetUtcNow()).Max();
            var done = units.ToList();

            // A submission's workbook at a level is fresh from the first unit that read its inputs after the submission was
            // accepted and then built the workbook or found it current; the level is fresh when all its affected workbooks are.
            var freshAt = new Dictionary<(string Template, string Org), List<(DateTimeOffset Read, DateTimeOffset Done)>>();
            // A city unit's parts (the district work it built itself) each count from their own read.
            foreach (var (unit, finished) in done.SelectMany(d => d.Unit.Pulled.Append(d.Unit).Select(part => (part, d.Done))))
            {
                foreach (var r in unit.Results.Where(r => r.Period == month.ToString() && r.Outcome is BuildOutcome.Built or BuildOutcome.Skipped))
                {
                    (freshAt.TryGetValue((r.Template, r.Org), out var list) ? list : freshAt[(r.Template, r.Org)] = []).Add((unit.InputsReadAt, finished));
                }
            }

            var results = new List<Submission>();
            for (var i = 0; i < count; i++)
            {
                if (accepted[i] is not { } at)
                {
                    continue;
                }

                var ancestors = orgs.Ancestors(chosen[i].Code).ToList();
                var latency = new Dictionary<OrgLevel, double?>();
                foreach (var level in Levels)
                {
                    var org = ancestors.First(a => a.Level == level).Code;
                    double? worst = 0;
                    foreach (var template in affected.Where(t => t.AudienceLevels.Contains(level)))
                    {
                        var first = freshAt.TryGetValue((template.Id, org), out var list)
                            ? list.Where(x => x.Read >= at).Select(x => (DateTimeOffset?)x.Done).Min()
                            : null;
                        worst = first is { } f && worst is { } w ? Math.Max(w, (f - at).TotalSeconds) : null;
                    }

                    latency[level] = worst;
                }

                results.Add(new Submission(chosen[i].Code, at, latency));
            }

            var drained = (emptyAt ?? time.GetUtcNow()) - lastAccepted;

            // With the queue empty and every worker stopped, no marker may hold work: work marked with no unit to come for
            // it would wait for the timer (a lost wake-up).
            var poisoned = await queue.CountAsync(poison: true, cancellationToken: ct);
            var pending = services.GetRequiredService<PendingConsolidation>();
            var leftWaiting = new List<string>();
            foreach (var org in orgs.All.Where(o => o.Level is OrgLevel.City or OrgLevel.District))
            {
                if (!(await pending.WaitingAsync(month, org.Code, ct)).IsEmpty)
                {
                    leftWaiting.Add(org.Code);
                }
            }

            return new BurstResult(rate, processes, results, done, depth, burstSeconds, drained.TotalSeconds, emulatorSeconds, hostSeconds, workerSeconds, wall,
                orgs.All.ToDictionary(o => o.Code, o => o.Level, StringComparer.Ordinal)) { LeftWaiting = leftWaiting, Poisoned = poisoned, FailuresLogged = failuresLogged };
        }
        finally
        {
            foreach (var child in children)
            {
                await child.DisposeAsync();
            }
        }
    }

    /// <summary>The runs side by side: per process count and rate, the p95s, the drain, the work done and the CPU spent.</summary>
    private static void PrintProcesses(IReadOnlyList<BurstResult> runs, int workers)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("figure").AddColumn("指标").AddColumn(new TableColumn("value").RightAligned());
        void Row(string english, string chinese, string value) => table.AddRow(Markup.Escape(english), Markup.Escape(chinese), Markup.Escape(value));
        string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        foreach (var r in runs)
        {
            var p95 = Levels.Select(level => Percentile(r.Submissions.Select(s => s.Latency[level]).Where(l => l is not null).Select(l => l!.Value).Order().ToList(), 0.95)).ToList();
            var all = r.Units.SelectMany(u => u.Unit.Pulled.Append(u.Unit)).SelectMany(u => u.Results).ToList();
            var one = runs.FirstOrDefault(x => x.Processes == 1 && x.Rate.Equals(r.Rate));
            var name = F($"{r.Processes} process(es) × {workers} loop(s), {r.Rate:0.##}/s");
            var label = F($"{r.Processes} 个进程 × {workers} 个队列工作者，每秒 {r.Rate:0.##} 份");
            Row(F($"{name}: p95 township / district / city (s)"), F($"{label}：p95 乡镇 / 区县 / 市（秒）"), F($"{p95[0]:0.0} / {p95[1]:0.0} / {p95[2]:0.0}"));
            Row(F($"{name}: wall s / queue empty after the last acceptance (s) / speed-up of that vs 1 process"), F($"{label}：总用时（秒）/ 最后接受后队列清空（秒）/ 相对 1 个进程的加速比"),
                F($"{r.WallSeconds:0.0} / {r.DrainedAfterSeconds:0.0} / ") + (one is null ? "-" : F($"{one.DrainedAfterSeconds / Math.Max(r.DrainedAfterSeconds, 1e-9):0.00}")));
            Row(F($"{name}: units / workbooks built / skipped"), F($"{label}：任务 / 生成 / 跳过"),
                F($"{r.Units.Count} / {all.Count(x => x.Outcome == BuildOutcome.Built)} / {all.Count(x => x.Outcome == BuildOutcome.Skipped)}"));
            Row(F($"{name}: CPU s of the emulator (share of one core) / of the worker processes"), F($"{label}：模拟器 CPU 秒（占单核比例）/ 工作进程 CPU 秒"),
                (r.EmulatorCpuSeconds is { } e ? F($"{e:0.0} ({e / Math.Max(r.WallSeconds, 1e-9):0.0%})") : "-") + " / " + (r.WorkerCpuSeconds is { } w ? F($"{w:0.0}") : "-"));
        }

        Row("load average", "系统负载", File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "-");
        AnsiConsole.Write(table);
    }

    private static double Percentile(IReadOnlyList<double> sorted, double p)
        => sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static void Print(BurstResult r, int districts, int townships, int villages, int workers)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("figure").AddColumn("指标").AddColumn(new TableColumn("value").RightAligned());
        void Row(string english, string chinese, string value) => table.AddRow(Markup.Escape(english), Markup.Escape(chinese), Markup.Escape(value));
        string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

        Row("city / worker processes × loops (0: loops in this process)", "规模 / 工作进程 × 队列工作者（0：本进程内）", F($"{districts}×{townships}×{villages} / {r.Processes} × {workers}"));
        Row("submissions accepted / rate (per s) / burst (s)", "已接受提交 / 速率（每秒）/ 持续（秒）", F($"{r.Submissions.Count} / {r.Rate:0.##} / {r.BurstSeconds:0.0}"));
        foreach (var level in Levels)
        {
            var fresh = r.Submissions.Select(s => s.Latency[level]).Where(l => l is not null).Select(l => l!.Value).Order().ToList();
            var missing = r.Submissions.Count - fresh.Count;
            var name = level switch { OrgLevel.Township => ("township", "乡镇"), OrgLevel.District => ("district", "区县"), _ => ("city", "市") };
            Row(F($"{name.Item1}: accepted → rebuilt with it, p50 / p95 / max (s)"), F($"{name.Item2}：接受 → 含该提交的报表生成，p50 / p95 / 最大（秒）"),
                F($"{Percentile(fresh, 0.5):0.0} / {Percentile(fresh, 0.95):0.0} / {(fresh.Count > 0 ? fresh[^1] : double.NaN):0.0}") + (missing > 0 ? F($" ({missing} never)") : ""));
        }

        var districtUnits = r.Units.Where(u => r.Levels[u.Unit.Unit.Org] == OrgLevel.District).Select(u => u.Unit).ToList();
        var cityUnits = r.Units.Where(u => r.Levels[u.Unit.Unit.Org] == OrgLevel.City).Select(u => u.Unit).ToList();
        int Empty(IEnumerable<UnitResult> us) => us.Count(u => u.Results.Count == 0 && !u.Deferred);
        Row("units: district (empty) / city (waited, empty) / district work built by city units", "任务：区县（空）/ 市（等待、空）/ 市级任务代为生成的区县工作",
            F($"{districtUnits.Count} ({Empty(districtUnits)}) / {cityUnits.Count} ({cityUnits.Count(u => u.Deferred)}, {Empty(cityUnits)}) / {cityUnits.Sum(u => u.Pulled.Count)}"));
        var all = r.Units.SelectMany(u => u.Unit.Pulled.Append(u.Unit)).SelectMany(u => u.Results).ToList();
        Row("workbooks built / skipped", "报表：生成 / 跳过", F($"{all.Count(x => x.Outcome == BuildOutcome.Built)} / {all.Count(x => x.Outcome == BuildOutcome.Skipped)}"));
        Row("district roll-ups the city units read / rebuilt", "市级任务读取 / 重建的区县汇总中间结果", F($"{cityUnits.Sum(u => u.RollupsRead)} / {cityUnits.Sum(u => u.RollupsRebuilt)}"));
        Row("queue empty after the last acceptance (s)", "最后一次接受后队列清空（秒）", F($"{r.DrainedAfterSeconds:0.0}"));
        Row("marked work left with no unit to come (orgs)", "队列清空后仍有待汇总标记的单位", r.LeftWaiting.Count == 0 ? "0" : F($"{r.LeftWaiting.Count}: {string.Join(" ", r.LeftWaiting)}"));
        Row("units set aside (poison queue) / failures logged by worker processes", "移入毒队列的任务 / 工作进程记录的失败", F($"{r.Poisoned} / {r.FailuresLogged}"));
        Row("queue depth: max / every 5 s", "队列深度：最大 / 每 5 秒", F($"{r.Depth.Select(d => d.Depth).DefaultIfEmpty(0).Max()} / ") +
            string.Join(" ", r.Depth.Where((_, i) => i % 5 == 0).Select(d => d.Depth.ToString(CultureInfo.InvariantCulture))));
        Row("CPU s of the emulator (share of one core) / of this process / of the worker processes", "模拟器 CPU 秒（占单核比例）/ 本进程 CPU 秒 / 工作进程 CPU 秒",
            (r.EmulatorCpuSeconds is { } e ? F($"{e:0.0} ({e / Math.Max(r.WallSeconds, 1e-9):0.0%})") : "-") + F($" / {r.HostCpuSeconds:0.0} / ")
            + (r.WorkerCpuSeconds is { } w ? F($"{w:0.0}") : "-"));
        Row("load average", "系统负载", File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "-");
        AnsiConsole.Write(table);
    }
}
