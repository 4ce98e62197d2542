using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Quality;
using ReportPipeline.Domain.Quality;

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

/// <summary>The 数据质量 list of an office's subtree for one period.</summary>
public sealed record QualityResponse(
    string Org,
    string OrgName,
    string Period,
    string PreviousPeriod,
    int Count,
    string Message,
    IReadOnlyList<QualityFlagResponse> Flags);

/// <summary>
/// <c>GET orgs/{org}/quality/{period}</c> (viewers and admins of the org or an ancestor): every flagged value of the
/// villages below — outside the soft range, changed beyond the threshold against last period, or a robust outlier among
/// its township's villages — by the same <see cref="QualityInspector"/> the consolidated workbook's 数据质量 sheet uses.
/// </summary>
public sealed class QualityApi(ApiRoute route, QualityService quality, Reference.ReferenceData reference, Audit.AccessRecorder recorder)
{
    public Task<IResult> GetQualityAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadQuality, org, period, async (target, caller) =>
        {
            IReadOnlyList<QualityFlag> flags;
            using (var storage = route.StorageBudget(cancellationToken))
            {
                flags = await quality.GetAsync(target.Org, target.Period, storage.Token);
            }

            if (AccessPolicy.ViewOf(caller, reference.Catalog) is { } view)
            {
                flags = [.. flags.Where(f => view.MayReadField(f.FieldId))];
            }

            recorder.Record(request, caller, Hosting.ApiRoutes.Quality, target.Org.Code, target.Period.ToString(), null,
                flags.Select(f => f.OrgCode).Distinct(StringComparer.Ordinal).Count());

            return Results.Json(new QualityResponse(
                target.Org.Code,
                target.Org.Name,
                target.Period.ToString(),
                target.Period.Previous().ToString(),
                flags.Count,
                flags.Count == 0
                    ? $"{target.Org.Name} {target.Period.ToDisplayString()} 没有需要核实的数据。"
                    : $"{target.Org.Name} {target.Period.ToDisplayString()} 有 {flags.Count} 处数据需要核实，其中 {flags.Count(f => f.Explanation is not null)} 处已由填报人说明。",
                [.. flags.Select(f => new QualityFlagResponse(
                    f.OrgCode, f.OrgName, f.TownshipName, f.FieldId, f.FieldName, f.Unit, f.Value, f.Previous, f.Code, f.Reason,
                    // The clerk's own words: a bounded excerpt.
                    f.Explanation is null ? null : Domain.Validation.UserText.Excerpt(f.Explanation, QualityExplanations.MaxLength)))]));
        }, cancellationToken);
}
