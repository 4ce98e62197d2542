using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Audit;

/// <summary>
/// Puts every read of village-level data on record (数据访问记录). The record is appended when the response has been sent
/// (<see cref="HttpResponse.OnCompleted(Func{Task})"/>), so the read itself waits for nothing; a record that cannot be
/// written is logged as an error for the alert to count, never turned into a failed read after the fact.
/// </summary>
public sealed class AccessRecorder(IAccessLog log, TimeProvider time, ILogger<AccessRecorder> logger)
{
    /// <param name="route">The route's template (<c>orgs/{org}/values/{period}</c>), so that records group by route.</param>
    /// <param name="what">The template read, or the fields, comma-separated.</param>
    /// <param name="villages">How many villages' data the response carried.</param>
    public void Record(HttpRequest request, CallerIdentity caller, string route, string org, string? period, string? what, int villages)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        var record = new AccessRecord(time.GetUtcNow(), caller.Subject, caller.OrgCode, caller.Dept, route, org, period, what, villages);
        request.HttpContext.Response.OnCompleted(() => AppendAsync(record));
    }

    private async Task AppendAsync(AccessRecord record)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await log.AppendAsync([record], CancellationToken.None);
            logger.LogDebug("Recorded {Route} read of {Org} by {Subject} in {Milliseconds} ms", record.Route, record.Org, record.Subject,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The response is gone: nobody to answer. The error is what an operator's alert sees.
            logger.LogError(ex, "Could not record the {Route} read of {Org} by {Subject} of {CallerOrg}", record.Route, record.Org, record.Subject, record.CallerOrg);
        }
    }
}
