using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NCrontab;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Options;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;

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
    ILogger<SubmissionPoller> logger) : InboxPoller(inbox, options, time, logger)
{
    protected override Task IngestAsync(string name, CancellationToken cancellationToken) => handler.IngestAsync(name, cancellationToken);
}

/// <summary>The same for department pre-fill dropped into the <c>prefill</c> container (带数下发).</summary>
public sealed class PrefillPoller(
    IPrefillInbox inbox,
    Prefill.PrefillBlobHandler handler,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILogger<PrefillPoller> logger) : InboxPoller(inbox, options, time, logger)
{
    protected override Task IngestAsync(string name, CancellationToken cancellationToken) => handler.IngestAsync(name, cancellationToken);
}

/// <summary>Lists an inbox container every <c>Pipeline__IngestionPollSeconds</c> and hands each file to its handler.</summary>
public abstract class InboxPoller(
    ISubmissionInbox inbox,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILogger logger) : BackgroundService
{
    protected abstract Task IngestAsync(string name, CancellationToken cancellationToken);

    /// <summary>Ingests everything in the container now; returns how many files were handled.</summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken)
    {
        var handled = 0;
        await foreach (var file in inbox.ListAsync(cancellationToken))
        {
            try
            {
                await IngestAsync(file.Name, cancellationToken);
                handled++;
            }
            catch (UploadDeferredException ex)
            {
                // Uploads hold the memory now: the file stays and a later pass admits it.
                logger.LogInformation("{Reason}", ex.Message);
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

/// <summary>
/// The local host's stand-in for the queue-triggered <c>BuildConsolidationUnit</c>: <c>Consolidation__QueueWorkers</c>
/// loops receive a unit each (hidden from other consumers for <c>Consolidation__VisibilityTimeoutSeconds</c>), hand it to
/// the same <see cref="ConsolidationUnitHandler"/>, delete it on success, and move it to <c>consolidation-poison</c> once it
/// has been received <c>Consolidation__MaxDequeueCount</c> times (5, as host.json). Several hosts on one storage account
/// share the queue; a unit they both see is built once, because the builds are conditional.
/// </summary>
public sealed class ConsolidationQueueWorker(
    IConsolidationQueue queue,
    ConsolidationUnitHandler handler,
    IOptions<ConsolidationQueueOptions> options,
    TimeProvider time,
    ILogger<ConsolidationQueueWorker> logger) : BackgroundService
{
    /// <summary>Receives and handles one message; false when the queue was empty.</summary>
    /// <param name="onFailed">Told of each attempt that threw (the unit is retried, or set aside after its last attempt).</param>
    public async Task<bool> TryProcessOneAsync(Action<UnitResult>? onBuilt, CancellationToken cancellationToken, Action<Exception>? onFailed = null)
    {
        var settings = options.Value;
        var received = await queue.ReceiveAsync(1, TimeSpan.FromSeconds(settings.VisibilityTimeoutSeconds), cancellationToken);
        if (received.Count == 0)
        {
            return false;
        }

        var message = received[0];
        if (message.DequeueCount > settings.MaxDequeueCount)
        {
            // The Functions host checks before running too: a unit that has already failed its last attempt is not tried again.
            await PoisonAsync(message, null, cancellationToken);
            return true;
        }

        try
        {
            var result = await handler.HandleAsync(message.Body, cancellationToken);
            await queue.DeleteAsync(message, cancellationToken);
            onBuilt?.Invoke(result);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            onFailed?.Invoke(ex);
            if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                await PoisonAsync(message, ex, cancellationToken);
            }
            else
            {
                // Left invisible until its timeout ends, then redelivered, as the Functions host does after a failure.
                logger.LogWarning(ex, "Consolidation unit {MessageId} failed on attempt {Attempt} of {MaxAttempts}; it will be retried",
                    message.MessageId, message.DequeueCount, settings.MaxDequeueCount);
            }
        }

        return true;
    }

    /// <summary>
    /// Handles messages with <paramref name="workers"/> loops until the queue is empty, hidden messages included (a failed
    /// unit comes back when its visibility timeout ends); returns what was built.
    /// </summary>
    public async Task<IReadOnlyList<UnitResult>> DrainAsync(int workers, CancellationToken cancellationToken)
    {
        var done = new List<UnitResult>();
        void Add(UnitResult result)
        {
            lock (done)
            {
                done.Add(result);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, workers)).Select(async _ =>
        {
            while (true)
            {
                if (await TryProcessOneAsync(Add, cancellationToken))
                {
                    continue;
                }

                if (await queue.CountAsync(cancellationToken: cancellationToken) == 0)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(options.Value.PollSeconds), time, cancellationToken);
            }
        }));
        return done;
    }

    private async Task PoisonAsync(QueuedMessage message, Exception? error, CancellationToken cancellationToken)
    {
        await queue.MoveToPoisonAsync(message, cancellationToken);
        logger.LogError(error, "Consolidation unit {MessageId} moved to the poison queue after {Attempts} attempts: {Excerpt}",
            message.MessageId, message.DequeueCount, UserText.Excerpt(message.Body));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.QueueWorkers == 0)
        {
            return;
        }

        logger.LogInformation("Consolidation queue worker started with {Workers} loops", settings.QueueWorkers);
        await Task.WhenAll(Enumerable.Range(0, settings.QueueWorkers).Select(_ => LoopAsync(stoppingToken)));
    }

    private async Task LoopAsync(CancellationToken stoppingToken)
    {
        var idle = TimeSpan.FromSeconds(options.Value.PollSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            bool handled;
            try
            {
                handled = await TryProcessOneAsync(null, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A storage outage must not stop the host; the messages stay in the queue.
                logger.LogError(ex, "Consolidation queue poll failed; retrying in {IntervalSeconds} s", idle.TotalSeconds);
                handled = false;
            }

            if (!handled)
            {
                await Task.Delay(idle, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
