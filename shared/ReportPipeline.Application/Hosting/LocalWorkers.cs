using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NCrontab;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Options;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Hosting;

/// <summary>
/// The local host's stand-in for the Event Grid blob trigger: lists the <c>submissions</c> container every
/// <c>Pipeline__IngestionPollSeconds</c> and hands each file to the same handler the trigger calls. Handling is
/// idempotent, so a file seen twice (or by two hosts) is merged once.
/// </summary>
public sealed class SubmissionPoller(
    ISubmissionInbox inbox,
    IBlobIngestionHandler handler,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILogger<SubmissionPoller> logger) : BackgroundService
{
    /// <summary>Ingests everything in the container now; returns how many files were handled.</summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        var handled = 0;
        await foreach (var file in inbox.ListAsync(cancellationToken))
        {
            try
            {
                await handler.IngestAsync(file.Name, cancellationToken);
                handled++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One file that keeps failing (storage trouble, a bug) must not hold up the files listed after it; it stays
                // in the container and is tried again on the next pass, as a redelivered event would be.
                logger.LogError(ex, "Ingesting dropped file {BlobName} failed; it stays in the container for the next pass", file.Name);
            }
        }

        return handled;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(options.Value.IngestionPollSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var handled = await DrainAsync(stoppingToken);
                if (handled > 0)
                {
                    logger.LogInformation("Blob poller ingested {FileCount} dropped files", handled);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A storage outage must not stop the host; the files stay in the container for the next pass.
                logger.LogError(ex, "Blob poller pass failed; retrying in {IntervalSeconds} s", interval.TotalSeconds);
            }

            await Task.Delay(interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}

/// <summary>
/// The local host's timer: the same six-field CRON expression (seconds first) and setting name as the Functions timer.
/// A run that starts later than planned is flagged as past due, like <c>TimerInfo.IsPastDue</c>.
/// </summary>
public sealed class ConsolidationTimer(
    IScheduledConsolidation consolidation,
    IOptions<ConsolidationOptions> options,
    TimeProvider time,
    ILogger<ConsolidationTimer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = CrontabSchedule.Parse(options.Value.Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        logger.LogInformation("Consolidation timer scheduled with {Schedule}", options.Value.Schedule);
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var next = new DateTimeOffset(schedule.GetNextOccurrence(now.UtcDateTime), TimeSpan.Zero);
            try
            {
                await Task.Delay(next - now, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var pastDue = time.GetUtcNow() - next > TimeSpan.FromSeconds(30);
            try
            {
                await consolidation.RunAsync(pastDue, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Consolidation run failed; the next run catches up");
            }
        }
    }
}
