using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Reference;
using ReportPipeline.Application.Telemetry;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Consolidation;

/// <summary>One unit of consolidation work: a template for an upper-level org and a period.</summary>
public sealed record ConsolidationJob(string Template, string Org, Period Period);

/// <summary>
/// Builds every workbook whose inputs changed. Periods considered: for each template, the period now running and the one
/// before (villages report after a period ends). Because the decision is a watermark comparison, a missed run is caught up
/// by the next one, and a retried run rebuilds nothing.
/// </summary>
public sealed class ScheduledConsolidation(
    ReferenceData reference,
    ConsolidationService consolidation,
    ReportingCalendar calendar,
    PipelineMetrics metrics,
    TimeProvider time,
    ILogger<ScheduledConsolidation> logger) : IScheduledConsolidation
{
    public async Task RunAsync(bool isPastDue, CancellationToken cancellationToken)
    {
        if (isPastDue)
        {
            logger.LogWarning("Consolidation timer is past due; catching up");
        }

        var periods = CurrentPeriods(time.GetUtcNow());
        var summary = await RunAsync(periods, force: false, progress: null, cancellationToken);
        logger.LogInformation(
            "Consolidation run: {Built} built, {Skipped} unchanged, {Busy} busy, {Failed} failed in {DurationMs} ms",
            summary.Built, summary.Skipped, summary.Busy, summary.Failed, summary.DurationMs);
    }

    public sealed record RunSummary(int Built, int Skipped, int Busy, int Failed, double DurationMs, IReadOnlyList<BuildResult> Results);

    /// <summary>Every (template, upper-level org) job for the given periods, in a stable order.</summary>
    public async Task<IReadOnlyList<ConsolidationJob>> PlanAsync(IEnumerable<Period> periods, CancellationToken cancellationToken)
    {
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var jobs = new List<ConsolidationJob>();
        foreach (var period in periods)
        {
            foreach (var template in reference.Catalog.Templates.Where(t => t.PeriodKind == period.Kind))
            {
                foreach (var org in orgs.All.Where(o => o.Level != OrgLevel.Village && template.AudienceLevels.Contains(o.Level)).OrderBy(o => o.Code, StringComparer.Ordinal))
                {
                    jobs.Add(new ConsolidationJob(template.Id, org.Code, period));
                }
            }
        }

        return jobs;
    }

    public async Task<RunSummary> RunAsync(IReadOnlyCollection<Period> periods, bool force, IProgress<BuildResult>? progress, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var jobs = await PlanAsync(periods, cancellationToken);
        var results = new List<BuildResult>();
        var failed = 0;

        // Receipts are read once per source period for the whole registry and shared by every workbook of the run.
        var allVillages = orgs.All.Where(o => o.Level == OrgLevel.Village).Select(o => o.Code).ToList();
        var receipts = new Dictionary<Period, IReadOnlyDictionary<string, MergeReceipt>>();
        foreach (var source in jobs.SelectMany(j => SourcePeriods.For(reference.Catalog.FindTemplate(j.Template)!, reference.Catalog.Catalog, j.Period).Values).Distinct())
        {
            receipts[source] = await consolidation.ReadReceiptsAsync(source, allVillages, cancellationToken);
        }

        var built = new Dictionary<Period, IReadOnlyDictionary<string, string?>>();
        if (!force)
        {
            foreach (var period in jobs.Select(j => j.Period).Distinct())
            {
                built[period] = await consolidation.ListBuiltAsync(period, cancellationToken);
            }
        }

        // Workbooks are independent (each has its own lease and blob), and a build waits on storage as much as it computes,
        // so a few run at once. Township and district workbooks go district by district, sharing that district's values
        // (memory holds one district at a time); city workbooks come last and read their template's fields themselves.
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount * 2), CancellationToken = cancellationToken };
        var byDistrict = jobs.Where(j => orgs.Get(j.Org).Level != OrgLevel.City).GroupBy(j => DistrictOf(orgs, j.Org));
        foreach (var district in byDistrict)
        {
            var cache = new DistrictValueCache(consolidation, [.. orgs.Villages(district.Key).Select(v => v.Code)], cancellationToken);
            await Parallel.ForEachAsync(district, options, (job, ct) => BuildOneAsync(job, cache, ct));
        }

        // A city workbook reads every district (its template's fields only); two at a time bounds the memory.
        var cityOptions = new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(jobs.Where(j => orgs.Get(j.Org).Level == OrgLevel.City), cityOptions, (job, ct) => BuildOneAsync(job, null, ct));

        async ValueTask BuildOneAsync(ConsolidationJob job, DistrictValueCache? cache, CancellationToken ct)
        {
            var template = reference.Catalog.FindTemplate(job.Template)!;
            try
            {
                var villages = orgs.Villages(job.Org).Select(v => v.Code).ToList();
                var result = await consolidation.BuildAsync(template, orgs, job.Org, job.Period, villages, receipts, force, cache, built.GetValueOrDefault(job.Period), ct);
                lock (results)
                {
                    results.Add(result);
                    progress?.Report(result);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One broken workbook must not stop the others; the service has logged it and counted the failure.
                Interlocked.Increment(ref failed);
            }
        }

        var duration = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        metrics.ConsolidationDuration.Record(duration);
        return new RunSummary(
            results.Count(r => r.Outcome == BuildOutcome.Built),
            results.Count(r => r.Outcome == BuildOutcome.Skipped),
            results.Count(r => r.Outcome == BuildOutcome.Busy),
            failed,
            Math.Round(duration, 1),
            results);
    }

    private static string DistrictOf(OrgRegistry orgs, string code) =>
        orgs.Get(code).Level == OrgLevel.District ? code : orgs.Ancestors(code).First(a => a.Level == OrgLevel.District).Code;

    /// <summary>For each period kind: the period containing <paramref name="now"/> (in the configured time zone) and the previous one.</summary>
    public IReadOnlyList<Period> CurrentPeriods(DateTimeOffset now)
    {
        var today = calendar.Today(now);
        var kinds = reference.Catalog.Templates.Select(t => t.PeriodKind).Distinct();
        var periods = new List<Period>();
        foreach (var kind in kinds)
        {
            var current = kind switch
            {
                PeriodKind.Month => Period.Month(today.Year, today.Month),
                PeriodKind.Quarter => Period.Quarter(today.Year, (today.Month + 2) / 3),
                _ => Period.OfYear(today.Year),
            };
            periods.Add(current.Previous());
            periods.Add(current);
        }

        return periods;
    }
}
