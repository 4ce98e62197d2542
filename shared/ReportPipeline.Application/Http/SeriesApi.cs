using System.Globalization;
using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Http;

/// <summary>One unit's line: the field's number per period (null: 未报, or no number), and how many villages reported.</summary>
public sealed record SeriesLineResponse(string Org, string Name, IReadOnlyList<decimal?> Values, IReadOnlyList<int> Reported);

/// <summary>The answer of <c>GET orgs/{org}/series/{field}?to=&amp;periods=</c>.</summary>
/// <param name="AsOf">
/// Per period, for a district or the city: when the oldest stored district sums used were written (the figures hold what
/// the districts' consolidation had taken in by then); null where the period was computed from the villages at the request.
/// </param>
/// <param name="CountedLive">Districts computed from their villages at the request (no stored sums yet) in some period.</param>
public sealed record SeriesResponse(
    string Org,
    string OrgName,
    string Field,
    string FieldName,
    string? Unit,
    IReadOnlyList<string> Periods,
    IReadOnlyList<string> Labels,
    string Aggregation,
    SeriesLineResponse Self,
    IReadOnlyList<SeriesLineResponse> Children,
    IReadOnlyList<DateTimeOffset?> AsOf,
    IReadOnlyList<string> CountedLive);

/// <summary>
/// <c>GET orgs/{org}/series/{field}?to={period}&amp;periods={n}</c> (viewers and admins of the org or an ancestor): the field
/// for the office and each of its direct children over the <c>n</c> periods (default 6, at most 24) ending at <c>to</c>,
/// by the workbooks' aggregation (<see cref="SeriesService"/>). One request draws the trend and the comparison.
/// </summary>
public sealed class SeriesApi(ApiRoute route, ReferenceData reference, SeriesService series)
{
    public const int DefaultPeriods = 6;

    public Task<IResult> GetAsync(HttpRequest request, string org, string field, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return route.RunAsync(request, ApiAction.ReadSeries, org, request.Query["to"].ToString(), async target =>
        {
            var countText = request.Query["periods"].ToString();
            var count = DefaultPeriods;
            if (countText.Length > 0 && (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > SeriesService.MaxPeriods))
            {
                return Problems.BadRequest($"期数 periods 应为 1 到 {SeriesService.MaxPeriods} 之间的整数，收到“{UserText.Excerpt(countText)}”。", "bad-periods");
            }

            if ((await reference.CatalogForAsync(null, cancellationToken)).Catalog.Find(field) is not { } definition)
            {
                return Problems.NotFound($"指标目录中没有编号为“{UserText.Excerpt(field)}”的指标。", "unknown-field");
            }

            if (definition.Frequency != target.Period.Kind)
            {
                return Problems.BadRequest(
                    $"指标“{definition.Name}”按{definition.Frequency.ChineseName()}填报，统计期 {target.Period} 是按{target.Period.Kind.ChineseName()}的统计期：请选择按{definition.Frequency.ChineseName()}的统计期。",
                    "field-frequency");
            }

            if (target.Org.Level == OrgLevel.Village)
            {
                return Problems.BadRequest($"{target.Org.Name}是村（社区），没有下级单位可以对比；趋势与对比请在乡镇（街道）及以上单位查看。", "series-needs-office");
            }

            FieldSeries found;
            using (var storage = route.StorageBudget(cancellationToken))
            {
                found = await series.GetAsync(target.Org, definition, target.Period, count, storage.Token);
            }

            static SeriesLineResponse Line(SeriesLine line) => new(line.Org, line.Name, line.Values, line.Reported);
            return Results.Json(new SeriesResponse(
                target.Org.Code,
                target.Org.Name,
                definition.Id,
                definition.Name,
                definition.Unit,
                [.. found.Periods.Select(p => p.ToString())],
                [.. found.Periods.Select(p => p.ToDisplayString())],
                Aggregation(definition),
                Line(found.Self),
                [.. found.Children.Select(Line)],
                found.AsOf,
                found.CountedLive));
        }, cancellationToken);
    }

    private static string Aggregation(FieldDefinition field) =>
        !field.IsNumeric ? "文本指标不汇总，没有数值"
        : ExpressionTree.OfField(field) is { IsAdditive: false } ? "比率由已报单位汇总后的分子、分母重新计算"
        : "已报单位求和（未报单位不计入）";
}
