using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;
using ReportPipeline.Functions.Hosting;

namespace ReportPipeline.Functions.Functions;

/// <summary>Data quality: the list of flagged values of an office's subtree (数据质量).</summary>
public sealed class QualityFunctions(QualityApi api)
{
    [Function(nameof(GetQuality))]
    public async Task<IActionResult> GetQuality(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Quality)] HttpRequest req,
        string org, string period, CancellationToken cancellationToken)
        => new ResultAction(await api.GetQualityAsync(req, org, period, cancellationToken));
}
