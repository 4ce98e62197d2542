using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Synthetic;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;
using ReportPipeline.Storage.Bench;
using ReportPipeline.Storage.Client;
using Spectre.Console;

namespace ReportPipeline.LocalHost.Commands;

/// <summary>
/// <c>bench</c>: ingest N generated village submissions through the value store against a raw batch insert of the same
/// entities in the same run; then resend them all, then resubmit with a few values changed. Throughput is reported as a
/// ratio to the baseline (the machine is shared); round trips and entities are exact counts.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var villages = new Option<int>("--villages") { Description = "Village submissions to ingest", DefaultValueFactory = _ => 300 };
        var fields = new Option<int>("--fields") { Description = "Fields in the synthetic one table (300–1,000)", DefaultValueFactory = _ => 1000 };
        var parallelism = new Option<int>("--parallelism") { Description = "Concurrent submissions", DefaultValueFactory = _ => 8 };
        var command = new Command("bench", "Measure ingestion against a raw batch insert on the embedded (or configured) storage") { villages, fields, parallelism };
        command.SetAction(async (parse, ct) =>
        {
            await using var runtime = await LocalHostRuntime.CreateAsync([], null, runWorkers: false, minimumLevel: LogLevel.Warning, cancellationToken: ct);
            var (first, changed) = Generate(parse.GetValue(villages), parse.GetValue(fields));
            AnsiConsole.MarkupLine($"[bold]bench[/]：{first.Count} 个村，每村 {first[0].Values.Count} 项（一表 {parse.GetValue(fields)} 个指标），并发 {parse.GetValue(parallelism)}，存储：{(runtime.UsesEmbeddedStorage ? "内嵌 Azurite（内存）" : "已配置的 ReportStorage")}");
            IReadOnlyList<IngestPhase> phases = [];
            await AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var tasks = new Dictionary<string, ProgressTask>();
                    phases = await IngestBenchmark.RunAsync(
                        runtime.Services.GetRequiredService<TableServiceClient>(), first, changed, parse.GetValue(parallelism),
                        new SynchronousProgress<(string Phase, int Done)>(p =>
                        {
                            lock (tasks)
                            {
                                (tasks.TryGetValue(p.Phase, out var t) ? t : tasks[p.Phase] = context.AddTask(p.Phase, maxValue: first.Count)).Value = p.Done;
                            }
                        }),
                        ct);
                });
            Print(phases);
            return 0;
        });
        return command;
    }

    private static (List<MergeRequest> First, List<MergeRequest> Changed) Generate(int villageCount, int fieldCount)
    {
        var bundle = SyntheticCatalog.Generate(fieldCount, 10, seed: 1);
        var catalog = bundle.Catalog;
        var townships = Math.Max(1, (int)Math.Ceiling(villageCount / 11.0));
        var registry = SyntheticCity.Generate(districts: Math.Max(1, townships / 25 + 1), townshipsPerDistrict: Math.Min(25, townships), villagesPerTownship: 11);
        var period = Period.Month(2026, 10);
        var at = new DateTimeOffset(2026, 11, 3, 9, 0, 0, TimeSpan.FromHours(8));
        var validator = new SubmissionValidator(catalog);
        var first = new List<MergeRequest>();
        var changed = new List<MergeRequest>();
        foreach (var (village, i) in registry.ByLevel(OrgLevel.Village).Take(villageCount).Select((v, i) => (v, i)))
        {
            var raw = SyntheticValues.Generate(catalog, village, period, seed: i + 1);
            var values = validator.Validate([.. raw.Select(kv => new RawValue(kv.Key, kv.Value))], new Dictionary<string, FieldValue>(), period.Kind).Values;
            first.Add(Request(village.Code, values, $"B{i:D6}"));

            // A correction of about 2% of the values, as a village fixing a few numbers after review.
            var edited = values.ToDictionary(kv => kv.Key, kv => kv.Value);
            foreach (var key in edited.Keys.Where(k => edited[k].Number is not null).Take(Math.Max(1, values.Count / 50)).ToList())
            {
                edited[key] = edited[key] with { Canonical = (edited[key].Number!.Value + 1).ToString(CultureInfo.InvariantCulture) };
            }

            changed.Add(Request(village.Code, edited, $"C{i:D6}"));
        }

        return (first, changed);

        MergeRequest Request(string org, IReadOnlyDictionary<string, FieldValue> values, string id) =>
            new(org, period, id, ValueOrigin.Typed, values, ContentHash.Compute(values), null, "bench", at);
    }

    private static void Print(IReadOnlyList<IngestPhase> phases)
    {
        var baseline = phases[0];
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("阶段 phase").AddColumn(new TableColumn("提交 subs").RightAligned()).AddColumn(new TableColumn("实体写入 entities").RightAligned())
            .AddColumn(new TableColumn("实体/提交").RightAligned()).AddColumn(new TableColumn("往返/提交 round trips").RightAligned())
            .AddColumn(new TableColumn("提交/秒 subs/s").RightAligned()).AddColumn(new TableColumn("相对基线 vs baseline").RightAligned());
        foreach (var p in phases)
        {
            table.AddRow(
                Markup.Escape(p.Name),
                p.Submissions.ToString(CultureInfo.InvariantCulture),
                p.EntitiesWritten.ToString(CultureInfo.InvariantCulture),
                p.EntitiesPerSubmission.ToString("0.00", CultureInfo.InvariantCulture),
                p.RoundTripsPerSubmission.ToString("0.00", CultureInfo.InvariantCulture),
                p.PerSecond.ToString("0.0", CultureInfo.InvariantCulture),
                (p.PerSecond / baseline.PerSecond).ToString("0.00×", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
    }
}
