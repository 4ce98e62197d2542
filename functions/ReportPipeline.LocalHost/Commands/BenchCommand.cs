using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;
using ReportPipeline.Development.Bench;
using Azure.Data.Tables;
using ReportPipeline.Storage.Stores;
using Spectre.Console;

namespace ReportPipeline.LocalHost.Commands;

/// <summary>
/// <c>bench</c>: ingest N generated village submissions through the value store against a raw batch insert of the same
/// entities in the same run; then resend them all. Throughput is reported as a
/// ratio to the baseline (the machine is shared); round trips and entities are exact counts.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var villages = new Option<int>("--villages") { Description = "Village submissions to ingest (with --consolidation: villages per township)", DefaultValueFactory = _ => 300 };
        var fields = new Option<int>("--fields") { Description = "Fields in the synthetic one table (300–1,000)", DefaultValueFactory = _ => 1000 };
        var consolidation = new Option<bool>("--consolidation") { Description = "Measure consolidation instead: a full rebuild against the workbook writer alone, then an incremental pass" };
        var districts = new Option<int>("--districts") { Description = "With --consolidation: districts", DefaultValueFactory = _ => 2 };
        var townships = new Option<int>("--townships") { Description = "With --consolidation: townships per district", DefaultValueFactory = _ => 10 };
        var city = new Option<bool>("--city") { Description = "With --consolidation: the full city, 41 districts × 25 townships × 11 villages" };
        var workerCounts = new Option<int[]>("--workers") { Description = "With --consolidation: the queue worker counts to run the full rebuild with, each in turn (default 1 2 4)", AllowMultipleArgumentsPerToken = true };
        var prefill = new Option<bool>("--prefill") { Description = "Measure a department's city-wide pre-fill file (带数下发) instead: first push, identical re-push, changed re-push; --city for 41 × 25 × 11, --fields per row (default 15)" };
        var freshness = new Option<bool>("--freshness") { Description = "Measure freshness instead: with every workbook of a month current, villages across the city submit at --rate while --workers queue worker loops run; per level the time from acceptance to a workbook rebuilt with it" };
        var submissions = new Option<int>("--submissions") { Description = "With --freshness: submissions per run (default 100); with --load: submissions in all (default 1,000)", DefaultValueFactory = _ => 100 };
        var load = new Option<bool>("--load") { Description = "Measure ingest under load instead: the HTTP host (Kestrel) on Azurite on disk, --submissions partial JSON corrections from 875 villages (a tenth to 5 hot villages) at --concurrency; throughput, latency, status codes, storage calls per submission, audit rows = receipts" };
        var concurrency = new Option<int>("--concurrency") { Description = "With --load: requests in flight at once", DefaultValueFactory = _ => 64 };
        var rates = new Option<double[]>("--rate") { Description = "With --freshness: submissions per second, one run each (default 10 1)", AllowMultipleArgumentsPerToken = true };
        var reads = new Option<bool>("--reads") { Description = "Measure the office routes instead (status, 催报 CSV, approval, quality, burden, reports list, series) for the city, a district and a township over HTTP, after a consolidation; --city for 41 × 25 × 11 (default 4 × 25 × 11)" };
        var repeats = new Option<int>("--repeats") { Description = "With --reads: timed calls per route and level (the median is reported)", DefaultValueFactory = _ => 5 };
        var processes = new Option<int[]>("--processes") { Description = "With --consolidation or --freshness: run the queue workers in this many child processes of this executable (`work`, sharing the embedded Azurite), one run per count, each process with the first --workers loops (default 2); e.g. 1 2 4. Without it the loops run in this process", AllowMultipleArgumentsPerToken = true };
        var writers = new Option<bool>("--writers") { Description = "Measure the workbook writers instead (EPPlus, OpenXmlWriter, SpreadCheetah) on a township and a city report; no storage" };
        var command = new Command("bench", "Measure ingestion against a raw batch insert (or consolidation, or freshness after submissions) on the embedded or configured storage")
        {
            villages, fields, consolidation, districts, townships, city, workerCounts, processes, writers, prefill, freshness, submissions, rates, reads, repeats, load, concurrency,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(writers))
            {
                int Given(Option<int> option, int fallback) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : fallback;
                return WriterBenchmark.Run(Given(districts, 10), Given(townships, 25), Given(villages, 11), Given(fields, 300), repeats: 5);
            }

            if (parse.GetValue(reads))
            {
                int Given(Option<int> option, int fallback) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : fallback;
                if (parse.GetValue(repeats) < 1)
                {
                    AnsiConsole.MarkupLine("[red]--repeats 需要正整数[/]");
                    return 2;
                }

                var (d, t, v) = parse.GetValue(city) ? (41, 25, 11) : (Given(districts, 4), Given(townships, 25), Given(villages, 11));
                return await ReadsBenchmark.RunAsync(d, t, v, parse.GetValue(repeats), ct);
            }

            if (parse.GetValue(prefill))
            {
                int Given(Option<int> option, int fallback) => parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : fallback;
                return parse.GetValue(city)
                    ? await PrefillBenchmark.RunAsync(41, 25, 11, Given(fields, 15), ct)
                    : await PrefillBenchmark.RunAsync(Given(districts, 4), Given(townships, 25), Given(villages, 11), Given(fields, 15), ct);
            }

            if (parse.GetValue(load))
            {
                var count = parse.GetResult(submissions) is { Implicit: false } ? parse.GetValue(submissions) : 1000;
                if (count < 1 || parse.GetValue(concurrency) < 1)
                {
                    AnsiConsole.MarkupLine("[red]--submissions 与 --concurrency 需要正整数[/]");
                    return 2;
                }

                return await LoadBenchmark.RunAsync(count, parse.GetValue(concurrency), ct);
            }

            var processCounts = parse.GetValue(processes) is { Length: > 0 } p ? p : null;
            if (processCounts is not null && (processCounts.Any(count => count < 1) || !(parse.GetValue(freshness) || parse.GetValue(consolidation))))
            {
                AnsiConsole.MarkupLine("[red]--processes 需要正整数，且只用于 --consolidation 或 --freshness[/]");
                return 2;
            }

            if (parse.GetValue(freshness))
            {
                var perTownship = parse.GetResult(villages) is { Implicit: false } ? parse.GetValue(villages) : 11;
                var given = parse.GetValue(rates) is { Length: > 0 } r ? r : [10, 1];
                var loops = parse.GetValue(workerCounts) is { Length: > 0 } w ? w[0] : 2;
                if (given.Any(rate => rate <= 0) || loops < 1 || parse.GetValue(submissions) < 1)
                {
                    AnsiConsole.MarkupLine("[red]--rate、--workers 与 --submissions 需要正数[/]");
                    return 2;
                }

                var (d, t, v) = parse.GetValue(city) ? (41, 25, 11) : (parse.GetValue(districts), parse.GetValue(townships), perTownship);
                return await FreshnessBenchmark.RunAsync(d, t, v, parse.GetValue(submissions), given, loops, ct, processCounts);
            }

            if (parse.GetValue(consolidation))
            {
                var perTownship = parse.GetResult(villages) is { Implicit: false } ? parse.GetValue(villages) : 11;
                var counts = parse.GetValue(workerCounts) is { Length: > 0 } given ? given : null;
                if (counts is not null && counts.Any(count => count < 1))
                {
                    AnsiConsole.MarkupLine("[red]--workers 需要正整数[/]");
                    return 2;
                }

                var (d, t, v) = parse.GetValue(city) ? (41, 25, 11) : (parse.GetValue(districts), parse.GetValue(townships), perTownship);
                if (processCounts is not null)
                {
                    return await ConsolidationBenchmark.RunProcessesAsync(d, t, v, processCounts, counts?[0] ?? 2, ct);
                }

                return await ConsolidationBenchmark.RunAsync(d, t, v, ct, counts);
            }

            await using var runtime = await LocalHostRuntime.CreateAsync([], null, runWorkers: false, minimumLevel: LogLevel.Warning, cancellationToken: ct);
            var (first, validation) = Generate(parse.GetValue(villages), parse.GetValue(fields));
            AnsiConsole.MarkupLine($"[bold]bench[/]：{first.Count} 个村，每村 {first[0].Values.Count} 项（一表 {parse.GetValue(fields)} 个指标），存储：{(runtime.UsesEmbeddedStorage ? "内嵌 Azurite（内存）" : "已配置的 ReportStorage")}");
            var tables = runtime.Services.GetRequiredService<TableServiceClient>();
            var suffix = Guid.NewGuid().ToString("N")[..8];
            var storeTable = tables.GetTableClient("BenchValues" + suffix);
            var rawTable = tables.GetTableClient("BenchRaw" + suffix);
            await storeTable.CreateIfNotExistsAsync(ct);
            await rawTable.CreateIfNotExistsAsync(ct);
            var store = new TableFieldValueStore(storeTable, runtime.Services.GetRequiredService<ILogger<TableFieldValueStore>>(), TimeProvider.System);
            IngestBenchmarkResult? result = null;
            try
            {
                await AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async context =>
                    {
                        var task = context.AddTask("入库（之后：基线插入、重发）", maxValue: first.Count);
                        result = await IngestBenchmark.RunAsync(store, rawTable, first, new SynchronousProgress<int>(_ => task.Increment(1)), ct);
                        task.Value = task.MaxValue;
                    });
            }
            finally
            {
                await storeTable.DeleteAsync(CancellationToken.None);
                await rawTable.DeleteAsync(CancellationToken.None);
            }

            Print(result!, validation);
            return 0;
        });
        return command;
    }

    private static (List<MergeRequest> Requests, ValidationCost Validation) Generate(int villageCount, int fieldCount)
    {
        var bundle = SyntheticCatalog.Generate(fieldCount, 10, seed: 1);
        var catalog = bundle.Catalog;
        var townships = Math.Max(1, (int)Math.Ceiling(villageCount / 11.0));
        var registry = SyntheticCity.Generate(districts: Math.Max(1, townships / 25 + 1), townshipsPerDistrict: Math.Min(25, townships), villagesPerTownship: 11);
        var period = Period.Month(2026, 10);
        var at = new DateTimeOffset(2026, 11, 3, 9, 0, 0, TimeSpan.FromHours(8));
        var validator = new SubmissionValidator(catalog);
        var first = new List<MergeRequest>();
        var raws = registry.ByLevel(OrgLevel.Village).Take(villageCount)
            .Select((v, i) => (Village: v, Raw: (IReadOnlyList<RawValue>)[.. SyntheticValues.Generate(catalog, v, period, seed: i + 1).Select(kv => new RawValue(kv.Key, kv.Value))]))
            .ToList();

        // Normalising and validating is measured on its own: time, and bytes allocated on this thread (a deterministic count).
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var ((village, raw), i) in raws.Select((r, i) => (r, i)))
        {
            var values = validator.Validate(raw, new Dictionary<string, FieldValue>(), period.Kind).Values;
            first.Add(Request(village.Code, values, $"B{i:D6}"));
        }

        var cost = new ValidationCost(clock.Elapsed.TotalSeconds, GC.GetAllocatedBytesForCurrentThread() - allocatedBefore, raws.Sum(r => r.Raw.Count));
        return (first, cost);

        MergeRequest Request(string org, IReadOnlyDictionary<string, FieldValue> values, string id) =>
            new(org, period, id, ValueOrigin.Typed, values, ContentHash.Compute(values), null, "bench", at);
    }

    private sealed record ValidationCost(double Seconds, long AllocatedBytes, long Values);

    private static void Print(IngestBenchmarkResult r, ValidationCost validation)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("submissions", r.Submissions.ToString(CultureInfo.InvariantCulture));
        Row("field values", r.FieldValues.ToString(CultureInfo.InvariantCulture));
        Row("entities written (ingest: receipts / counted on the wire)", string.Create(CultureInfo.InvariantCulture, $"{r.EntitiesWritten} / {r.CountedEntitiesWritten}"));
        Row("round trips per submission (mean / max)", string.Create(CultureInfo.InvariantCulture, $"{r.RoundTripsPerSubmission:0.00} / {r.MaxRoundTripsPerSubmission}"));
        Row("submissions over ceil(entities/100)+2 round trips", r.RoundTripTargetMisses.ToString(CultureInfo.InvariantCulture));
        Row("ingest submissions/s", r.SubmissionsPerSecond.ToString("0.0", CultureInfo.InvariantCulture));
        Row("raw batch insert submissions/s (baseline)", r.RawSubmissionsPerSecond.ToString("0.0", CultureInfo.InvariantCulture));
        Row("ingest ÷ raw insert", r.IngestToRawRatio.ToString("0.00", CultureInfo.InvariantCulture));
        Row("resend: entities written (receipts / counted on the wire)", string.Create(CultureInfo.InvariantCulture, $"{r.ResendEntitiesWritten} / {r.ResendCountedEntitiesWritten}"));
        Row("resend: replays / round trips", string.Create(CultureInfo.InvariantCulture, $"{r.ResendReplays} / {r.ResendRoundTrips}"));
        Row("validation: µs per value", (validation.Seconds * 1e6 / Math.Max(1, validation.Values)).ToString("0.00", CultureInfo.InvariantCulture));
        Row("validation: KiB allocated per submission", (validation.AllocatedBytes / 1024.0 / Math.Max(1, r.Submissions)).ToString("0.0", CultureInfo.InvariantCulture));
        Row("validation time ÷ ingest time", (validation.Seconds / r.IngestElapsed.TotalSeconds).ToString("0.000", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
    }
}
