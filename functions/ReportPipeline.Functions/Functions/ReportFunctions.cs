using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;
using ReportPipeline.Functions.Hosting;

namespace ReportPipeline.Functions.Functions;

/// <summary>Consolidated workbooks for upper-level orgs: download, and build on demand (admin).</summary>
public sealed class ReportFunctions(IPipelineHttpApi api)
{
    [Function(nameof(GetReport))]
    public async Task<IActionResult> GetReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Report)] HttpRequest req,
        string org, string period, string template, CancellationToken cancellationToken)
        => new ResultAction(await api.GetReportAsync(req, org, period, template, cancellationToken));

    [Function(nameof(BuildReport))]
    public async Task<IActionResult> BuildReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.BuildReport)] HttpRequest req,
        string org, string period, string template, CancellationToken cancellationToken)
        => new ResultAction(await api.BuildReportAsync(req, org, period, template, cancellationToken));
}
