using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Forms;
using ReportPipeline.Domain.Orgs;

namespace ReportPipeline.Application.Http;

/// <summary><c>GET orgs/{org}/form/{period}</c>: the village's pre-filled form workbook.</summary>
public sealed class FormsApi(ApiRoute route, FormService forms)
{
    public Task<IResult> GetFormAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadForm, org, period, async target =>
        {
            var (village, parsedPeriod) = target;
            if (village.Level != OrgLevel.Village)
            {
                return Problems.NotFound($"{village.Name}（{village.Code}）不是村（社区），没有一表通填报表；上级单位请下载汇总表。", "not-a-village");
            }

            var form = await forms.BuildAsync(village, parsedPeriod, cancellationToken);
            return FileDownloadResult.Workbook(form, $"一表通填报表_{village.Name}_{parsedPeriod}.xlsx");
        }, cancellationToken);
}
