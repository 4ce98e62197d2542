using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Reference;
using ReportPipeline.Application.Telemetry;
using ReportPipeline.Domain.Burden;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Application.Consolidation;

public enum BuildOutcome
{
    Built,
    /// <summary>The inputs have not changed since the stored workbook was built.</summary>
    Skipped,
    /// <summary>Another instance stored a build of this workbook first (the conditional upload lost); nothing was written.</summary>
    Busy,
}

public sealed record BuildResult(
    BuildOutcome Outcome,
    string Template,
    string Org,
    string Period,
    int Expected,
    int Reported,
    long Bytes,
    string Watermark,
    double DurationMs)
{
    /// <summary>Where the time went (0 for a skip): reading values and assembling the report, writing the workbook, storing it (and a district's roll-up).</summary>
    public double ComposeMs { get; init; }

    public double WriteMs { get; init; }

    public double StoreMs { get; init; }
}

/// <summary>
/// Builds one consolidated workbook: reads the latest receipts of the org's villages, compares their watermark with the
/// stored workbook's (skip when equal), builds and stores the workbook on the condition that the blob is still the
/// version read before building. A township or district workbook reads its villages' values (a district's roll-up is
/// stored for the city); a city workbook is assembled from its districts' roll-ups (<see cref="CityInputs"/>). No lease:
/// the build is a pure function of its inputs, so two instances building the same workbook at once (a queue message
/// delivered twice) produce the same bytes, and the conditional upload lets only one of them write.
/// </summary>
public sealed class ConsolidationService(
    ReferenceData reference,
    IFieldValueStore values,
    IReportStore reports,
    IRollupStore rollups,
    IReportWorkbookWriter writer,
    ReportingCalendar calendar,
    BurdenService burden,
    PipelineMetrics metrics,
    TimeProvider time,
    ILogger<ConsolidationService> logger)
{
    /// <summary>One workbook on its own (the admin build route): the same path a queue unit takes, for one template.</summary>
    public async Task<BuildResult> BuildAsync(ReportTemplate template, string orgCode, Period period, bool force, CancellationToken cancellationToken)
    {
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var villages = orgs.Villages(orgCode).Select(v => v.Code).ToList();
        var root = orgs.Get(orgCode);
        var inputs = await ReadInputsAsync([template], period, orgs, villages, withBurden: root.Level == OrgLevel.City, cancellationToken);
        var city = root.Level == OrgLevel.City ? new CityInputs(this, orgs, root, period, inputs, [template], logger, cancellationToken) : null;
        return await BuildAsync(template, orgs, orgCode, period, villages, inputs, force, valueCache: null, city, stored: null, cancellationToken);
    }

    /// <summary>
    /// The watermark a build of this workbook would have now (the one rule the builder skips by, and the one the reports
    /// list compares with a stored workbook's to say a rebuild is pending).
    /// </summary>
    public async Task<string> CurrentWatermarkAsync(ReportTemplate template, string orgCode, Period period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        return (await CurrentWatermarksAsync([template], orgCode, period, cancellationToken))[template.Id];
    }

    /// <summary>The same for several templates of one org, from one read of the receipts and review states.</summary>
    public async Task<IReadOnlyDictionary<string, string>> CurrentWatermarksAsync(IReadOnlyList<ReportTemplate> templates, string orgCode, Period period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(templates);
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var villages = orgs.Villages(orgCode).Select(v => v.Code).ToList();
        var inputs = await ReadInputsAsync(templates, period, orgs, villages, withBurden: false, cancellationToken);
        return templates.ToDictionary(t => t.Id, t => Watermark(t, period, orgCode, villages, inputs), StringComparer.Ordinal);
    }

    /// <summary>
    /// The periods whose receipts decide whether a workbook's inputs changed: the template's source periods (期末数), the
    /// period itself (who reported), and the previous period's source periods (the 数据质量 sheet's change rule reads them).
    /// </summary>
    public IEnumerable<Period> WatermarkPeriods(ReportTemplate template, Period period)
    {
        var catalog = reference.CatalogFor(period).Catalog;
        var periods = SourcePeriods.For(template, catalog, period).Values.Append(period);
        return (period.Previous() is { IsSupported: true } previous ? periods.Concat(SourcePeriods.For(template, catalog, previous).Values) : periods).Distinct();
    }

    /// <summary>
    /// What every workbook of a unit shares, read once: the latest receipts per village of every watermark period of the
    /// templates (and of the 减负 counts' periods when <paramref name="withBurden"/>), and the period's review states.
    /// </summary>
    internal async Task<UnitInputs> ReadInputsAsync(
        IEnumerable<ReportTemplate> templates, Period period, OrgRegistry orgs, IReadOnlyCollection<string> villages, bool withBurden, CancellationToken cancellationToken)
    {
        var periods = templates.SelectMany(t => WatermarkPeriods(t, period));
        if (withBurden)
        {
            periods = periods.Concat(burden.SourcePeriodsOf(period));
        }

        // The period's own rows hold the villages' receipts and the review states of the villages and of every office
        // above them (the workbooks show both, 审核状态): one read of them.
        var offices = villages.SelectMany(v => orgs.Ancestors(v)).Select(o => o.Code).Distinct(StringComparer.Ordinal);
        var own = await values.ReadLatestRowsAsync(period, [.. villages, .. offices], cancellationToken);
        var receipts = new Dictionary<Period, IReadOnlyDictionary<string, MergeReceipt>> { [period] = VillagesOnly(own.Receipts, villages) };
        foreach (var source in periods.Distinct().Where(p => p != period))
        {
            receipts[source] = await ReadReceiptsAsync(source, villages, cancellationToken);
        }

        return new UnitInputs(orgs, receipts, own.ReviewStates);
    }

    /// <summary>The inputs' fingerprint: each village's latest receipt over the watermark periods, hashed with the template.</summary>
    internal string Watermark(ReportTemplate template, Period period, string orgCode, IReadOnlyList<string> villages, UnitInputs inputs)
        => WatermarkOf(template, period, orgCode, villages, inputs).ToString();

    /// <remarks>The review states of the subtree are inputs too: the workbooks show them (审核状态).</remarks>
    internal InputWatermark WatermarkOf(ReportTemplate template, Period period, string orgCode, IReadOnlyList<string> villages, UnitInputs inputs)
        => ConsolidationBuilder.ComputeWatermark(template, reference.CatalogFor(period).Catalog.Version, inputs.Orgs.Subtree(orgCode, includeSelf: true),
            LatestOver(WatermarkPeriods(template, period), villages, inputs.Receipts), inputs.Approvals);

    /// <summary>The watermark of a subtree's 减负 counts: the receipts of the periods they read.</summary>
    internal string BurdenWatermark(Period period, IReadOnlyList<string> villages, UnitInputs inputs)
        => ConsolidationBuilder.ComputeWatermark(
            "burden|" + string.Join(",", reference.CatalogFor(period).Templates.Where(t => t.PeriodKind == period.Kind).Select(t => t.Id)),
            reference.CatalogFor(period).Catalog.Version,
            villages,
            LatestOver(burden.SourcePeriodsOf(period), villages, inputs.Receipts)).ToString();

    /// <summary>
    /// A village's latest receipt over some periods: any new receipt is later than every earlier one, so the latest changes
    /// whenever any input changes.
    /// </summary>
    private static Dictionary<string, MergeReceipt> LatestOver(IEnumerable<Period> periods, IReadOnlyList<string> villages, IReadOnlyDictionary<Period, IReadOnlyDictionary<string, MergeReceipt>> receipts)
    {
        var latest = new Dictionary<string, MergeReceipt>(StringComparer.Ordinal);
        foreach (var source in periods)
        {
            foreach (var village in villages)
            {
                if (receipts[source].TryGetValue(village, out var r) && (!latest.TryGetValue(village, out var seen) || r.ReceivedAt > seen.ReceivedAt))
                {
                    latest[village] = r;
                }
            }
        }

        return latest;
    }

    /// <summary>
    /// A unit's stored workbooks with their watermarks and ETags: one listing per template (the org codes' common prefix)
    /// instead of a properties read per workbook.
    /// </summary>
    internal async Task<StoredWorkbooks> ListStoredAsync(Period period, IEnumerable<(ReportTemplate Template, Org Org)> jobs, CancellationToken cancellationToken)
    {
        var found = new Dictionary<(string Template, string Org), StoredReport>();
        var byTemplate = jobs.GroupBy(j => j.Template.Id, j => j.Org.Code, StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(byTemplate, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (group, ct) =>
        {
            var wanted = group.ToHashSet(StringComparer.Ordinal);
            await foreach (var stored in reports.ListAsync(period, group.Key, CommonPrefix(wanted), ct))
            {
                if (wanted.Contains(stored.OrgCode))
                {
                    lock (found)
                    {
                        found[(group.Key, stored.OrgCode)] = stored;
                    }
                }
            }
        });
        return new StoredWorkbooks(found);
    }

    private static string CommonPrefix(IReadOnlyCollection<string> codes)
    {
        var prefix = codes.First();
        foreach (var code in codes)
        {
            var same = 0;
            while (same < prefix.Length && same < code.Length && prefix[same] == code[same])
            {
                same++;
            }

            prefix = prefix[..same];
        }

        return prefix;
    }

    /// <summary>A unit's entry: receipts are read once per period by the caller and shared by every workbook.</summary>
    /// <param name="stored">The unit's listing of its stored workbooks; null: read this workbook's properties.</param>
    internal async Task<BuildResult> BuildAsync(
        ReportTemplate template,
        OrgRegistry orgs,
        string orgCode,
        Period period,
        IReadOnlyList<string> villages,
        UnitInputs inputs,
        bool force,
        DistrictValueCache? valueCache,
        CityInputs? city,
        StoredWorkbooks? stored,
        CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object?>
        {
            ["Template"] = template.Id,
            ["Org"] = orgCode,
            ["Period"] = period.ToString(),
        });
        var started = Stopwatch.GetTimestamp();
        var mark = WatermarkOf(template, period, orgCode, villages, inputs);
        var watermark = mark.ToString();
        try
        {
            // The ETag read here (or listed by the unit) is the condition of the upload below.
            var existing = stored is not null ? stored.Find(template.Id, orgCode) : await reports.GetPropertiesAsync(period, template.Id, orgCode, cancellationToken);
            if (!force && existing?.InputWatermark == watermark)
            {
                metrics.WorkbooksSkipped.Add(1);
                return Result(BuildOutcome.Skipped, 0);
            }

            var now = time.GetUtcNow();
            var composing = Stopwatch.GetTimestamp();
            double storeMs = 0;
            ConsolidatedReport report;
            if (city is not null)
            {
                report = await city.ComposeAsync(template, now, mark, cancellationToken);
            }
            else
            {
                report = await ComposeAsync(template, orgs, orgCode, period, villages, inputs, valueCache, mark, now, cancellationToken);
                if (report.Org.Level == OrgLevel.District && report.Rollup is { } rollup)
                {
                    // Stored before the workbook: a district workbook whose watermark is current has its roll-up beside it.
                    var saving = Stopwatch.GetTimestamp();
                    await rollups.SaveAsync(period, rollup, cancellationToken);
                    storeMs += Stopwatch.GetElapsedTime(saving).TotalMilliseconds;
                }
            }

            var writing = Stopwatch.GetTimestamp();
            var composeMs = Stopwatch.GetElapsedTime(composing, writing).TotalMilliseconds - storeMs;
            var workbook = writer.Write(report);
            var uploading = Stopwatch.GetTimestamp();
            var writeMs = Stopwatch.GetElapsedTime(writing, uploading).TotalMilliseconds;
            var saved = await reports.TrySaveAsync(new StoredReport(template.Id, orgCode, period, now, workbook.Length, watermark), workbook, existing?.ETag, cancellationToken);
            storeMs += Stopwatch.GetElapsedTime(uploading).TotalMilliseconds;
            if (!saved)
            {
                logger.LogInformation("Not stored {Template} for {Org} {Period}: another instance stored it first", template.Id, orgCode, period.ToString());
                return Result(BuildOutcome.Busy, 0);
            }

            metrics.WorkbooksBuilt.Add(1, new KeyValuePair<string, object?>("template", template.Id), new("level", report.Org.Level.ToString()));
            var result = Result(BuildOutcome.Built, workbook.Length, report.ExpectedUnits, report.ExpectedUnits - report.MissingUnits) with
            {
                ComposeMs = Math.Round(composeMs, 1),
                WriteMs = Math.Round(writeMs, 1),
                StoreMs = Math.Round(storeMs, 1),
            };
            logger.LogInformation(
                "Built {Template} for {Org} {Period}: {Reported}/{Expected} reported, {Bytes} bytes in {DurationMs} ms",
                template.Id, orgCode, period.ToString(), result.Reported, result.Expected, workbook.Length, result.DurationMs);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One place logs and counts every failure (watermark lookup, read, build, write), so the alert sees them all.
            metrics.ConsolidationFailures.Add(1, new KeyValuePair<string, object?>("template", template.Id));
            logger.LogError(ex, "Failed to build {Template} for {Org} {Period}", template.Id, orgCode, period.ToString());
            throw;
        }

        BuildResult Result(BuildOutcome outcome, long bytes, int expected = 0, int reported = 0) => new(
            outcome, template.Id, orgCode, period.ToString(), expected == 0 ? villages.Count : expected, reported, bytes, watermark,
            Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1));
    }

    /// <summary>
    /// The villages' values a template reads for a period, each field from its source period (期末数), by village. With a
    /// district's shared read, combined once per template and period for all the district's villages and shared by its
    /// township and district workbooks (each looks up its own villages), so a unit does not redo it per workbook.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, OrgValues>> TemplateValuesAsync(
        ReportTemplate template, Period period, IReadOnlyList<string> villages, DistrictValueCache? valueCache, CancellationToken cancellationToken)
        => valueCache is { Villages.Count: > 0 }
            ? await valueCache.CombinedAsync(template.Id, period, ct => CombineAsync(template, period, valueCache.Villages, valueCache, ct), cancellationToken)
            : await CombineAsync(template, period, villages, valueCache, cancellationToken);

    private async Task<IReadOnlyDictionary<string, OrgValues>> CombineAsync(
        ReportTemplate template, Period period, IReadOnlyList<string> villages, DistrictValueCache? valueCache, CancellationToken cancellationToken)
    {
        var catalog = (await reference.CatalogForAsync(period, cancellationToken)).Catalog;
        var sources = SourcePeriods.For(template, catalog, period);
        var fields = template.FieldIds();
        var read = new Dictionary<string, Dictionary<Period, OrgValues>>(StringComparer.Ordinal);
        foreach (var source in sources.Values.Distinct())
        {
            var found = valueCache is null
                ? await ReadAsync(source, villages, fields, cancellationToken)
                : await valueCache.GetAsync(source, villages, cancellationToken);
            foreach (var orgValues in found)
            {
                (read.TryGetValue(orgValues.OrgCode, out var d) ? d : read[orgValues.OrgCode] = [])[source] = orgValues;
            }
        }

        return read.ToDictionary(kv => kv.Key, kv => SourcePeriods.Combine(kv.Key, period, catalog, kv.Value, sources, fields), StringComparer.Ordinal);
    }

    /// <summary>
    /// The report of a township or district from its villages' values (the district's shared read when given), with its
    /// 数据质量 flags, and the roll-up one level up needs. The city's stale roll-ups are rebuilt by the same code.
    /// </summary>
    internal async Task<ConsolidatedReport> ComposeAsync(
        ReportTemplate template,
        OrgRegistry orgs,
        string orgCode,
        Period period,
        IReadOnlyList<string> villages,
        UnitInputs inputs,
        DistrictValueCache? valueCache,
        InputWatermark watermark,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var catalog = (await reference.CatalogForAsync(period, cancellationToken)).Catalog;
        var valuesByOrg = await TemplateValuesAsync(template, period, villages, valueCache, cancellationToken);

        var dataAsOf = DataAsOf(template, period, villages, inputs);
        // Reported / late / missing is judged on the workbook's own period only, by the calendar /status uses; the report
        // carries the watermark the skip compared.
        var report = ConsolidationBuilder.Build(
            template, catalog, orgs, orgCode, period, valuesByOrg, inputs.Receipts[period], inputs.Approvals, calendar, watermark, now, dataAsOf);
        // The change rule compares like with like: the previous period's values taken the way this period's are (a
        // quarterly report's monthly fields from the previous quarter's last month, not from the quarter's own partition).
        var previousPeriod = period.Previous();
        var previous = previousPeriod.IsSupported
            ? await TemplateValuesAsync(template, previousPeriod, villages, valueCache, cancellationToken)
            : new Dictionary<string, OrgValues>(StringComparer.Ordinal);
        var quality = Domain.Quality.QualityInspector.Inspect(catalog, template.FieldIds(), orgs.Subtree(orgCode, includeSelf: true), valuesByOrg, previous);
        return report with { Quality = quality, Rollup = report.Rollup is { } r ? r with { Quality = quality } : null };
    }

    /// <summary>
    /// A district's 减负 counts for the period, kept in its roll-up: counted again (from the district's shared read) only
    /// when the receipts they were counted from changed.
    /// </summary>
    internal async Task<BurdenRollup> DistrictBurdenAsync(
        Period period, string districtCode, IReadOnlyList<string> villages, UnitInputs inputs,
        DistrictValueCache cache, CancellationToken cancellationToken)
    {
        var watermark = BurdenWatermark(period, villages, inputs);
        var stored = await rollups.GetBurdenAsync(period, districtCode, cancellationToken);
        if (stored?.Watermark == watermark)
        {
            return stored;
        }

        var counts = await burden.CountAsync(period, villages, (source, some, _, ct) => cache.ReadAsync(source, some, ct), cancellationToken);
        var rollup = new BurdenRollup(period.ToString(), districtCode, watermark, counts);
        await rollups.SaveBurdenAsync(period, rollup, cancellationToken);
        return rollup;
    }

    /// <summary>
    /// Reports composed from values and receipts already in memory, with no storage at all: the benchmark's writer-alone
    /// baseline uses this, so that it measures the same assembler the units run.
    /// </summary>
    /// <param name="values">Every village's values (all fields) per period: the source periods, the previous period and, for a city, the 减负 periods.</param>
    /// <param name="receipts">Every village's latest receipt per period (the watermark periods).</param>
    public InMemoryInputs FromMemory(
        OrgRegistry orgs,
        IReadOnlyDictionary<Period, IReadOnlyDictionary<string, OrgValues>> values,
        IReadOnlyDictionary<Period, IReadOnlyDictionary<string, MergeReceipt>> receipts,
        IReadOnlyDictionary<string, ApprovalRecord> approvals)
        => new(this, DistrictValueCache.FromMemory(this, values), new UnitInputs(orgs, receipts, approvals));

    /// <summary>See <see cref="FromMemory"/>.</summary>
    public sealed class InMemoryInputs
    {
        private readonly ConsolidationService _service;
        private readonly DistrictValueCache _cache;
        private readonly UnitInputs _inputs;

        internal InMemoryInputs(ConsolidationService service, DistrictValueCache cache, UnitInputs inputs)
            => (_service, _cache, _inputs) = (service, cache, inputs);

        public async Task<ConsolidatedReport> ComposeAsync(ReportTemplate template, string orgCode, Period period, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var orgs = _inputs.Orgs;
            var villages = orgs.Villages(orgCode).Select(v => v.Code).ToList();
            var watermark = _service.WatermarkOf(template, period, orgCode, villages, _inputs);
            var report = await _service.ComposeAsync(template, orgs, orgCode, period, villages, _inputs, _cache, watermark, now, cancellationToken);
            if (report.Org.Level != OrgLevel.City)
            {
                return report;
            }

            var counts = await _service.Burden.CountAsync(period, villages, (source, some, _, ct) => _cache.ReadAsync(source, some, ct), cancellationToken);
            return report with { Burden = _service.Burden.Figures(orgCode, period, counts) };
        }
    }

    internal Task<OrgRollup?> StoredRollupAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken)
        => rollups.GetAsync(period, templateId, orgCode, cancellationToken);

    internal Task SaveRollupAsync(Period period, OrgRollup rollup, CancellationToken cancellationToken)
        => rollups.SaveAsync(period, rollup, cancellationToken);

    internal BurdenFigures BurdenFigures(string orgCode, Period period, BurdenCounts counts) => burden.Figures(orgCode, period, counts);

    /// <summary>What a workbook shows as its data's time: the latest receipt over the periods it reads.</summary>
    internal DateTimeOffset? DataAsOf(ReportTemplate template, Period period, IReadOnlyList<string> villages, UnitInputs inputs)
        => LatestOver(SourcePeriods.For(template, reference.CatalogFor(period).Catalog, period).Values.Distinct(), villages, inputs.Receipts).Values
            .Select(r => (DateTimeOffset?)r.ReceivedAt).DefaultIfEmpty(null).Max();

    internal ReportingCalendar Calendar => calendar;

    private BurdenService Burden => burden;

    internal Domain.Catalog.FieldCatalog CatalogFor(Period period) => reference.CatalogFor(period).Catalog;

    internal async Task<IReadOnlyList<OrgValues>> ReadAsync(Period period, IReadOnlyCollection<string> villages, IReadOnlyCollection<string>? fieldIds, CancellationToken cancellationToken)
    {
        var found = new List<OrgValues>();
        var read = fieldIds is null ? values.ReadManyAsync(period, villages, cancellationToken) : values.ReadManyAsync(period, villages, fieldIds, cancellationToken);
        await foreach (var orgValues in read)
        {
            found.Add(orgValues);
        }

        return found;
    }

    private static IReadOnlyDictionary<string, MergeReceipt> VillagesOnly(IReadOnlyDictionary<string, MergeReceipt> receipts, IReadOnlyCollection<string> villages)
    {
        var wanted = villages as IReadOnlySet<string> ?? villages.ToHashSet(StringComparer.Ordinal);
        return receipts.Where(r => wanted.Contains(r.Key)).ToDictionary(StringComparer.Ordinal);
    }

    internal async Task<IReadOnlyDictionary<string, MergeReceipt>> ReadReceiptsAsync(Period period, IReadOnlyCollection<string> villages, CancellationToken cancellationToken)
    {
        var receipts = new Dictionary<string, MergeReceipt>(StringComparer.Ordinal);
        await foreach (var receipt in values.ReadLatestReceiptsAsync(period, villages, cancellationToken))
        {
            receipts[receipt.OrgCode] = receipt;
        }

        return receipts;
    }

}

