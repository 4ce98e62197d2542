using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Governance;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Functions.Hosting;

namespace ReportPipeline.Functions.Functions;

/// <summary>Data governance: the design check of a proposed department report, before any village sees it.</summary>
public sealed class GovernanceFunctions(TemplateCheckApi api)
{
    [Function(nameof(CheckTemplateDesign))]
    public async Task<IActionResult> CheckTemplateDesign(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.TemplateCheck)] HttpRequest req,
        CancellationToken cancellationToken)
        => new ResultAction(await api.CheckAsync(req, cancellationToken));
}
