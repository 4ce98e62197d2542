using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;
using ReportPipeline.Functions.Hosting;

namespace ReportPipeline.Functions.Functions;

/// <summary>Routes that are not about one org: liveness and the one table itself.</summary>
public sealed class CatalogFunctions(IPipelineHttpApi api)
{
    [Function(nameof(GetHealth))]
    public async Task<IActionResult> GetHealth(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Health)] HttpRequest req,
        CancellationToken cancellationToken)
        => new ResultAction(await api.GetHealthAsync(req, cancellationToken));

    [Function(nameof(GetCatalog))]
    public async Task<IActionResult> GetCatalog(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Catalog)] HttpRequest req,
        CancellationToken cancellationToken)
        => new ResultAction(await api.GetCatalogAsync(req, cancellationToken));
}
