using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Ingestion;
using ReportPipeline.Application.Prefill;
using ReportPipeline.Application.Reference;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Storage.Diagnostics;
using Spectre.Console;

namespace ReportPipeline.LocalHost.Commands;

/// <summary>
/// <c>bench --prefill</c>: one department's file for a whole (synthetic) city pushed through the pre-fill service — the
/// same one the route and the blob drop call — against the embedded or configured storage: a first push into an empty
/// period (every value written), an identical re-push (nothing written), and a re-push with one row in a hundred changed.
/// Time, storage round trips per village (the process-wide storage counters), entities written and memory are reported.
/// </summary>
public static class PrefillBenchmark
{
    public static async Task<int> RunAsync(int districts, int townshipsPerDistrict, int villagesPerTownship, int fieldCount, CancellationToken ct)
    {
        await using var runtime = await LocalHostRuntime.CreateAsync([], null, runWorkers: false, minimumLevel: LogLevel.Warning, cancellationToken: ct);
        var services = runtime.Services;
        var registry = SyntheticCity.Generate(districts, townshipsPerDistrict, villagesPerTownship);
        await services.GetRequiredService<IOrgRegistrySource>().SaveAsync([.. registry.All], ct);
        var reference = services.GetRequiredService<ReferenceData>();
        reference.InvalidateOrgs();
        var catalog = (await reference.CatalogForAsync(null, ct)).Catalog;

        // The department holding the most monthly numeric fields of the one table, and as many of them as asked for.
        var department = catalog.Departments.All
            .Select(d => (Department: d, Fields: catalog.Fields.Where(f => f.Departments.Contains(d.Code) && f.IsNumeric && f.Source != FieldSource.Derived && f.Frequency == PeriodKind.Month).ToList()))
            .MaxBy(d => d.Fields.Count);
        var fields = department.Fields.Take(fieldCount).ToList();
        var period = Period.Month(2026, 10);
        var villages = registry.ByLevel(OrgLevel.Village);
        var first = Csv(catalog, fields, villages, period, change: 0);
        var changed = Csv(catalog, fields, villages, period, change: 1);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]bench --prefill[/]：{Markup.Escape(department.Department.Name)}（{department.Department.Code}）下发 {villages.Count} 个村 × {fields.Count} 个指标，CSV {first.Length / 1024.0 / 1024.0:0.0} MB；{districts} 个区县 × {townshipsPerDistrict} 个乡镇 × {villagesPerTownship} 个村；存储：{(runtime.UsesEmbeddedStorage ? "内嵌 Azurite（内存）" : "已配置的 ReportStorage")}"));

        var prefill = services.GetRequiredService<PrefillService>();
        var runs = new List<(string Name, Run Run)>();
        foreach (var (name, content) in new[] { ("first push (empty period)", first), ("identical re-push", first), ("re-push, 1 row in 100 changed", changed) })
        {
            runs.Add((name, await MeasureAsync(prefill, new PrefillInput(department.Department.Code, period, UploadFormat.Csv, content, "bench", ScopeOrg: null, DryRun: false), villages.Count, ct)));
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("run").AddColumn(new TableColumn("seconds").RightAligned())
            .AddColumn(new TableColumn("values written").RightAligned()).AddColumn(new TableColumn("unchanged").RightAligned())
            .AddColumn(new TableColumn("round trips / village").RightAligned()).AddColumn(new TableColumn("entities written").RightAligned())
            .AddColumn(new TableColumn("districts queued").RightAligned()).AddColumn(new TableColumn("MB allocated").RightAligned());
        foreach (var (name, run) in runs)
        {
            table.AddRow(
                Markup.Escape(name),
                run.Seconds.ToString("0.0", CultureInfo.InvariantCulture),
                run.Receipt.Written.ToString(CultureInfo.InvariantCulture),
                run.Receipt.Unchanged.ToString(CultureInfo.InvariantCulture),
                run.RoundTripsPerVillage.ToString("0.00", CultureInfo.InvariantCulture),
                run.EntitiesWritten.ToString(CultureInfo.InvariantCulture),
                run.Receipt.DistrictsQueued.ToString(CultureInfo.InvariantCulture),
                (run.AllocatedBytes / 1024.0 / 1024.0).ToString("0", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1024.0 / 1024.0:0} MB (host, embedded Azurite excluded); load average {Markup.Escape(LoadAverage())}"));
        return runs.All(r => r.Run.Receipt.Locked.Count == 0) && runs[1].Run.EntitiesWritten == 0 ? 0 : 1;
    }

    private sealed record Run(double Seconds, PrefillReceipt Receipt, double RoundTripsPerVillage, long EntitiesWritten, long AllocatedBytes);

    private static async Task<Run> MeasureAsync(PrefillService prefill, PrefillInput input, int villages, CancellationToken ct)
    {
        using var counters = new StorageCounters();
        var allocated = GC.GetTotalAllocatedBytes();
        var clock = Stopwatch.StartNew();
        var outcome = await prefill.PushAsync(input, ct);
        clock.Stop();
        var receipt = outcome.Receipt ?? throw new InvalidOperationException("The benchmark's file was refused: " + string.Join("; ", outcome.Errors.Take(5).Select(e => e.Message)));
        var spent = counters.Snapshot();
        return new Run(clock.Elapsed.TotalSeconds, receipt, (double)spent.RoundTrips / villages, spent.EntitiesWritten, GC.GetTotalAllocatedBytes() - allocated);
    }

    /// <summary>One row per village: valid generated values; with <paramref name="change"/>, every hundredth row moves its first value by one.</summary>
    private static byte[] Csv(FieldCatalog catalog, IReadOnlyList<FieldDefinition> fields, IReadOnlyList<Org> villages, Period period, int change)
    {
        var text = new StringBuilder("行政区划代码,").AppendJoin(',', fields.Select(f => f.Name)).Append('\n');
        for (var i = 0; i < villages.Count; i++)
        {
            var generated = SyntheticValues.Generate(catalog, villages[i], period, seed: 7);
            text.Append(villages[i].Code);
            for (var f = 0; f < fields.Count; f++)
            {
                var value = generated.TryGetValue(fields[f].Id, out var v) && decimal.TryParse(v, NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
                    ? number
                    : fields[f].Min ?? 0;
                if (change > 0 && f == 0 && i % 100 == 0)
                {
                    value = value == (fields[f].Max ?? decimal.MaxValue) ? value - change : value + change;
                }

                text.Append(',').Append(value.ToString(CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
