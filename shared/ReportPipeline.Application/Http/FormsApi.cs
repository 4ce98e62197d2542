using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Forms;
using ReportPipeline.Domain.Orgs;

namespace ReportPipeline.Application.Http;

/// <summary>
/// <c>GET orgs/{org}/form/{period}</c>: the village's pre-filled form workbook, or, asked for JSON, the same form as data
/// (the web form starts from it); <c>GET orgs/{org}/periods</c>: the recent periods and the one that is due.
/// </summary>
public sealed class FormsApi(ApiRoute route, FormService forms, ReportingPeriodsService periods, Audit.AccessRecorder recorder)
{
    public Task<IResult> GetFormAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadForm, org, period, async (target, caller) =>
        {
            var (village, parsedPeriod) = target;
            if (caller.Dept is not null)
            {
                // The form is the village's whole one table; a department reads only its own fields (values, workbooks).
                return AuthResults.Forbidden(AccessDecision.Forbid("部门账号不能下载村（社区）的一表通填报表：请查看本部门的汇总表或本部门指标的填报数据。"));
            }

            if (village.Level != OrgLevel.Village)
            {
                return Problems.NotFound($"{village.Name}（{village.Code}）不是村（社区），没有一表通填报表；上级单位请下载汇总表。", "not-a-village");
            }

            if (WantsJson(request))
            {
                return Results.Json(await forms.ViewAsync(village, parsedPeriod, cancellationToken));
            }

            var form = await forms.BuildAsync(village, parsedPeriod, cancellationToken);
            recorder.Record(request, caller, Hosting.ApiRoutes.Form, village.Code, parsedPeriod.ToString(), null, 1);
            return FileDownloadResult.Workbook(form, $"一表通填报表_{village.Name}_{parsedPeriod}.xlsx");
        }, cancellationToken);

    public Task<IResult> GetPeriodsAsync(HttpRequest request, string org, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadStatus, org, async target => Results.Json(await periods.GetAsync(target, cancellationToken)), cancellationToken);

    /// <summary>JSON when the caller asks for it and not for a workbook (a browser's download sends <c>*/*</c>).</summary>
    private static bool WantsJson(HttpRequest request) =>
        request.GetTypedHeaders().Accept is { Count: > 0 } accept
        && accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        && !accept.Any(a => a.MediaType.Value?.Contains("spreadsheetml", StringComparison.OrdinalIgnoreCase) == true);
}
