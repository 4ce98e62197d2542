using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Domain.Burden;

namespace ReportPipeline.Application.Http;

/// <summary>One direct child's line of <c>GET orgs/{org}/burden/{period}</c>; ask the route for <see cref="Org"/> to drill down.</summary>
/// <param name="AsOf">When its counts were made: the stored roll-up's time, or the time of this request when counted live.</param>
/// <param name="Source"><c>rollup</c> (kept by the district's consolidation unit) or <c>live</c>.</param>
public sealed record BurdenChildResponse(
    string Org,
    string OrgName,
    int Villages,
    int VillagesCounted,
    long EntriesAskedSeparately,
    long EntriesTyped,
    long EntriesPrefilled,
    decimal ReductionRatio,
    decimal PrefilledShare,
    DateTimeOffset? AsOf,
    string Source);

/// <summary>
/// The 减负 figures of an office (the sum of its direct children's counts), as of the oldest child's counts, with each
/// child's line.
/// </summary>
public sealed record BurdenResponse(
    string OrgCode,
    string Period,
    int Templates,
    int Villages,
    int VillagesCounted,
    int EntriesAskedSeparatelyPerVillage,
    int DistinctFields,
    long EntriesAskedSeparately,
    long EntriesTyped,
    long EntriesPrefilled,
    decimal ReductionRatio,
    decimal DeduplicationRatio,
    decimal PrefilledShare,
    IReadOnlyList<TemplateBurden> PerTemplate,
    DateTimeOffset? AsOf,
    string Message,
    IReadOnlyList<BurdenChildResponse> Children);

/// <summary>
/// <c>GET orgs/{org}/burden/{period}</c> (viewers and admins of the org or an ancestor): the office's 减负 figures with its
/// direct children aggregated (<see cref="BurdenService.GetOfficeAsync"/>); the city's from its districts' stored counts.
/// </summary>
public sealed class BurdenApi(ApiRoute route, BurdenService burden)
{
    public Task<IResult> GetAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadBurden, org, period, async target =>
        {
            OfficeBurden found;
            using (var storage = route.StorageBudget(cancellationToken))
            {
                found = await burden.GetOfficeAsync(target.Org, target.Period, storage.Token);
            }

            var f = found.Figures;
            var live = found.Children.Count(c => !c.FromRollup);
            var message = $"{target.Org.Name} {target.Period.ToDisplayString()} 减负统计：各部门分别要求 {f.EntriesAskedSeparately} 项次，村（社区）实际填写 {f.EntriesTyped} 项次。"
                + (live < found.Children.Count ? $"{found.Children.Count - live} 个下级单位的数字取自汇总时保存的统计（见各单位的统计时间），{live} 个为即时统计。" : "");
            return Results.Json(new BurdenResponse(
                f.OrgCode, f.Period, f.Templates, f.Villages, f.VillagesCounted, f.EntriesAskedSeparatelyPerVillage, f.DistinctFields,
                f.EntriesAskedSeparately, f.EntriesTyped, f.EntriesPrefilled, f.ReductionRatio, f.DeduplicationRatio, f.PrefilledShare, f.PerTemplate,
                found.AsOf,
                message,
                [.. found.Children.Select(c => new BurdenChildResponse(
                    c.Org.Code, c.Org.Name, c.Figures.Villages, c.Figures.VillagesCounted, c.Figures.EntriesAskedSeparately, c.Figures.EntriesTyped,
                    c.Figures.EntriesPrefilled, c.Figures.ReductionRatio, c.Figures.PrefilledShare, c.AsOf, c.FromRollup ? "rollup" : "live"))]));
        }, cancellationToken);
}
