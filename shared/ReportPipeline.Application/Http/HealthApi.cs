using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Http;

/// <summary><c>GET /api/health</c> (anonymous) and <c>GET /api/catalog</c>.</summary>
public sealed class HealthApi(
    ReferenceData reference,
    IFieldValueStore values,
    IReportStore reports,
    ApiRoute route,
    TimeProvider time,
    ILogger<HealthApi> logger)
{
    public async Task<IResult> GetHealthAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            // One table round trip and one blob round trip: both services the pipeline needs must answer, and within
            // the same budget as a request's storage work (a probe that waits out every retry answers too late).
            using var budget = route.StorageBudget(cancellationToken);
            await values.GetAsync("000000000000", Period.OfYear(2000), budget.Token);
            await reports.GetPropertiesAsync(Period.OfYear(2000), "health", "000000000000", budget.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Reporting failure is this route's job: whatever storage threw, the answer is 503, not a 500. The route is
            // anonymous, so the reason goes to the log only: exception text names hosts, accounts and versions.
            logger.LogWarning("Health check: storage unreachable ({Reason}: {Message})", ex.GetType().Name, ex.GetBaseException().Message);
            return Results.Json(new UnhealthyResponse("unhealthy", "unreachable"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return Results.Json(new HealthyResponse(
            "healthy",
            "reachable",
            Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 1),
            reference.Catalog.Catalog.Version,
            time.GetUtcNow()));
    }

    public Task<IResult> GetCatalogAsync(HttpRequest request, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadCatalog, async _ =>
        {
            // ?period=2027-01: the version in force for that period (what its form and workbooks use); none: the newest.
            var periodText = request.Query["period"].ToString();
            Domain.Periods.Period? period = null;
            if (periodText.Length > 0)
            {
                if (!Domain.Periods.Period.TryParse(periodText, out var parsed) || !parsed.IsSupported)
                {
                    return Problems.BadRequest($"统计期“{Domain.Validation.UserText.Excerpt(periodText)}”格式不对，应为 2026（年）、2026-Q4（季度）或 2026-11（月）。", "bad-period");
                }

                period = parsed;
            }

            var bundle = await reference.CatalogForAsync(period, cancellationToken);
            return Results.Json(CatalogView.Create(bundle, Domain.Templates.OverlapAnalyzer.Analyze(bundle)));
        }, cancellationToken);
}
