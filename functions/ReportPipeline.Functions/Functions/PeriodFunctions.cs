using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;
using ReportPipeline.Functions.Hosting;

namespace ReportPipeline.Functions.Functions;

/// <summary>An org's recent reporting periods with their states, and the one that is due (the web app's period picker).</summary>
public sealed class PeriodFunctions(FormsApi api)
{
    [Function(nameof(GetPeriods))]
    public async Task<IActionResult> GetPeriods(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Periods)] HttpRequest req,
        string org, CancellationToken cancellationToken)
        => new ResultAction(await api.GetPeriodsAsync(req, org, cancellationToken));
}
