using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Forms;
using ReportPipeline.Domain.Orgs;

namespace ReportPipeline.Application.Http;

/// <summary><c>GET orgs/{org}/form/{period}</c>: the village's pre-filled form workbook.</summary>
public sealed class FormsApi(ApiRoute route, FormService forms, Audit.AccessRecorder recorder)
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

            var form = await forms.BuildAsync(village, parsedPeriod, cancellationToken);
            recorder.Record(request, caller, Hosting.ApiRoutes.Form, village.Code, parsedPeriod.ToString(), null, 1);
            return FileDownloadResult.Workbook(form, $"一表通填报表_{village.Name}_{parsedPeriod}.xlsx");
        }, cancellationToken);
}
