using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;
using ReportPipeline.Functions.Hosting;

namespace ReportPipeline.Functions.Functions;

/// <summary>The API's OpenAPI document (the committed <c>docs/openapi.json</c>, the same the local host generates).</summary>
public sealed class ContractFunctions
{
    [Function(nameof(GetOpenApi))]
    public static IActionResult GetOpenApi([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.OpenApi)] HttpRequest req)
    {
        ArgumentNullException.ThrowIfNull(req);
        return new ResultAction(ApiContractDocument.Get(req.HttpContext.Response));
    }
}
