using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Governance;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Templates;
using ReportPipeline.Domain.Templates.Admission;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Admission;

/// <summary>
/// The routes of 报表准入: <c>POST/GET templates/proposals</c> (a department's admin proposes, with a <c>dept</c> claim),
/// <c>GET templates/proposals/{id}</c>, <c>POST templates/proposals/{id}/decision</c> (the city's admin only),
/// <c>GET templates?period=</c> (the 报表清单 in force) and <c>GET templates/{id}/history</c> (any signed-in caller).
/// </summary>
public sealed class AdmissionApi(ApiRoute route, RequestBodyReader bodies, AdmissionService admission, ReferenceData reference, ReportingCalendar calendar, TimeProvider time)
{

    public Task<IResult> ProposeAsync(HttpRequest request, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.CheckTemplateDesign, async caller =>
        {
            if (string.IsNullOrWhiteSpace(caller.Dept))
            {
                return Problem(403, "无权申请报表", "申请新报表需要部门管理员：令牌中应有所属部门（dept）。", "forbidden");
            }

            var mediaType = (request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
            if (mediaType is not ("application/json" or "text/json"))
            {
                return Problem(415, "不支持的文件类型",
                    $"不支持的 Content-Type“{UserText.Excerpt(request.ContentType ?? "（未提供）")}”：请提交 JSON {{\"template\": 报表模板, \"fields\": [新增指标], \"effectiveFrom\": \"2027-01\", \"reason\": 理由}}（表头工作簿可先用 POST /api/templates/check 检查）。", "unsupported-media-type");
            }

            var (body, unread) = await ReadBodyAsync(request, $"报表申请超过允许的 {TemplateCheckApi.MaxBodyBytes / 1024} KB。", cancellationToken);
            if (body is null)
            {
                return unread!;
            }

            AdmissionRequest parsed;
            try
            {
                parsed = AdmissionRequest.Parse(body);
            }
            catch (MalformedProposalException ex)
            {
                return Problem(400, "请求格式错误", ex.Message, "malformed-proposal");
            }

            var (record, refusal) = await admission.ProposeAsync(parsed, caller.Dept.Trim(), caller.Subject, caller.OrgCode, cancellationToken);
            return refusal is not null ? Refused(refusal) : Results.Json(Full(record!), statusCode: StatusCodes.Status201Created);
        }, cancellationToken);

    public Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadCatalog, async _ =>
        {
            var status = request.Query["status"].ToString();
            if (status.Length > 0 && !ProposalStatus.Listed.Contains(status, StringComparer.Ordinal))
            {
                return Problem(400, "请求格式错误", $"status 应为 {string.Join("、", ProposalStatus.Listed)} 之一，收到“{UserText.Excerpt(status)}”。", "bad-status");
            }

            var list = await admission.ListAsync(cancellationToken);
            return Results.Json(new
            {
                proposals = list.Where(p => status.Length == 0 || p.Status == status).Select(Summary),
            });
        }, cancellationToken);

