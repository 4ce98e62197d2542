using System.Globalization;
using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Audit;

/// <summary>One record as <c>GET access-log</c> lists it.</summary>
public sealed record AccessRecordResponse(
    DateTimeOffset At, string Subject, string CallerOrg, string? CallerOrgName, string? Dept, string? DeptName,
    string Route, string Org, string? OrgName, string? Period, string? What, int Villages);

/// <summary>A page of the log, newest first.</summary>
public sealed record AccessLogResponse(
    string Org, string OrgName, DateTimeOffset From, DateTimeOffset To, int PageSize, IReadOnlyList<AccessRecordResponse> Records, string? ContinuationToken);

/// <summary>
/// <c>GET access-log?org={org}&amp;from=…&amp;to=…</c> (admins of the org or an ancestor; optional <c>pageSize</c> 1–500,
/// default 100, and <c>continuationToken</c>): every read of data of the org's subtree in the range, newest first.
/// <c>from</c> and <c>to</c> are ISO dates or times; the default is the last 30 days.
/// </summary>
public sealed class AccessLogApi(ApiRoute route, ReferenceData reference, IAccessLog log, TimeProvider time)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 500;

    public Task<IResult> GetAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var org = request.Query["org"].ToString();
        return route.RunAsync(request, ApiAction.ReadAccessLog, org, DefaultPeriod, async target =>
        {
            var query = request.Query;
            var now = time.GetUtcNow();
            if (!TryParseTime(query["to"].ToString(), now, endOfDay: true, out var to) || !TryParseTime(query["from"].ToString(), to.AddDays(-30), endOfDay: false, out var from))
            {
                return Problems.BadRequest("from 和 to 应为日期（如 2026-11-01）或 ISO 时间（如 2026-11-01T08:00:00+08:00）。", "bad-time-range");
            }

            if (from >= to)
            {
                return Problems.BadRequest("from 应早于 to。", "bad-time-range");
            }

            var pageSize = DefaultPageSize;
            var sizeText = query["pageSize"].ToString();
            if (sizeText.Length > 0 && (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > MaxPageSize))
            {
                return Problems.BadRequest($"pageSize 应为 1–{MaxPageSize} 的整数，收到“{UserText.Excerpt(sizeText)}”。", "bad-page-size");
            }

            var orgs = await reference.GetOrgsAsync(cancellationToken);
            var token = query["continuationToken"].ToString();
            AccessLogPage page;
            try
            {
                page = await log.ReadAsync(from, to, code => orgs.IsInSubtree(target.Org.Code, code), pageSize, token.Length == 0 ? null : token, cancellationToken);
            }
            catch (FormatException)
            {
                return Problems.BadRequest("continuationToken 无效：请使用上一页返回的 continuationToken。", "bad-continuation-token");
            }

            var departments = (await reference.CatalogForAsync(null, cancellationToken)).Catalog.Departments;
            string? NameOf(string code) => orgs.TryGet(code, out var found) ? found.Name : null;
            return Results.Json(new AccessLogResponse(
                target.Org.Code, target.Org.Name, from, to, pageSize,
                [.. page.Records.Select(r => new AccessRecordResponse(
                    r.At, r.Subject, r.CallerOrg, NameOf(r.CallerOrg), r.Dept, r.Dept is null ? null : departments.NameOf(r.Dept),
                    r.Route, r.Org, NameOf(r.Org), r.Period, r.What, r.Villages))],
                page.ContinuationToken));
        }, cancellationToken);
    }

    // The shared route helper parses a period; the log is ranged by time instead, so it is handed a fixed valid one.
    private const string DefaultPeriod = "2026";

    private static bool TryParseTime(string text, DateTimeOffset fallback, bool endOfDay, out DateTimeOffset value)
    {
        if (text.Length == 0)
        {
            value = fallback;
            return true;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            // A date is a day of the display clock's zone (Pipeline__TimeZone), the day an office means.
            var midnight = date.ToDateTime(TimeOnly.MinValue);
            var start = new DateTimeOffset(midnight, Domain.Periods.DisplayClock.Zone.GetUtcOffset(midnight));
            value = endOfDay ? start.AddDays(1) : start;
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }
}
