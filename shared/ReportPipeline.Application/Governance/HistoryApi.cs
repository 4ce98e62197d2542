using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Application.Governance;

/// <summary>One version of one value: what it became, what it was before, when, through which channel and from whom.</summary>
/// <param name="Origin">village (the village's own upload), prefilled (pushed down from an upper level), carried-forward, correction.</param>
/// <param name="Subject">The token's subject of the sender; null for a blob drop or an entry written before it was kept.</param>
public sealed record ValueVersion(
    string Field,
    string? FieldName,
    string Value,
    string? Previous,
    DateTimeOffset At,
    string Channel,
    string SubmissionId,
    string Origin,
    string OriginName,
    string? Subject,
    string? SubjectOrg)
{
    /// <summary>The name of <see cref="SubjectOrg"/> in the registry (修齐镇), so that people read a name, not a code.</summary>
    public string? SubjectOrgName { get; init; }
}

/// <summary>A page of versions, newest first; pass <see cref="ContinuationToken"/> back as <c>?continuationToken=</c> for the next.</summary>
public sealed record HistoryPage(
    string Org,
    string OrgName,
    string Period,
    string? Field,
    int PageSize,
    IReadOnlyList<ValueVersion> Versions,
    string? ContinuationToken);

/// <summary>
/// <c>GET orgs/{org}/history/{period}</c> (optional <c>?field=</c>, <c>?pageSize=</c> 1–500, default 50,
/// <c>?continuationToken=</c>): every version of a village's values for the period, newest (the last committed) first,
/// from the audit entries each merge writes. Viewers and admins of an ancestor and the village's own clerk may read it.
/// </summary>
public sealed class HistoryApi(ApiRoute route, ReferenceData reference, IFieldValueStore values, Audit.AccessRecorder recorder)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public Task<IResult> GetAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadHistory, org, period, async (target, caller) =>
        {
            if (target.Org.Level != OrgLevel.Village)
            {
                return Problems.BadRequest($"{target.Org.Name}（{target.Org.Code}）不是村（社区）：数据由村（社区）填报，修改记录请按村（社区）查看。", "not-a-village");
            }

            var query = request.Query;
            var field = query["field"].ToString();
            var catalog = (await reference.CatalogForAsync(target.Period, cancellationToken)).Catalog;
            if (field.Length > 0 && catalog.Find(field) is null)
            {
                return Problems.BadRequest($"指标目录中没有指标“{UserText.Excerpt(field)}”。", "unknown-field");
            }

            var view = AccessPolicy.ViewOf(caller, await reference.CatalogForAsync(null, cancellationToken));
            if (view is not null && field.Length > 0 && view.DecideField(field, catalog[field].Name) is { IsAllowed: false } outside)
            {
                return AuthResults.Forbidden(outside);
            }

            var pageSize = DefaultPageSize;
            var sizeText = query["pageSize"].ToString();
            if (sizeText.Length > 0 && (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxPageSize))
            {
                return Problems.BadRequest($"pageSize 应为 1–{MaxPageSize} 的整数，收到“{UserText.Excerpt(sizeText)}”。", "bad-page-size");
            }

            var tokenText = query["continuationToken"].ToString();
            HistoryPosition? after = null;
            if (tokenText.Length > 0)
            {
                after = HistoryPosition.Parse(tokenText);
                if (after is null)
                {
                    return Problems.BadRequest("continuationToken 无效：请使用上一页返回的 continuationToken。", "bad-continuation-token");
                }
            }

            var orgs = await reference.GetOrgsAsync(cancellationToken);
            var versions = new List<(HistoryPosition Position, ValueVersion Version)>();
            await foreach (var entry in values.ReadAuditAsync(target.Org.Code, target.Period, cancellationToken))
            {
                foreach (var change in entry.Changes)
                {
                    if ((field.Length > 0 && !string.Equals(change.FieldId, field, StringComparison.Ordinal)) || (view is not null && !view.MayReadField(change.FieldId)))
                    {
                        continue;
                    }

                    var (origin, originName) = OriginOf(entry.Origin);
                    versions.Add((new HistoryPosition(entry.CommittedAt.UtcTicks, entry.SubmissionId, change.FieldId), new ValueVersion(
                        change.FieldId, catalog.Find(change.FieldId)?.Name, change.After, change.Before, entry.CommittedAt, entry.Channel,
                        entry.SubmissionId, origin, originName, entry.Subject, entry.SubjectOrg)
                    {
                        SubjectOrgName = entry.SubjectOrg is { } by && orgs.TryGet(by, out var byOrg) ? byOrg.Name : null,
                    }));
                }
            }

            var ordered = versions.OrderBy(v => v.Position, HistoryPosition.NewestFirst).ToList();
            var start = after is null ? 0 : ordered.FindIndex(v => HistoryPosition.NewestFirst.Compare(v.Position, after) > 0);
            var page = start < 0 ? [] : ordered.Skip(start).Take(pageSize).ToList();
            var more = start >= 0 && start + page.Count < ordered.Count;
            recorder.Record(request, caller, Hosting.ApiRoutes.History, target.Org.Code, target.Period.ToString(),
                field.Length > 0 ? field : view is null ? null : string.Join(",", page.Select(v => v.Version.Field).Distinct(StringComparer.Ordinal)), page.Count > 0 ? 1 : 0);
            return Results.Json(new HistoryPage(
                target.Org.Code,
                target.Org.Name,
                target.Period.ToString(),
                field.Length == 0 ? null : field,
                pageSize,
                [.. page.Select(v => v.Version)],
                more ? page[^1].Position.ToToken() : null));
        }, cancellationToken);

    private static (string Code, string Name) OriginOf(ValueOrigin origin) => origin switch
    {
        ValueOrigin.Typed => ("village", "村（社区）填报"),
        ValueOrigin.Prefilled => ("prefilled", "上级预填"),
        ValueOrigin.CarriedForward => ("carried-forward", "上期结转"),
        _ => ("correction", "更正"),
    };
}

/// <summary>
/// Where a version sits in the newest-first order: commit time (descending), then submission and field. A token names the
/// last version of a page, so versions committed after the first page was read do not shift later pages.
/// </summary>
internal sealed record HistoryPosition(long Ticks, string SubmissionId, string FieldId)
{
    public static IComparer<HistoryPosition> NewestFirst { get; } = Comparer<HistoryPosition>.Create((a, b) =>
    {
        var byTime = b.Ticks.CompareTo(a.Ticks);
        if (byTime != 0)
        {
            return byTime;
        }

        var bySubmission = string.CompareOrdinal(b.SubmissionId, a.SubmissionId);
        return bySubmission != 0 ? bySubmission : string.CompareOrdinal(a.FieldId, b.FieldId);
    });

    public string ToToken() =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Ticks}\n{SubmissionId}\n{FieldId}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static HistoryPosition? Parse(string token)
    {
        if (token.Length > 400)
        {
            return null;
        }

        var text = token.Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(text)).Split('\n');
            return parts.Length == 3 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                ? new HistoryPosition(ticks, parts[1], parts[2])
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
