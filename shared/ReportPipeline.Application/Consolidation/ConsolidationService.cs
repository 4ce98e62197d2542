using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Reference;
using ReportPipeline.Application.Telemetry;
using ReportPipeline.Domain.Consolidation;
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
    double DurationMs);

/// <summary>
/// Builds one consolidated workbook: reads the latest receipts of the org's villages, compares their watermark with the
/// stored workbook's (skip when equal), reads the values, builds and stores the workbook on the condition that the blob
/// is still the version read before building. No lease: the build is a pure function of its inputs, so two instances
/// building the same workbook at once (a queue message delivered twice) produce the same bytes, and the conditional
/// upload lets only one of them write.
/// </summary>
public sealed class ConsolidationService(
    ReferenceData reference,
    IFieldValueStore values,
    IReportStore reports,
    IReportWorkbookWriter writer,
    ReportingCalendar calendar,
    BurdenService burden,
    PipelineMetrics metrics,
    TimeProvider time,
    ILogger<ConsolidationService> logger)
{
    public async Task<BuildResult> BuildAsync(ReportTemplate template, string orgCode, Period period, bool force, CancellationToken cancellationToken)
    {
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var villages = orgs.Villages(orgCode).Select(v => v.Code).ToList();
        var receipts = await ReadWatermarkReceiptsAsync([template], period, villages, cancellationToken);
        return await BuildAsync(template, orgs, orgCode, period, villages, receipts, force, valueCache: null, builtReports: null, cancellationToken);
    }

    /// <summary>
    /// The watermark a build of this workbook would have now (the one rule the builder skips by, and the one the reports
    /// list compares with a stored workbook's to say a rebuild is pending).
    /// </summary>
    public async Task<string> CurrentWatermarkAsync(ReportTemplate template, string orgCode, Period period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var villages = orgs.Villages(orgCode).Select(v => v.Code).ToList();
        var receipts = await ReadWatermarkReceiptsAsync([template], period, villages, cancellationToken);
        return Watermark(template, period, villages, receipts);
    }

    /// <summary>
    /// The periods whose receipts decide whether a workbook's inputs changed: the template's source periods (期末数), the
    /// period itself (who reported), and the previous period (the 数据质量 sheet's change rule reads it).
    /// </summary>
    internal IEnumerable<Period> WatermarkPeriods(ReportTemplate template, Period period)
    {
        var periods = SourcePeriods.For(template, reference.Catalog.Catalog, period).Values.Append(period);
        return (period.Previous() is { IsSupported: true } previous ? periods.Append(previous) : periods).Distinct();
    }

    /// <summary>The latest receipts per village of every watermark period of the templates, read once per period.</summary>
    internal async Task<Dictionary<Period, IReadOnlyDictionary<string, MergeReceipt>>> ReadWatermarkReceiptsAsync(
        IEnumerable<ReportTemplate> templates, Period period, IReadOnlyCollection<string> villages, CancellationToken cancellationToken)
    {
        var receipts = new Dictionary<Period, IReadOnlyDictionary<string, MergeReceipt>>();
        foreach (var source in templates.SelectMany(t => WatermarkPeriods(t, period)).Distinct())
        {
            receipts[source] = await ReadReceiptsAsync(source, villages, cancellationToken);
        }

        return receipts;
    }

    /// <summary>The inputs' fingerprint: each village's latest receipt over the watermark periods, hashed with the template.</summary>
    internal string Watermark(ReportTemplate template, Period period, IReadOnlyList<string> villages, IReadOnlyDictionary<Period, IReadOnlyDictionary<string, MergeReceipt>> receiptsBySource)
        => ConsolidationBuilder.ComputeWatermark(template, reference.Catalog.Catalog.Version, villages, EmptyValues, LatestOver(WatermarkPeriods(template, period), villages, receiptsBySource)).ToString();

    /// <summary>
    /// A village's latest receipt over some periods: any new receipt is later than every earlier one, so the latest changes
    /// whenever any input changes.
    /// </summary>
    private static Dictionary<string, MergeReceipt> LatestOver(IEnumerable<Period> periods, IReadOnlyList<string> villages, IReadOnlyDictionary<Period, IReadOnlyDictionary<string, MergeReceipt>> receiptsBySource)
    {
        var receipts = new Dictionary<string, MergeReceipt>(StringComparer.Ordinal);
        foreach (var source in periods)
        {
            foreach (var village in villages)
            {
                if (receiptsBySource[source].TryGetValue(village, out var r) && (!receipts.TryGetValue(village, out var seen) || r.ReceivedAt > seen.ReceivedAt))
                {
                    receipts[village] = r;
                }
            }
        }

        return receipts;
    }

    /// <summary>The scheduled run's entry: receipts are read once per period by the caller and shared by every workbook.</summary>
    internal async Task<BuildResult> BuildAsync(
        ReportTemplate template,
        OrgRegistry orgs,
        string orgCode,
        Period period,
        IReadOnlyList<string> villages,
        IReadOnlyDictionary<Period, IReadOnlyDictionary<string, MergeReceipt>> receiptsBySource,
        bool force,
        DistrictValueCache? valueCache,
        IReadOnlyDictionary<string, StoredReport>? builtReports,
        CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object?>
        {
            ["Template"] = template.Id,
            ["Org"] = orgCode,
            ["Period"] = period.ToString(),
        });
        var started = Stopwatch.GetTimestamp();
        var bundle = reference.Catalog;
        var sources = SourcePeriods.For(template, bundle.Catalog, period);

        // What the workbook shows as its data's time and provenance: the latest receipts over the periods it reads.
        var receipts = LatestOver(sources.Values.Distinct(), villages, receiptsBySource);

        // Every change of values comes with a receipt, so the receipts alone tell whether the inputs changed.
        var watermark = Watermark(template, period, villages, receiptsBySource);
        try
        {
            // The scheduled run lists the period's workbooks once (builtReports); a queue unit or a single build asks for
            // its own. Either way the ETag read here is the condition of the upload below.
            var existing = builtReports is not null
                ? builtReports.GetValueOrDefault(BuiltKey(template.Id, orgCode))
                : await reports.GetPropertiesAsync(period, template.Id, orgCode, cancellationToken);
            if (!force && existing?.InputWatermark == watermark)
            {
                metrics.WorkbooksSkipped.Add(1);
                return Result(BuildOutcome.Skipped, 0);
            }

            var read = new Dictionary<string, Dictionary<Period, OrgValues>>(StringComparer.Ordinal);
            foreach (var source in sources.Values.Distinct())
            {
                var found = valueCache is null
                    ? await ReadAsync(source, villages, TemplateFields(template), cancellationToken)
                    : await valueCache.GetAsync(source, villages, cancellationToken);
                foreach (var orgValues in found)
                {
                    (read.TryGetValue(orgValues.OrgCode, out var d) ? d : read[orgValues.OrgCode] = [])[source] = orgValues;
                }
            }

            var valuesByOrg = read.ToDictionary(
                kv => kv.Key,
                kv => SourcePeriods.Combine(kv.Key, period, bundle.Catalog, kv.Value, sources),
                StringComparer.Ordinal);

            var now = time.GetUtcNow();
            var dataAsOf = receipts.Values.Select(r => (DateTimeOffset?)r.ReceivedAt).DefaultIfEmpty(null).Max();
            // Reported / late / missing is judged on the workbook's own period only, by the calendar /status uses.
            var report = ConsolidationBuilder.Build(template, bundle.Catalog, orgs, orgCode, period, valuesByOrg, receipts, now, dataAsOf, calendar, receiptsBySource[period]);
            report = report with { Quality = await Quality.QualityService.ForReportAsync(values, bundle.Catalog, orgs, orgCode, period, TemplateFields(template), valuesByOrg, cancellationToken) };
            if (report.Org.Level == OrgLevel.City)
            {
                // The same figures as GET …/burden: one computation over the same inputs, not this template's columns.
                report = report with { Burden = await burden.ComputeAsync(report.Org, period, cancellationToken) };
            }

            var workbook = writer.Write(report);
            if (!await reports.TrySaveAsync(new StoredReport(template.Id, orgCode, period, now, workbook.Length, watermark), workbook, existing?.ETag, cancellationToken))
            {
                logger.LogInformation("Not stored {Template} for {Org} {Period}: another instance stored it first", template.Id, orgCode, period.ToString());
                return Result(BuildOutcome.Busy, 0);
            }

            metrics.WorkbooksBuilt.Add(1, new KeyValuePair<string, object?>("template", template.Id), new("level", report.Org.Level.ToString()));
            var result = Result(BuildOutcome.Built, workbook.Length, report.ExpectedUnits, report.ExpectedUnits - report.MissingUnits);
            logger.LogInformation(
                "Built {Template} for {Org} {Period}: {Reported}/{Expected} reported, {Bytes} bytes in {DurationMs} ms",
                template.Id, orgCode, period.ToString(), result.Reported, result.Expected, workbook.Length, result.DurationMs);
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One place logs and counts every failure (watermark lookup, lease, read, build, write), so the alert sees them all.
            metrics.ConsolidationFailures.Add(1, new KeyValuePair<string, object?>("template", template.Id));
            logger.LogError(ex, "Failed to build {Template} for {Org} {Period}", template.Id, orgCode, period.ToString());
            throw;
        }

        BuildResult Result(BuildOutcome outcome, long bytes, int expected = 0, int reported = 0) => new(
            outcome, template.Id, orgCode, period.ToString(), expected == 0 ? villages.Count : expected, reported, bytes, watermark,
            Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1));
    }

    internal static string BuiltKey(string templateId, string orgCode) => templateId + "/" + orgCode;

    /// <summary>Every workbook already built for the period (watermark and ETag), keyed by <see cref="BuiltKey"/>.</summary>
    internal async Task<IReadOnlyDictionary<string, StoredReport>> ListBuiltAsync(Period period, CancellationToken cancellationToken)
    {
        var built = new Dictionary<string, StoredReport>(StringComparer.Ordinal);
        await foreach (var report in reports.ListAsync(period, cancellationToken))
        {
            built[BuiltKey(report.TemplateId, report.OrgCode)] = report;
        }

        return built;
    }

    /// <summary>The fields a template's columns need (the district cache reads every field once for all templates instead).</summary>
    private static IReadOnlyCollection<string> TemplateFields(ReportTemplate template) =>
        [.. template.Columns.SelectMany(c => c.FieldId is { } id ? [id] : c.Expression?.FieldIds() ?? []).Distinct(StringComparer.Ordinal)];

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

    internal async Task<IReadOnlyDictionary<string, MergeReceipt>> ReadReceiptsAsync(Period period, IReadOnlyCollection<string> villages, CancellationToken cancellationToken)
    {
        var receipts = new Dictionary<string, MergeReceipt>(StringComparer.Ordinal);
        await foreach (var receipt in values.ReadLatestReceiptsAsync(period, villages, cancellationToken))
        {
            receipts[receipt.OrgCode] = receipt;
        }

        return receipts;
    }

    private static readonly IReadOnlyDictionary<string, OrgValues> EmptyValues = new Dictionary<string, OrgValues>();
}

