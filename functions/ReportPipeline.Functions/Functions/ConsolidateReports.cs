using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;

namespace ReportPipeline.Functions.Functions;

/// <summary>The consolidation timer: plans and enqueues units for <see cref="BuildConsolidationUnit"/>; the schedule is the app setting <c>ConsolidationSchedule</c>.</summary>
public sealed class ConsolidateReports(IScheduledConsolidation consolidation)
{
    [Function(nameof(ConsolidateReports))]
    public Task Run(
        [TimerTrigger(TriggerBindings.ConsolidationSchedule)] TimerInfo timer,
        CancellationToken cancellationToken)
        => consolidation.RunAsync(timer.IsPastDue, cancellationToken);
}
