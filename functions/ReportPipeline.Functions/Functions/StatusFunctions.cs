using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;
using ReportPipeline.Functions.Hosting;

namespace ReportPipeline.Functions.Functions;

/// <summary>The 催报 list of an office's area: the villages that have not reported, as CSV.</summary>
public sealed class StatusFunctions(StatusApi api)
{
    [Function(nameof(GetMissingList))]
    public async Task<IActionResult> GetMissingList(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.StatusMissing)] HttpRequest req,
        string org, string period, CancellationToken cancellationToken)
        => new ResultAction(await api.GetMissingCsvAsync(req, org, period, cancellationToken));
}
