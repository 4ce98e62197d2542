using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Hosting;

namespace ReportPipeline.Functions.Functions;

/// <summary>
/// Builds one consolidation unit from the <c>consolidation</c> queue. The Functions host scales this out across
/// instances; a failure propagates so the message is retried, and after host.json's <c>maxDequeueCount</c> (5) it moves to
/// <c>consolidation-poison</c>. A unit delivered twice changes nothing (watermarks and conditional uploads).
/// </summary>
public sealed class BuildConsolidationUnit(ConsolidationUnitHandler handler)
{
    [Function(nameof(BuildConsolidationUnit))]
    public Task Run(
        [QueueTrigger(TriggerBindings.ConsolidationQueue, Connection = TriggerBindings.StorageConnection)] string message,
        CancellationToken cancellationToken)
        => handler.HandleAsync(message, cancellationToken);
}
