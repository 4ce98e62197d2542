using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;
using ReportPipeline.Functions.Hosting;

namespace ReportPipeline.Functions.Functions;

/// <summary>
/// One org's routes for one period. Auth level is Anonymous on purpose: the handlers validate the bearer token and the
/// org claim themselves, identically on both hosts.
/// </summary>
public sealed class OrgFunctions(IPipelineHttpApi api)
{
    [Function(nameof(GetForm))]
    public async Task<IActionResult> GetForm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Form)] HttpRequest req,
        string org, string period, CancellationToken cancellationToken)
        => new ResultAction(await api.GetFormAsync(req, org, period, cancellationToken));

    [Function(nameof(SubmitReport))]
    public async Task<IActionResult> SubmitReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.Submissions)] HttpRequest req,
        string org, string period, CancellationToken cancellationToken)
        => new ResultAction(await api.SubmitAsync(req, org, period, cancellationToken));

    [Function(nameof(GetValues))]
    public async Task<IActionResult> GetValues(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Values)] HttpRequest req,
        string org, string period, CancellationToken cancellationToken)
        => new ResultAction(await api.GetValuesAsync(req, org, period, cancellationToken));

    [Function(nameof(GetStatus))]
    public async Task<IActionResult> GetStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Status)] HttpRequest req,
        string org, string period, CancellationToken cancellationToken)
        => new ResultAction(await api.GetStatusAsync(req, org, period, cancellationToken));

    [Function(nameof(GetBurden))]
    public async Task<IActionResult> GetBurden(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Burden)] HttpRequest req,
        string org, string period, CancellationToken cancellationToken)
        => new ResultAction(await api.GetBurdenAsync(req, org, period, cancellationToken));

    [Function(nameof(PostFeedback))]
    public async Task<IActionResult> PostFeedback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.Feedback)] HttpRequest req,
        string org, string period, CancellationToken cancellationToken)
        => new ResultAction(await api.PostFeedbackAsync(req, org, period, cancellationToken));
}
