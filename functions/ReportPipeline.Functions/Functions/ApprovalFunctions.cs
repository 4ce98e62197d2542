using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Governance;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Functions.Hosting;

namespace ReportPipeline.Functions.Functions;

/// <summary>Approval by level and every value's history; the handlers check the bearer token, as on the local host.</summary>
public sealed class ApprovalFunctions(ApprovalApi approvals, HistoryApi history)
{
    [Function(nameof(GetApproval))]
    public async Task<IActionResult> GetApproval(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Approval)] HttpRequest req,
        string org, string period, CancellationToken cancellationToken)
        => new ResultAction(await approvals.GetAsync(req, org, period, cancellationToken));

    [Function(nameof(PostApprovalStep))]
    public async Task<IActionResult> PostApprovalStep(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.ApprovalStep)] HttpRequest req,
        string org, string period, CancellationToken cancellationToken)
        => new ResultAction(await approvals.PostAsync(req, org, period, cancellationToken));

    [Function(nameof(GetHistory))]
    public async Task<IActionResult> GetHistory(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.History)] HttpRequest req,
        string org, string period, CancellationToken cancellationToken)
        => new ResultAction(await history.GetAsync(req, org, period, cancellationToken));
}