/// <summary>
/// One district's village values per source period, read once and shared by every township and district workbook of a
/// scheduled run (36 templates would otherwise read the same partition 36 times). The scheduler keeps one cache per
/// district and drops it when the district's workbooks are done, so memory stays at one district's values.
/// </summary>
/// <remarks>Reads use the run's token, not a single job's, so one cancelled job cannot fail the district's shared read.</remarks>
internal sealed class DistrictValueCache(ConsolidationService service, IReadOnlyList<string> districtVillages, CancellationToken runCancellation)
{
    private readonly Dictionary<Period, Lazy<Task<IReadOnlyDictionary<string, OrgValues>>>> _byPeriod = [];
    private readonly Dictionary<(string Template, Period Period), Lazy<Task<IReadOnlyDictionary<string, OrgValues>>>> _combined = [];

    /// <summary>The villages whose values the cache reads.</summary>
    public IReadOnlyList<string> Villages => districtVillages;

    /// <summary>A cache already holding every period it will be asked for (a period not given reads as no values).</summary>
    public static DistrictValueCache FromMemory(ConsolidationService service, IReadOnlyDictionary<Period, IReadOnlyDictionary<string, OrgValues>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        // No villages of its own: it may hold a whole city, so each workbook combines only its own villages.
        var cache = new DistrictValueCache(service, [], CancellationToken.None);
        foreach (var (period, byOrg) in values)
        {
            cache._byPeriod[period] = new(Task.FromResult(byOrg));
        }

        return cache;
    }

