using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Reference;
using ReportPipeline.Application.Telemetry;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Application.Consolidation;

/// <summary>One workbook: a template for an upper-level org and a period.</summary>
public sealed record ConsolidationJob(string Template, string Org, Period Period);

/// <summary>
/// The timer's work: plans the periods now running and the ones before (villages report after a period ends) as queue
/// units and enqueues them; the queue builders skip every workbook whose watermark is unchanged, so a missed run is
/// caught up by the next one and a retried run rebuilds nothing. <see cref="RunAsync(IReadOnlyCollection{Period}, bool, IProgress{BuildResult}?, CancellationToken)"/>
/// builds the same units in this process through the same handler (CLI, demo, benchmark).
/// </summary>
public sealed class ScheduledConsolidation(
    ReferenceData reference,
    ConsolidationPlanner planner,
    ConsolidationUnitHandler handler,
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

        // The periods follow the newest catalog's templates, loaded (or refreshed) before CurrentPeriods reads them.
        await reference.CatalogForAsync(null, cancellationToken);
        var units = await planner.EnqueueAsync(CurrentPeriods(time.GetUtcNow()), force: false, cancellationToken);
        logger.LogInformation("Consolidation timer enqueued {UnitCount} units", units.Count);
    }

    public sealed record RunSummary(int Built, int Skipped, int Busy, int Failed, double DurationMs, IReadOnlyList<BuildResult> Results);

    /// <summary>Every (template, upper-level org) workbook for the given periods, in a stable order.</summary>
    public async Task<IReadOnlyList<ConsolidationJob>> PlanAsync(IEnumerable<Period> periods, CancellationToken cancellationToken)
    {
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var jobs = new List<ConsolidationJob>();
        foreach (var period in periods)
        {
            foreach (var template in (await reference.CatalogForAsync(period, cancellationToken)).Templates.Where(t => t.PeriodKind == period.Kind))
            {
                foreach (var org in orgs.All.Where(o => o.Level != OrgLevel.Village && template.IsFor(o.Level, period.Kind)).OrderBy(o => o.Code, StringComparer.Ordinal))
                {
                    jobs.Add(new ConsolidationJob(template.Id, org.Code, period));
                }
            }
        }

        return jobs;
    }

    /// <summary>
    /// Builds the planned units here, <paramref name="parallelUnits"/> at a time, through the queue builders' handler: every
    /// district unit first, then the city units, which so find the districts' roll-ups of this run.
    /// </summary>
    public async Task<RunSummary> RunAsync(IReadOnlyCollection<Period> periods, bool force, IProgress<BuildResult>? progress, CancellationToken cancellationToken, int parallelUnits = 1)
    {
        var started = Stopwatch.GetTimestamp();
        var units = await planner.PlanAsync(periods, force, cancellationToken);
        var results = new List<BuildResult>();
        var failed = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelUnits), CancellationToken = cancellationToken };
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        foreach (var phase in units.GroupBy(u => orgs.Get(u.Org).Level == OrgLevel.City).OrderBy(g => g.Key))
        {
            await BuildPhaseAsync(phase);
        }

        async Task BuildPhaseAsync(IEnumerable<ConsolidationUnit> phase) => await Parallel.ForEachAsync(phase, options, async (unit, ct) =>
        {
            try
            {
                var done = await handler.HandleAsync(unit, fromQueue: false, ct);
                lock (results)
                {
                    foreach (var result in done.Results)
                    {
                        results.Add(result);
                        progress?.Report(result);
                    }
                }
            }
            catch (AggregateException ex)
            {
                // One broken workbook must not stop the others; the service has logged it and counted the failure.
                Interlocked.Add(ref failed, ex.InnerExceptions.Count);
            }
        });

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
