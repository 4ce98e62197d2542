using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Options;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Storage.Diagnostics;

namespace ReportPipeline.Application.Http;

/// <summary>The org and period of a route, checked against the registry and the supported range.</summary>
public readonly record struct OrgPeriod(Org Org, Period Period);

/// <summary>
/// The opening and closing every route shares: authorise the caller for the action on the org, parse the period, find
/// the org, then run the feature's handler and map what only this layer knows how to answer — storage that cannot be
/// reached (503 with Retry-After), a client that stalled or hung up mid-body (408, logged at information level).
/// </summary>
/// <param name="lifetime">Says whether a connection ended because the host is stopping; absent where services run without a host.</param>
public sealed class ApiRoute(
    ReferenceData reference,
    IRequestAuthorizer authorizer,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILogger<ApiRoute> logger,
    IHostApplicationLifetime? lifetime = null)
{
    /// <summary>A route without an org (the catalog): authorise only.</summary>
    public Task<IResult> RunAsync(HttpRequest request, ApiAction action, Func<CallerIdentity, Task<IResult>> handle, CancellationToken cancellationToken) =>
        GuardAsync(request, async () =>
        {
            var (caller, failure) = await AuthorizeAsync(request, action, "", cancellationToken);
            return failure ?? await handle(caller!);
        });

    /// <summary>A route on <c>orgs/{org}/…</c> without a period (the org's reporting periods).</summary>
    public Task<IResult> RunAsync(HttpRequest request, ApiAction action, string org, Func<Org, Task<IResult>> handle, CancellationToken cancellationToken) =>
        GuardAsync(request, async () =>
        {
            var (_, failure) = await AuthorizeAsync(request, action, org, cancellationToken);
            if (failure is not null)
            {
                return failure;
            }

            var orgs = await reference.GetOrgsAsync(cancellationToken);
            return orgs.TryGet(org, out var target)
                ? await handle(target)
                : Problems.NotFound($"行政区划代码 {UserText.Excerpt(org)} 不在单位名录中。", "unknown-org");
        });

    /// <summary>A route on <c>orgs/{org}/…/{period}</c>.</summary>
    public Task<IResult> RunAsync(
        HttpRequest request, ApiAction action, string org, string period, Func<OrgPeriod, Task<IResult>> handle, CancellationToken cancellationToken) =>
        RunAsync(request, action, org, period, (target, _) => handle(target), cancellationToken);

    /// <summary>The same, for handlers that record who acted (approval steps, the sender of a submission).</summary>
    public Task<IResult> RunAsync(
        HttpRequest request, ApiAction action, string org, string period, Func<OrgPeriod, CallerIdentity, Task<IResult>> handle, CancellationToken cancellationToken) =>
        GuardAsync(request, async () =>
        {
            var (caller, failure) = await AuthorizeAsync(request, action, org, cancellationToken);
            if (failure is not null)
            {
                return failure;
            }

            if (!Period.TryParse(period, out var parsedPeriod))
            {
                return Problems.BadRequest($"统计期“{UserText.Excerpt(period)}”格式不对，应为 2026（年）、2026-Q4（季度）或 2026-11（月）。", "bad-period");
            }

            if (!parsedPeriod.IsSupported)
            {
                return Problems.BadRequest($"统计期“{parsedPeriod}”超出支持的范围（{Period.FirstSupportedYear}–{Period.LastSupportedYear} 年）。", "period-out-of-range");
            }

            var orgs = await reference.GetOrgsAsync(cancellationToken);
            return orgs.TryGet(org, out var target)
                ? await handle(new OrgPeriod(target, parsedPeriod), caller!)
                : Problems.NotFound($"行政区划代码 {UserText.Excerpt(org)} 不在单位名录中。", "unknown-org");
        });

    /// <summary>
    /// A token for the storage work of one request: cancelled with the request, or when
    /// <c>Pipeline__RequestStorageBudgetSeconds</c> have passed — but never while a table write of the request is on the
    /// wire, since a transaction cancelled after it was sent may have committed. Such a write is waited for, up to
    /// <c>Pipeline__RequestCommitTimeoutSeconds</c> more. <see cref="GuardAsync"/> answers the cancellation with 503.
    /// </summary>
    public StorageBudget StorageBudget(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        return new StorageBudget(cancellationToken, RequestStorageWrites.Current, time,
            TimeSpan.FromSeconds(settings.RequestStorageBudgetSeconds), TimeSpan.FromSeconds(settings.RequestCommitTimeoutSeconds));
    }

    private async Task<(CallerIdentity? Caller, IResult? Failure)> AuthorizeAsync(
        HttpRequest request, ApiAction action, string org, CancellationToken cancellationToken)
    {
        // The access policy reads the registry, and the reporting calendar the newest catalog, without waiting: load them first.
        await reference.LoadSharedAsync(cancellationToken);
        return await authorizer.AuthorizeAsync(request, action, org, cancellationToken);
    }

    private async Task<IResult> GuardAsync(HttpRequest request, Func<Task<IResult>> run)
    {
        var aborted = request.HttpContext.RequestAborted;
        // Begun here so that the writes the handler's stores send are known when a failure is mapped below.
        var writes = RequestStorageWrites.Begin();
        try
        {
            return await run();
        }
        catch (BadHttpRequestException ex)
        {
            // The server refused the body as it arrived: too slow (408), cut short (400), too long (413). The client's
            // doing, not ours: information, and no 5xx for the alert to count.
            logger.LogInformation("Request body of {Method} {Path} was refused while reading: {Status} {Reason}",
                request.Method, request.Path.Value, ex.StatusCode, ex.Message);
            return ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? Problems.PayloadTooLarge(options.Value.MaxUploadBytes) : Problems.RequestTimeout();
        }
        catch (Exception ex) when (IsConnectionGone(ex, aborted))
        {
            logger.LogInformation("{Who} ended the connection during {Method} {Path} ({Reason}); {Outcome}",
                lifetime?.ApplicationStopping.IsCancellationRequested == true ? "The host, stopping," : "The client",
                request.Method, request.Path.Value, Innermost(ex).GetType().Name, writes.AnySent ? "a write had been sent" : "nothing was saved");
            return new ClientGoneResult();
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex) || (ex is OperationCanceledException && !aborted.IsCancellationRequested))
        {
            // Storage refused, failed or did not answer within the request's budget. Every write of a submission is one
            // entity group transaction, so nothing is half-written, and a resend is deduplicated; whether anything may
            // have been written decides what the answer promises.
            logger.LogWarning("Storage unavailable during {Method} {Path}: {Reason}; write sent {WriteSent}",
                request.Method, request.Path.Value, ex.GetType().Name, writes.AnySent);
            return Problems.StorageUnavailable(request, writes.AnySent, options.Value.RetryAfterSeconds);
        }
    }

    /// <summary>
    /// The request's connection is gone: the client reset or closed it, or the server aborted it at shutdown. Decided from
    /// the exception itself, since Kestrel cancels <c>RequestAborted</c> on the thread pool and the read that the reset or
    /// abort ends (<see cref="ConnectionGoneException"/> from the body reader, or a <see cref="ConnectionResetException"/> /
    /// <see cref="ConnectionAbortedException"/> anywhere else) can fail before the token says so. Neither is storage
    /// trouble (a 503 would claim it) nor a bug (an error would page someone).
    /// </summary>
    private static bool IsConnectionGone(Exception exception, CancellationToken aborted)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is ConnectionGoneException or ConnectionResetException or ConnectionAbortedException)
            {
                return true;
            }
        }

        return aborted.IsCancellationRequested && exception is OperationCanceledException or IOException;
    }

    private static Exception Innermost(Exception exception) => exception.InnerException is { } inner ? Innermost(inner) : exception;

    /// <summary>The client is gone: there is nobody to answer; 499 (nginx's "client closed request") marks it in logs.</summary>
    private sealed class ClientGoneResult : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            if (!httpContext.Response.HasStarted)
            {
                httpContext.Response.StatusCode = 499;
            }

            return Task.CompletedTask;
        }
    }
}