    public async Task<IReadOnlyList<OrgValues>> GetAsync(Period period, IReadOnlyList<string> villages, CancellationToken cancellationToken)
    {
        Lazy<Task<IReadOnlyDictionary<string, OrgValues>>> entry;
        lock (_byPeriod)
        {
            if (!_byPeriod.TryGetValue(period, out entry!))
            {
                entry = new(async () => (IReadOnlyDictionary<string, OrgValues>)(await service.ReadAsync(period, districtVillages, fieldIds: null, runCancellation)).ToDictionary(v => v.OrgCode, StringComparer.Ordinal));
                _byPeriod[period] = entry;
            }
        }

        IReadOnlyDictionary<string, OrgValues> all;
        try
        {
            all = await entry.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (entry.Value.IsFaulted)
        {
            // A failed read is not kept: the next workbook of the district reads again instead of failing with it.
            lock (_byPeriod)
            {
                if (_byPeriod.TryGetValue(period, out var current) && ReferenceEquals(current, entry))
                {
                    _byPeriod.Remove(period);
                }
            }

            throw;
        }

        return [.. villages.Where(all.ContainsKey).Select(v => all[v])];
    }

    /// <summary>
    /// A template's values for a period over all the cache's villages, combined once (<paramref name="combine"/>, run with
    /// the run's token) and shared by every workbook of the unit; a failed combination is not kept.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, OrgValues>> CombinedAsync(
        string templateId, Period period, Func<CancellationToken, Task<IReadOnlyDictionary<string, OrgValues>>> combine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(combine);
        Lazy<Task<IReadOnlyDictionary<string, OrgValues>>> entry;
        lock (_combined)
        {
            if (!_combined.TryGetValue((templateId, period), out entry!))
            {
                entry = new(() => combine(runCancellation));
                _combined[(templateId, period)] = entry;
            }
        }

        try
        {
            return await entry.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (entry.Value.IsFaulted)
        {
            lock (_combined)
            {
                if (_combined.TryGetValue((templateId, period), out var current) && ReferenceEquals(current, entry))
                {
                    _combined.Remove((templateId, period));
                }
            }

            throw;
        }
    }

    /// <summary>The same read as an async stream, for the 减负 counts (they take what they need of every field).</summary>
    public async IAsyncEnumerable<OrgValues> ReadAsync(Period period, IReadOnlyCollection<string> villages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var found in await GetAsync(period, [.. villages], cancellationToken))
        {
            yield return found;
        }
    }
}

/// <summary>A unit's stored workbooks by (template, org), as listed when the unit began; a workbook not listed is absent.</summary>
internal sealed class StoredWorkbooks(IReadOnlyDictionary<(string Template, string Org), StoredReport> found)
{
    public int Count => found.Count;

    public StoredReport? Find(string templateId, string orgCode) => found.GetValueOrDefault((templateId, orgCode));
}

/// <summary>
/// What every workbook of a unit shares, read once: the registry, each village's latest receipt per period read, and the
/// period's review states.
/// </summary>
internal sealed record UnitInputs(
    OrgRegistry Orgs,
    IReadOnlyDictionary<Period, IReadOnlyDictionary<string, MergeReceipt>> Receipts,
    IReadOnlyDictionary<string, ApprovalRecord> Approvals);
