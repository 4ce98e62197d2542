using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Consolidation;

namespace ReportPipeline.Application.Reference;

/// <summary>
/// Loads at host start what the first requests would otherwise all wait for at once: the org registry, the newest
/// catalog version and the versions in force for the current periods (those the timer consolidates). Both hosts run it
/// (registered by the composition root); the local host's verbs that never start the host call <see cref="WarmAsync"/>.
/// A failure only delays the load to the first request, which loads for itself (<see cref="ReferenceData.LoadSharedAsync"/>).
/// </summary>
public sealed class ReferenceWarmUp(ReferenceData reference, ScheduledConsolidation schedule, TimeProvider time, ILogger<ReferenceWarmUp> logger) : IHostedService
{
    public async Task WarmAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            await reference.LoadSharedAsync(cancellationToken).ConfigureAwait(false);
            var periods = schedule.CurrentPeriods(time.GetUtcNow());
            await Task.WhenAll(periods.Select(p => reference.CatalogForAsync(p, cancellationToken))).ConfigureAwait(false);
            logger.LogInformation("Reference data loaded at start: org registry, newest catalog and {PeriodCount} current periods in {ElapsedMs} ms",
                periods.Count, time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Could not load the reference data at start; the first requests will load it");
        }
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => WarmAsync(cancellationToken);

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