    public Task<IResult> GetAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadCatalog, async _ =>
            await admission.GetAsync(SafeId(id), cancellationToken) is { } record
                ? Results.Json(Full(record))
                : Problem(404, "未找到", $"没有编号为“{UserText.Excerpt(id)}”的报表申请。", "unknown-proposal"), cancellationToken);

    public Task<IResult> DecideAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.CheckTemplateDesign, async caller =>
        {
            var orgs = await reference.GetOrgsAsync(cancellationToken);
            if (!orgs.TryGet(caller.OrgCode, out var org) || org.Level != OrgLevel.City)
            {
                return Problem(403, "无权决定报表准入", "报表准入由市级减负办决定：需要市级单位的管理员。", "forbidden");
            }

            var (body, unread) = await ReadBodyAsync(request, "决定内容过大。", cancellationToken);
            if (body is null)
            {
                return unread!;
            }

            string action, reason;
            string? effectiveFrom;
            try
            {
                using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 4 });
                var root = document.RootElement;
                action = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "";
                reason = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()!.Trim() : "";
                effectiveFrom = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("effectiveFrom", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                return Problem(400, "请求格式错误", "决定应为 JSON：{\"action\": \"admit\" | \"reject\" | \"return\", \"reason\": 理由, \"effectiveFrom\": \"2027-01\"}。", "malformed-decision");
            }

            if (action is not ("admit" or "reject" or "return"))
            {
                return Problem(400, "请求格式错误", $"action 应为 admit（准入）、reject（驳回）或 return（退回修改），收到“{UserText.Excerpt(action)}”。", "bad-action");
            }

            if (reason.Length is 0 or > AdmissionRequest.MaxReasonLength || reason.Any(char.IsSurrogate))
            {
                return Problem(400, "请求格式错误", $"请写明决定理由 reason（1–{AdmissionRequest.MaxReasonLength} 个字符）。", "bad-reason");
            }

            var (record, refusal) = await admission.DecideAsync(SafeId(id), action, reason, effectiveFrom, caller.Subject, caller.OrgCode, cancellationToken);
            return refusal is not null ? Refused(refusal) : Results.Json(Full(record!));
        }, cancellationToken);

    /// <summary>报表清单: the reports in force for a period (default: this month), with each one's cost per village and who admitted it.</summary>
    public Task<IResult> TemplatesAsync(HttpRequest request, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadCatalog, async _ =>
        {
            var text = request.Query["period"].ToString();
            var today = calendar.Today(time.GetUtcNow());
            var period = Period.Month(today.Year, today.Month);
            if (text.Length > 0 && (!Period.TryParse(text, out period) || !period.IsSupported))
            {
                return Problem(400, "请求格式错误", $"统计期“{UserText.Excerpt(text)}”格式不对，应为 2026（年）、2026-Q4（季度）或 2026-11（月）。", "bad-period");
            }

            var bundle = await reference.CatalogForAsync(period, cancellationToken);
            var admitted = (await admission.ListAsync(cancellationToken))
                .Where(p => p.Status == ProposalStatus.Admitted && p.Decision?.EffectiveFrom is { } from && Period.TryParse(from, out var f) && f.Start <= period.Start)
                .GroupBy(p => p.TemplateId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Decision!.At).First(), StringComparer.Ordinal);
            var templates = bundle.Templates.Select(t => new
            {
                id = t.Id,
                department = t.DepartmentName,
                departmentCode = t.Department,
                title = t.Title,
                periodKind = t.PeriodKind.ToString().ToLowerInvariant(),
                frequency = t.PeriodKind.ChineseName(),
                columns = t.Columns.Select(c => new { headers = c.Headers, field = c.FieldId, expression = c.Expression?.ToString() }),
                entriesPerVillagePerYear = AdmissionService.EntriesPerVillagePerYear(t, bundle.Catalog),
                admitted = admitted.TryGetValue(t.Id, out var p)
                    ? new { at = p.Decision!.At, by = p.Decision.By, byOrg = p.Decision.ByOrg, proposal = p.Id, effectiveFrom = p.Decision.EffectiveFrom, version = p.Decision.Version }
                    : null,
            }).ToList();
            return Results.Json(new
            {
                period = period.ToString(),
                catalogVersion = bundle.Catalog.Version,
                count = templates.Count,
                entriesPerVillagePerYear = templates.Sum(t => t.entriesPerVillagePerYear),
                templates,
            });
        }, cancellationToken);

    public Task<IResult> HistoryAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadCatalog, async _ =>
        {
            var proposals = (await admission.ListAsync(cancellationToken)).Where(p => p.TemplateId == id).OrderBy(p => p.ProposedAt).ToList();
            var current = (await reference.CatalogForAsync(null, cancellationToken)).FindTemplate(id);
            if (current is null && proposals.Count == 0)
            {
                return Problem(404, "未找到", $"没有编号为“{UserText.Excerpt(id)}”的报表。", "unknown-template");
            }

            return Results.Json(new
            {
                id,
                title = current?.Title,
                department = current?.Department,
                shipped = current is not null && !proposals.Any(p => p.Status == ProposalStatus.Admitted),
                proposals = proposals.Select(Summary),
            });
        }, cancellationToken);

    private static object Summary(ProposalRecord p) => new
    {
        id = p.Id,
        status = p.Status,
        statusText = ProposalStatus.Chinese(p.Status),
        department = p.Department,
        templateId = p.TemplateId,
        title = p.Title,
        periodKind = p.PeriodKind,
        effectiveFrom = p.EffectiveFrom,
        proposedBy = p.ProposedBy,
        proposedByOrg = p.ProposedByOrg,
        proposedAt = p.ProposedAt,
        reason = p.Reason,
        burden = p.Burden,
        decision = p.Decision,
    };

    private static object Full(ProposalRecord p) => new
    {
        id = p.Id,
        status = p.Status,
        statusText = ProposalStatus.Chinese(p.Status),
        department = p.Department,
        templateId = p.TemplateId,
        title = p.Title,
        periodKind = p.PeriodKind,
        effectiveFrom = p.EffectiveFrom,
        proposedBy = p.ProposedBy,
        proposedByOrg = p.ProposedByOrg,
        proposedAt = p.ProposedAt,
        reason = p.Reason,
        checkedAgainst = p.CheckedAgainst,
        check = p.Check,
        burden = p.Burden,
        decision = p.Decision,
        history = p.History,
        template = p.Template,
        fields = p.Fields,
    };

    /// <summary>Ids are ours (<c>p</c> + digits and hex); anything else cannot name a proposal, and must not reach a blob name.</summary>
    private static string SafeId(string id) =>
        id.Length is > 1 and <= 40 && id.All(char.IsAsciiLetterOrDigit) ? id : "-";

    private static IResult Refused(AdmissionRefusal refusal) =>
        Problems.Problem(refusal.Status, refusal.Title, refusal.Detail, refusal.Type,
            new Dictionary<string, object?> { ["errors"] = refusal.Errors, ["check"] = refusal.Check });

    private static IResult Problem(int status, string title, string detail, string type) =>
        Problems.Problem(status, title, detail, type);

    /// <summary>
    /// The body through the one body reader (idle timeout, a hang-up answered as such), or the answer when it ended
    /// otherwise: 413 with <paramref name="tooLarge"/> above the limit, 408 when it stalled.
    /// </summary>
    private async Task<(byte[]? Body, IResult? Refusal)> ReadBodyAsync(HttpRequest request, string tooLarge, CancellationToken cancellationToken)
    {
        var read = await bodies.ReadAsync(request, TemplateCheckApi.MaxBodyBytes, cancellationToken);
        switch (read.End)
        {
            case BodyEnd.TooLarge:
                return (null, Problem(413, "上传内容过大", tooLarge, "too-large"));
            case BodyEnd.Stalled:
                return (null, Problems.RequestTimeout());
            default:
                return (read.Content, null);
        }
    }
}
