using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Application.Http;

/// <summary>One workbook of <c>GET orgs/{org}/reports/{period}</c>.</summary>
/// <param name="Built">When the stored workbook was built; null when it has not been built.</param>
/// <param name="Size">Bytes of the stored workbook; null when it has not been built.</param>
/// <param name="Department">The department's name; <paramref name="DepartmentCode"/> its code.</param>
/// <param name="Pending">
/// A build now would differ from the stored workbook (its inputs changed since), or there is none yet.
/// </param>
public sealed record WorkbookListItem(string Template, string Title, string Department, DateTimeOffset? Built, long? Size, bool Pending, string DepartmentCode);

/// <summary>The consolidated workbooks of an upper-level org for one period.</summary>
public sealed record WorkbookListResponse(
    string Org,
    string OrgName,
    string Period,
    int Count,
    int Built,
    int Pending,
    string Message,
    IReadOnlyList<WorkbookListItem> Workbooks);

/// <summary>
/// <c>GET orgs/{org}/reports/{period}</c> (viewers and admins of the org or an ancestor, like the download): the templates
/// of the period's kind that consolidate at the org's level, each with its stored workbook's build time and size and
/// whether a rebuild is pending. For a township or district, pending is the builder's own skip rule turned around: the
/// watermark a build would have now (<see cref="ConsolidationService.CurrentWatermarksAsync"/>, one read of the
/// district's receipts and review states) differs from the stored workbook's. The city's workbooks are composed from its
/// districts' roll-ups, and reading every village's receipts to say so would cost the whole city: its pending comes from
/// the roll-ups' times and its consolidation marker (<see cref="ComposedWorkbookPending"/>), so the city's list costs
/// what it shows — its own workbooks' properties, one listing and one marker read, and no table read.
/// </summary>
public sealed class ReportListApi(ApiRoute route, ReferenceData reference, IReportStore reports, ConsolidationService consolidation, ComposedWorkbookPending composed)
{
    /// <summary>Workbooks checked at once: each is one properties read.</summary>
    private const int Parallelism = 8;

    public Task<IResult> GetAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadReport, org, period, async (target, caller) =>
        {
            var inForce = await reference.CatalogForAsync(target.Period, cancellationToken);
            var view = AccessPolicy.ViewOf(caller, inForce);
            var templates = inForce.Templates
                .Where(t => t.IsFor(target.Org.Level, target.Period.Kind))
                .Where(t => view is null || view.MayReadTemplate(t.Id))
                .ToList();
            var items = new WorkbookListItem[templates.Count];
            using (var storage = route.StorageBudget(cancellationToken))
            {
                Func<string, StoredReport?, bool> isPending;
                if (target.Org.Level == OrgLevel.City)
                {
                    isPending = await composed.ForCityAsync(target.Org, target.Period, storage.Token);
                }
                else
                {
                    // The receipts and review states are read once for every template, as a queue unit reads them.
                    var current = await consolidation.CurrentWatermarksAsync(templates, target.Org.Code, target.Period, storage.Token);
                    isPending = (templateId, stored) => stored is null || !string.Equals(stored.InputWatermark, current[templateId], StringComparison.Ordinal);
                }

                await Parallel.ForEachAsync(
                    Enumerable.Range(0, templates.Count),
                    new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = storage.Token },
                    async (i, ct) => items[i] = await ItemAsync(templates[i], target, isPending, ct));
            }

            var built = items.Count(i => i.Built is not null);
            var pending = items.Count(i => i.Pending);
            var name = $"{target.Org.Name} {target.Period.ToDisplayString()}";
            return Results.Json(new WorkbookListResponse(
                target.Org.Code,
                target.Org.Name,
                target.Period.ToString(),
                items.Length,
                built,
                pending,
                items.Length == 0
                    ? $"{name}：没有向{OrgRegistry.LevelName(target.Org.Level)}单位汇总的{target.Period.Kind.ChineseName()}报表。"
                    : $"{name}：{items.Length} 张汇总表，已生成 {built} 张，{pending} 张待更新。",
                items));
        }, cancellationToken);

    private async Task<WorkbookListItem> ItemAsync(ReportTemplate template, OrgPeriod target, Func<string, StoredReport?, bool> isPending, CancellationToken cancellationToken)
    {
        var stored = await reports.GetPropertiesAsync(target.Period, template.Id, target.Org.Code, cancellationToken);
        return new WorkbookListItem(template.Id, template.Title, template.DepartmentName, stored?.BuiltAt, stored?.Size, isPending(template.Id, stored), template.Department);
    }
}
