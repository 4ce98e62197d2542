using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Templates;

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
            (await reference.CatalogForAsync(null, cancellationToken)).Catalog.Version,
            time.GetUtcNow()));
    }

    /// <summary>
    /// <c>GET /api/catalog</c>: the whole catalog (<c>?include=overlap</c> adds the overlap report) or, with
    /// <c>?view=form</c>, the web app's shape. Each shape is serialised once per loaded catalog and answered with a strong
    /// ETag of the catalog version and the content hash, <c>Cache-Control: private, no-cache</c> (revalidated on every
    /// load, 304 when unchanged).
    /// </summary>
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
            var view = request.Query["view"].ToString() == "form" ? CatalogShape.Form
                : request.Query["include"].ToString() == "overlap" ? CatalogShape.WithOverlap
                : CatalogShape.Full;
            var (bytes, etag) = _catalogBodies.GetValue(bundle, _ => new CatalogBodies()).Get(bundle, view);
            var response = request.HttpContext.Response;
            response.Headers.ETag = etag;
            response.Headers.CacheControl = "private, no-cache";
            response.Headers.Vary = "Authorization, Accept-Encoding";
            var ifNoneMatch = request.Headers.IfNoneMatch.ToString();
            return ifNoneMatch.Length > 0 && ifNoneMatch.Split(',').Any(t => t.Trim() == etag || t.Trim() == "*")
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : Results.Bytes(bytes, "application/json; charset=utf-8");
        }, cancellationToken);

    private readonly ConditionalWeakTable<CatalogBundle, CatalogBodies> _catalogBodies = new();

    private enum CatalogShape
    {
        Full,
        WithOverlap,
        Form,
    }

    /// <summary>The serialised shapes of one loaded catalog, built on first use.</summary>
    private sealed class CatalogBodies
    {
        private readonly ConcurrentDictionary<CatalogShape, (byte[] Bytes, string ETag)> _bodies = new();

        public (byte[] Bytes, string ETag) Get(CatalogBundle bundle, CatalogShape shape) => _bodies.GetOrAdd(shape, s =>
        {
            var node = JsonSerializer.SerializeToNode(
                s == CatalogShape.Form ? CatalogView.ForForm(bundle) : CatalogView.Create(bundle, s == CatalogShape.WithOverlap ? OverlapAnalyzer.Analyze(bundle) : null),
                JsonSerializerOptions.Web)!.AsObject();
            if (s == CatalogShape.Full)
            {
                node.Remove("overlap");
            }

            var bytes = JsonSerializer.SerializeToUtf8Bytes(node, JsonSerializerOptions.Web);
            var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
            var version = new string([.. bundle.Catalog.Version.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')]);
            return (bytes, $"\"{version}-{s.ToString().ToLowerInvariant()}-{hash}\"");
        });
    }
}
