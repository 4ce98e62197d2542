using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Admission;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Functions.Hosting;

namespace ReportPipeline.Functions.Functions;

/// <summary>报表准入: proposals of department reports, the city's decision on them, and the list of reports in force.</summary>
public sealed class AdmissionFunctions(AdmissionApi api)
{
    [Function(nameof(ListTemplateProposals))]
    public async Task<IActionResult> ListTemplateProposals(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.TemplateProposals)] HttpRequest req, CancellationToken cancellationToken)
        => new ResultAction(await api.ListAsync(req, cancellationToken));

    [Function(nameof(ProposeTemplate))]
    public async Task<IActionResult> ProposeTemplate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.TemplateProposalCreate)] HttpRequest req, CancellationToken cancellationToken)
        => new ResultAction(await api.ProposeAsync(req, cancellationToken));

    [Function(nameof(GetTemplateProposal))]
    public async Task<IActionResult> GetTemplateProposal(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.TemplateProposal)] HttpRequest req, string id, CancellationToken cancellationToken)
        => new ResultAction(await api.GetAsync(req, id, cancellationToken));

    [Function(nameof(DecideTemplateProposal))]
    public async Task<IActionResult> DecideTemplateProposal(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.TemplateProposalDecision)] HttpRequest req, string id, CancellationToken cancellationToken)
        => new ResultAction(await api.DecideAsync(req, id, cancellationToken));

    [Function(nameof(ListTemplates))]
    public async Task<IActionResult> ListTemplates(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Templates)] HttpRequest req, CancellationToken cancellationToken)
        => new ResultAction(await api.TemplatesAsync(req, cancellationToken));

    [Function(nameof(GetTemplateHistory))]
    public async Task<IActionResult> GetTemplateHistory(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.TemplateHistory)] HttpRequest req, string id, CancellationToken cancellationToken)
        => new ResultAction(await api.HistoryAsync(req, id, cancellationToken));
}
