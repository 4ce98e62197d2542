using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;
using ReportPipeline.Functions.Hosting;

namespace ReportPipeline.Functions.Functions;

/// <summary>A field over periods for an office and its children (the office's trend and comparison chart).</summary>
public sealed class SeriesFunctions(SeriesApi api)
{
    [Function(nameof(GetSeries))]
    public async Task<IActionResult> GetSeries(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Series)] HttpRequest req,
        string org, string field, CancellationToken cancellationToken)
        => new ResultAction(await api.GetAsync(req, org, field, cancellationToken));
}