/// <summary>
/// One district's village values per source period, read once and shared by every township and district workbook of a
/// scheduled run (36 templates would otherwise read the same partition 36 times). The scheduler keeps one cache per
/// district and drops it when the district's workbooks are done, so memory stays at one district's values.
/// </summary>
/// <remarks>Reads use the run's token, not a single job's, so one cancelled job cannot fail the district's shared read.</remarks>
internal sealed class DistrictValueCache(ConsolidationService service, IReadOnlyList<string> districtVillages, CancellationToken runCancellation)
{
    private readonly Dictionary<Period, Lazy<Task<Dictionary<string, OrgValues>>>> _byPeriod = [];

    public async Task<IReadOnlyList<OrgValues>> GetAsync(Period period, IReadOnlyList<string> villages, CancellationToken cancellationToken)
    {
        Lazy<Task<Dictionary<string, OrgValues>>> entry;
        lock (_byPeriod)
        {
            if (!_byPeriod.TryGetValue(period, out entry!))
            {
                entry = new(async () => (await service.ReadAsync(period, districtVillages, fieldIds: null, runCancellation)).ToDictionary(v => v.OrgCode, StringComparer.Ordinal));
                _byPeriod[period] = entry;
            }
        }

        Dictionary<string, OrgValues> all;
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
}
