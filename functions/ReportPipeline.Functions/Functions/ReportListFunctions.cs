using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;
using ReportPipeline.Functions.Hosting;

namespace ReportPipeline.Functions.Functions;

/// <summary>The consolidated workbooks of an upper-level org for a period, with built time and the pending-rebuild flag.</summary>
public sealed class ReportListFunctions(ReportListApi api)
{
    [Function(nameof(ListReports))]
    public async Task<IActionResult> ListReports(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Reports)] HttpRequest req,
        string org, string period, CancellationToken cancellationToken)
        => new ResultAction(await api.GetAsync(req, org, period, cancellationToken));
}
