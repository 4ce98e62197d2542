using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Consolidation;

namespace ReportPipeline.Application.Http;

/// <summary><c>GET orgs/{org}/status/{period}</c> (who reported).</summary>
public sealed class StatusApi(ApiRoute route, StatusService status)
{
    public Task<IResult> GetStatusAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadStatus, org, period,
            async target => Results.Json(await status.GetAsync(target.Org, target.Period, cancellationToken)), cancellationToken);
}
