using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Http;

/// <summary><c>GET orgs/{org}/reports/{period}/{template}</c> and its <c>build</c>.</summary>
public sealed class ReportsApi(ApiRoute route, ReferenceData reference, IReportStore reports, ConsolidationService consolidation, Audit.AccessRecorder recorder)
{
    public Task<IResult> GetReportAsync(HttpRequest request, string org, string period, string template, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadReport, org, period, async (target, caller) =>
        {
            var bundle = await reference.CatalogForAsync(target.Period, cancellationToken);
            if (FindTemplate(bundle, template, target) is not { } found)
            {
                return TemplateProblem(bundle, template, target);
            }

            if (AccessPolicy.ViewOf(caller, await reference.CatalogForAsync(null, cancellationToken)) is { } view && view.DecideTemplate(found.Id, found.Title) is { IsAllowed: false } outside)
            {
                return AuthResults.Forbidden(outside);
            }

            var stream = await reports.OpenReadAsync(target.Period, found.Id, target.Org.Code, cancellationToken);
            if (stream is null)
            {
                return Problems.NotFound(
                    $"{target.Org.Name} {target.Period.ToDisplayString()} 的“{found.Title}”汇总表尚未生成：定时汇总会在有村（社区）填报后生成，管理员也可以调用 build 立即生成。",
                    "report-not-built");
            }

            var orgs = await reference.GetOrgsAsync(cancellationToken);
            recorder.Record(request, caller, Hosting.ApiRoutes.Report, target.Org.Code, target.Period.ToString(), found.Id, orgs.Villages(target.Org.Code).Count());
            return FileDownloadResult.Workbook(stream, $"{found.Title}_{target.Org.Name}_{target.Period}.xlsx");
        }, cancellationToken);

    public Task<IResult> BuildReportAsync(HttpRequest request, string org, string period, string template, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.BuildReport, org, period, async target =>
        {
            var bundle = await reference.CatalogForAsync(target.Period, cancellationToken);
            if (FindTemplate(bundle, template, target) is not { } found)
            {
                return TemplateProblem(bundle, template, target);
            }

            var result = await consolidation.BuildAsync(found, target.Org.Code, target.Period, force: true, cancellationToken);
            return result.Outcome == BuildOutcome.Busy
                ? Problems.Problem(StatusCodes.Status409Conflict, "正在生成", "另一个实例刚刚生成并保存了这份汇总表，请稍后下载或再试。", "report-being-built")
                : Results.Json(result, statusCode: StatusCodes.Status200OK);
        }, cancellationToken);

    /// <summary>The template when it exists, reaches the org's level and is reported at the period's frequency.</summary>
    private static ReportTemplate? FindTemplate(CatalogBundle bundle, string templateId, OrgPeriod target) =>
        bundle.FindTemplate(templateId) is { } template && template.IsFor(target.Org.Level, target.Period.Kind)
            ? template
            : null;

    private static IResult TemplateProblem(CatalogBundle bundle, string templateId, OrgPeriod target)
    {
        var template = bundle.FindTemplate(templateId);
        if (template is null)
        {
            return Problems.NotFound($"没有编号为“{UserText.Excerpt(templateId)}”的报表。", "unknown-template");
        }

        return !template.AudienceLevels.Contains(target.Org.Level)
            ? Problems.NotFound($"“{template.Title}”不向{OrgRegistry.LevelName(target.Org.Level)}单位汇总。", "not-an-audience")
            : Problems.BadRequest($"“{template.Title}”按{template.PeriodKind.ChineseName()}报送，统计期“{target.Period}”不适用。", "wrong-period-kind");
    }
}
