using System.Globalization;
using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Quality;
using ReportPipeline.Domain.Quality;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Http;

/// <summary>One flagged cell of <c>GET orgs/{org}/quality/{period}</c>.</summary>
public sealed record QualityFlagResponse(
    string Org,
    string OrgName,
    string? Township,
    string Field,
    string FieldName,
    string? Unit,
    decimal Value,
    decimal? Previous,
    string Code,
    string Reason,
    string? Explanation);

/// <summary>How many values one check flagged.</summary>
public sealed record QualityCheckCount(string Code, string Name, int Count);

/// <summary>
/// One direct child's counts; ask the route for <see cref="Org"/> to drill down. <see cref="ByCheck"/> names only the
/// checks that flagged something in it (the office's own <c>byCheck</c> names every check).
/// </summary>
/// <param name="AsOf">When they were counted: the district's stored counts' time, or this request's.</param>
/// <param name="Source"><c>rollup</c> (kept by the district's consolidation unit) or <c>live</c>.</param>
public sealed record QualityChildResponse(string Org, string OrgName, int Count, int Explained, IReadOnlyList<QualityCheckCount> ByCheck, DateTimeOffset? AsOf, string Source);

/// <summary>
/// The 数据质量 of an office's subtree for one period: counts per check and per direct child, and — from a district down —
/// the flagged values, a page at a time (<see cref="ContinuationToken"/>, null on the last page). A township's children
/// are its villages, and only those with something to check are listed (a village not listed has no flagged value);
/// the city's districts and a district's townships are all listed.
/// </summary>
public sealed record QualityResponse(
    string Org,
    string OrgName,
    string Period,
    string PreviousPeriod,
    int Count,
    int Explained,
    string Message,
    DateTimeOffset? AsOf,
    IReadOnlyList<QualityCheckCount> ByCheck,
    IReadOnlyList<QualityChildResponse> Children,
    IReadOnlyList<QualityFlagResponse> Flags,
    string? ContinuationToken);

/// <summary>
/// <c>GET orgs/{org}/quality/{period}</c> (viewers and admins of the org or an ancestor; <c>?pageSize=</c> 1–1000, default
/// 200, <c>?continuationToken=</c>): every flagged value of the villages below — outside the soft range, changed beyond
/// the threshold against last period, or a robust outlier among its township's villages — by the same
/// <see cref="QualityInspector"/> the consolidated workbook's 数据质量 sheet uses, counted per check and per direct child
/// (<see cref="QualityService.GetOfficeAsync"/>). The city answers with its districts' counts only; the values are listed
/// by asking for a district or below.
/// </summary>
public sealed class QualityApi(ApiRoute route, QualityService quality, Reference.ReferenceData reference, Audit.AccessRecorder recorder)
{
    public const int DefaultPageSize = 200;
    public const int MaxPageSize = 1000;

    public Task<IResult> GetQualityAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadQuality, org, period, async (target, caller) =>
        {
            var query = request.Query;
            var pageSize = DefaultPageSize;
            var sizeText = query["pageSize"].ToString();
            if (sizeText.Length > 0 && (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxPageSize))
            {
                return Problems.BadRequest($"pageSize 应为 1–{MaxPageSize} 的整数，收到“{UserText.Excerpt(sizeText)}”。", "bad-page-size");
            }

            var tokenText = query["continuationToken"].ToString();
            var skip = 0;
            if (tokenText.Length > 0 && (!int.TryParse(tokenText, NumberStyles.None, CultureInfo.InvariantCulture, out skip) || skip < 1))
            {
                return Problems.BadRequest("continuationToken 无效：请使用上一页返回的 continuationToken。", "bad-continuation-token");
            }

            OfficeQuality found;
            var view = AccessPolicy.ViewOf(caller, await reference.CatalogForAsync(null, cancellationToken));
            using (var storage = route.StorageBudget(cancellationToken))
            {
                found = await quality.GetOfficeAsync(target.Org, target.Period, view is null ? null : view.MayReadField, storage.Token);
            }

            var flags = found.Flags;
            var counts = found.Counts;

            var page = flags?.Skip(skip).Take(pageSize).ToList() ?? [];
            if (flags is not null)
            {
                recorder.Record(request, caller, Hosting.ApiRoutes.Quality, target.Org.Code, target.Period.ToString(), null,
                    page.Select(f => f.OrgCode).Distinct(StringComparer.Ordinal).Count());
            }

            var name = $"{target.Org.Name} {target.Period.ToDisplayString()}";
            var message = counts.Flags == 0
                ? $"{name} 没有需要核实的数据。"
                : $"{name} 有 {counts.Flags} 处数据需要核实，其中 {counts.Explained} 处已由填报人说明。"
                  + (flags is null ? "这里按区县列出各处数目，具体数值请选择区县查看。" : "");
            return Results.Json(new QualityResponse(
                target.Org.Code,
                target.Org.Name,
                target.Period.ToString(),
                target.Period.Previous().ToString(),
                counts.Flags,
                counts.Explained,
                message,
                found.AsOf,
                ByCheck(counts),
                [.. Listed(target.Org, found.Children).Select(c => new QualityChildResponse(
                    c.Org.Code, c.Org.Name, c.Counts.Flags, c.Counts.Explained, [.. ByCheck(c.Counts).Where(b => b.Count > 0)], c.AsOf, c.FromRollup ? "rollup" : "live"))],
                [.. page.Select(f => new QualityFlagResponse(
                    f.OrgCode, f.OrgName, f.TownshipName, f.FieldId, f.FieldName, f.Unit, f.Value, f.Previous, f.Code, f.Reason,
                    // The clerk's own words: a bounded excerpt.
                    f.Explanation is null ? null : UserText.Excerpt(f.Explanation, QualityExplanations.MaxLength)))],
                flags is not null && skip + page.Count < flags.Count ? (skip + page.Count).ToString(CultureInfo.InvariantCulture) : null));
        }, cancellationToken);

    /// <summary>
    /// The children the answer lists: a township's villages only where something was flagged (each is named by its flags
    /// as well, and a township of many clean villages would otherwise carry a row of zeros for each); above, every child.
    /// </summary>
    private static IEnumerable<ChildQuality> Listed(Domain.Orgs.Org office, IReadOnlyList<ChildQuality> children) =>
        office.Level == Domain.Orgs.OrgLevel.Township ? children.Where(c => c.Counts.Flags > 0) : children;

    private static IReadOnlyList<QualityCheckCount> ByCheck(QualityCounts counts) =>
        [.. QualityCounts.Checks.Concat(counts.ByCheck.Keys.Except(QualityCounts.Checks, StringComparer.Ordinal).Order(StringComparer.Ordinal))
            .Select(code => new QualityCheckCount(code, QualityCounts.CheckName(code), counts.ByCheck.GetValueOrDefault(code)))];
}
