using System.Diagnostics;
using System.Globalization;
using ReportPipeline.Domain.Burden;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Values;
using ReportPipeline.Excel;
using Spectre.Console;

namespace ReportPipeline.LocalHost.Commands;

/// <summary>
/// <c>bench --writers</c>: the consolidated workbook written by EPPlus (today's writer), by the Open XML SDK's streaming
/// <c>OpenXmlWriter</c> and by SpreadCheetah, for a township-size and a city-size report of a synthetic city, in one run.
/// Each library writes the same laid-out workbook (cells, formats, SUBTOTAL formulas with cached values, merges, print
/// setup and print titles, provenance properties — SpreadCheetah cannot write the last three); time is reported as a
/// ratio to EPPlus in the same run, and bytes allocated on this thread as exact counts. No storage is involved.
/// </summary>
public static class WriterBenchmark
{
    private static readonly Period Month = Period.Month(2026, 10);
    private static readonly DateTimeOffset At = new(2026, 11, 3, 9, 0, 0, TimeSpan.FromHours(8));

    public static int Run(int districts, int townships, int villages, int fields, int repeats)
    {
        var bundle = SyntheticCatalog.Generate(fields, 10, seed: 1);
        var city = SyntheticCity.Generate(districts, townships, villages);
        var template = bundle.Templates
            .Where(t => t.PeriodKind == PeriodKind.Month && t.AudienceLevels.Contains(OrgLevel.City) && t.AudienceLevels.Contains(OrgLevel.Township))
            .OrderByDescending(t => t.Columns.Count)
            .First();
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"bench --writers：{districts}×{townships}×{villages} 个村，报表 {template.Id}（{template.Columns.Count} 列），每种写法重复 {repeats} 次；负载 {LoadAverage()}")));

        var reports = new List<(string Name, ConsolidatedReport Report)>
        {
            ("township", Report(bundle, city, template, city.ByLevel(OrgLevel.Township)[0].Code)),
            ("city", Report(bundle, city, template, city.Root.Code)),
        };
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("report").AddColumn("writer")
            .AddColumn(new TableColumn("ms / workbook").RightAligned())
            .AddColumn(new TableColumn("÷ EPPlus").RightAligned())
            .AddColumn(new TableColumn("allocated / workbook").RightAligned())
            .AddColumn(new TableColumn("÷ EPPlus").RightAligned())
            .AddColumn(new TableColumn("bytes").RightAligned())
            .AddColumn("print setup, print titles, custom properties");
        foreach (var (name, report) in reports)
        {
            var rows = report.Main.Rows.Count + report.Details.Sum(d => d.Rows.Count);
            var layoutCost = Measure(() => ReportWriterCandidates.Lay(report), repeats, out _);
            var layout = ReportWriterCandidates.Lay(report);
            (double Ms, long Bytes)? epplus = null;
            foreach (var kind in Enum.GetValues<ReportWriterKind>())
            {
                byte[] file = [];
                var cost = Measure(() => file = ReportWriterCandidates.Render(kind, layout), repeats, out _);
                // The layout is part of every writer's work; it is shared, so it is added to each.
                var total = (Ms: cost.Ms + layoutCost.Ms, Bytes: cost.Bytes + layoutCost.Bytes);
                epplus ??= total;
                table.AddRow(
                    Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{name} ({rows} rows)")),
                    kind.ToString(),
                    total.Ms.ToString("0.00", CultureInfo.InvariantCulture),
                    (total.Ms / epplus.Value.Ms).ToString("0.00", CultureInfo.InvariantCulture),
                    Bytes(total.Bytes),
                    ((double)total.Bytes / epplus.Value.Bytes).ToString("0.000", CultureInfo.InvariantCulture),
                    file.Length.ToString("N0", CultureInfo.InvariantCulture),
                    kind == ReportWriterKind.SpreadCheetah ? "no (no API in 1.28)" : "yes");
            }

            table.AddRow(Markup.Escape($"{name}: layout alone (in each row above)"), "", layoutCost.Ms.ToString("0.00", CultureInfo.InvariantCulture), "", Bytes(layoutCost.Bytes), "", "", "");
        }

        // Wide enough for the table when the output is redirected to a file (the console then reports 80 columns).
        AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 180);
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(Markup.Escape($"负载（结束时）：{LoadAverage()}"));
        return 0;
    }

    /// <summary>Mean time and bytes allocated on this thread per call, after one warm-up call.</summary>
    private static (double Ms, long Bytes) Measure<T>(Func<T> action, int repeats, out T last)
    {
        last = action();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < repeats; i++)
        {
            last = action();
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        return (elapsed.TotalMilliseconds / repeats, (GC.GetAllocatedBytesForCurrentThread() - allocated) / repeats);
    }

    private static ConsolidatedReport Report(CatalogBundle bundle, OrgRegistry city, Domain.Templates.ReportTemplate template, string orgCode)
    {
        var used = template.Columns
            .SelectMany(c => c.FieldIds())
            .ToHashSet(StringComparer.Ordinal);
        var values = new Dictionary<string, OrgValues>(StringComparer.Ordinal);
        var receipts = new Dictionary<string, MergeReceipt>(StringComparer.Ordinal);
        var seed = 0;
        foreach (var village in city.Villages(orgCode))
        {
            seed++;
            if (seed % 13 == 0)
            {
                continue; // some villages have not reported: 未报 rows, as in real workbooks
            }

            var stored = SyntheticValues.Generate(bundle.Catalog, village, Month, seed)
                .Where(kv => used.Contains(kv.Key))
                .ToDictionary(kv => kv.Key, kv => new StoredValue(Canonical(bundle.Catalog[kv.Key], kv.Value), ValueOrigin.Typed, "B" + village.Code, At), StringComparer.Ordinal);
            values[village.Code] = new OrgValues(village.Code, Month, stored);
            receipts[village.Code] = new MergeReceipt
            {
                SubmissionId = "B" + village.Code, OrgCode = village.Code, Period = Month, ReceivedAt = At, FirstReportedAt = At, LastReportedAt = At, Changed = stored.Count, Unchanged = 0, ConfirmedPrefill = 0, Channel = "bench",
            };
        }

        // The inputs a unit passes: the period's receipts, its review states (none here), the calendar, the subtree's watermark.
        var approvals = new Dictionary<string, ApprovalRecord>(StringComparer.Ordinal);
        var report = ConsolidationBuilder.Build(template, bundle.Catalog, city, orgCode, Month, values, receipts, approvals,
            new ReportingCalendar(bundle.Templates, ReportingCalendar.China),
            ConsolidationBuilder.ComputeWatermark(template, bundle.Catalog.Version, city.Subtree(orgCode, includeSelf: true), receipts, approvals), At, At);
        return city.Get(orgCode).Level == OrgLevel.City
            ? report with { Burden = BurdenCalculator.Compute(bundle, city, orgCode, Month, values) }
            : report;
    }

    /// <summary>Enough of the normaliser for synthetic texts: numbers invariant, enum labels to codes, 是/否 to booleans.</summary>
    private static FieldValue Canonical(FieldDefinition field, string text) => new(field.Type, field.Type switch
    {
        FieldType.Enum => field.Options.FirstOrDefault(o => o.Label == text || o.Code == text)?.Code ?? text,
        FieldType.Boolean => text == "是" ? "true" : "false",
        FieldType.Integer or FieldType.Decimal => decimal.Parse(text, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        _ => text,
    });

    private static string Bytes(long bytes) => bytes >= 1 << 20
        ? (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB"
        : (bytes / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " KiB";

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
