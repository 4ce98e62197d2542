using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Feedback;
using ReportPipeline.Application.Forms;
using ReportPipeline.Application.Ingestion;
using ReportPipeline.Application.Options;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Forms;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Application.Http;

/// <summary>The routes of the contract. Each method: authorise, check the route values, call one service, shape the answer.</summary>
public sealed class PipelineHttpApi(
    ReferenceData reference,
    IRequestAuthorizer authorizer,
    IFieldValueStore values,
    SubmissionService submissions,
    FormService forms,
    StatusService status,
    ConsolidationService consolidation,
    BurdenService burden,
    FeedbackService feedback,
    IReportStore reports,
    IOptions<PipelineOptions> options,
    TimeProvider time) : IPipelineHttpApi
{
    private const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>
    /// Keys become part of a table row key, which is limited to 1 KiB and escapes many punctuation characters five-fold;
    /// a GUID or a ULID fits easily, and refusing anything else keeps a resend's key from failing half-way through a merge.
    /// </summary>
    private const int MaxIdempotencyKeyLength = 100;


    public async Task<IResult> GetHealthAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            // One table round trip and one blob round trip: both services the pipeline needs must answer.
            await values.GetAsync("000000000000", Period.OfYear(2000), cancellationToken);
            await reports.GetPropertiesAsync(Period.OfYear(2000), "health", "000000000000", cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Reporting failure is this route's job: whatever storage threw (a refusal, a timeout, Azure.Core's
            // AggregateException once its retries are spent), the answer is 503, not a 500.
            return Results.Json(new { status = "unhealthy", storage = "unreachable", error = ex.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return Results.Json(new
        {
            status = "healthy",
            storage = "reachable",
            storageLatencyMs = Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 1),
            catalogVersion = reference.Catalog.Catalog.Version,
            time = time.GetUtcNow(),
        });
    }

    public async Task<IResult> GetCatalogAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (caller, failure) = await AuthorizeAsync(request, ApiAction.ReadCatalog, "", cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var bundle = reference.Catalog;
        return Results.Json(CatalogView.Create(bundle, OverlapAnalyzer.Analyze(bundle)));
    }

    public async Task<IResult> GetFormAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken)
    {
        var (target, parsedPeriod, failure) = await PrepareAsync(request, ApiAction.ReadForm, org, period, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        if (target!.Level != OrgLevel.Village)
        {
            return Problems.NotFound($"{target.Name}（{target.Code}）不是村（社区），没有一表通填报表；上级单位请下载汇总表。", "not-a-village");
        }

        var form = await forms.BuildAsync(target, parsedPeriod, cancellationToken);
        return Download(form, $"一表通填报表_{target.Name}_{parsedPeriod}.xlsx");
    }

    public async Task<IResult> SubmitAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken)
    {
        var (target, parsedPeriod, failure) = await PrepareAsync(request, ApiAction.Submit, org, period, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        if (target!.Level != OrgLevel.Village)
        {
            return Problems.BadRequest($"{target.Name}（{target.Code}）不是村（社区），只有村（社区）填报一表通。", "not-a-village");
        }

        var key = request.Headers["Idempotency-Key"].ToString().Trim();
        if (key.Length > 0 && !IsWellFormedIdempotencyKey(key))
        {
            return Problems.BadRequest(
                $"Idempotency-Key 请求头应为 1–{MaxIdempotencyKeyLength} 个英文字母、数字或 - _ . : 字符（例如一个 GUID），收到的值不符合要求。",
                "bad-idempotency-key");
        }

        var format = UploadFormats.FromContentType(request.ContentType);
        if (format is null)
        {
            return Problems.UnsupportedMediaType(request.ContentType);
        }

        var limit = options.Value.MaxUploadBytes;
        if (request.ContentLength > limit)
        {
            return Problems.PayloadTooLarge(limit);
        }

        var body = await ReadBodyAsync(request, limit, cancellationToken);
        if (body is null)
        {
            return Problems.PayloadTooLarge(limit);
        }

        if (body.Length == 0)
        {
            return Problems.BadRequest("请求体为空：请上传填报内容。", "empty-body");
        }

        SubmissionOutcome outcome;
        try
        {
            outcome = await submissions.SubmitAsync(
                new SubmissionInput(target.Code, parsedPeriod, format.Value, body, "http", key.Length == 0 ? null : key),
                cancellationToken);
        }
        catch (MalformedUploadException ex)
        {
            return Problems.BadRequest(ex.Message, "malformed-body");
        }

        if (!outcome.Accepted)
        {
            return Problems.Invalid(outcome.Errors, outcome.Warnings);
        }

        var receipt = outcome.Receipt!;
        var bodyJson = new
        {
            submissionId = receipt.SubmissionId,
            org = receipt.OrgCode,
            orgName = target.Name,
            period = receipt.Period.ToString(),
            receivedAt = receipt.ReceivedAt,
            changed = receipt.Changed,
            unchanged = receipt.Unchanged,
            confirmedPrefill = receipt.ConfirmedPrefill,
            prefillConflicts = receipt.PrefillConflicts,
            replay = receipt.IsReplay,
            warnings = outcome.Warnings.Select(w => new { field = w.FieldId, cell = w.Cell, code = w.Code, message = w.Message }),
            message = receipt.IsReplay
                ? $"此前已收到相同的填报（回执 {receipt.SubmissionId}），本次未重复保存。"
                : $"已收到 {target.Name} {parsedPeriod.ToDisplayString()} 的填报：更新 {receipt.Changed} 项，未变 {receipt.Unchanged} 项，确认预填 {receipt.ConfirmedPrefill} 项。",
        };
        return receipt.IsReplay
            ? Results.Json(bodyJson, statusCode: StatusCodes.Status200OK)
            : Results.Json(bodyJson, statusCode: StatusCodes.Status201Created);
    }

    public async Task<IResult> GetValuesAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken)
    {
        var (target, parsedPeriod, failure) = await PrepareAsync(request, ApiAction.ReadValues, org, period, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var stored = await values.GetAsync(target!.Code, parsedPeriod, cancellationToken);
        var catalog = reference.Catalog.Catalog;
        return Results.Json(new
        {
            org = target.Code,
            orgName = target.Name,
            period = parsedPeriod.ToString(),
            catalogVersion = catalog.Version,
            count = stored.Values.Count,
            lastChanged = stored.LastChanged,
            values = stored.Values
                .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new
                {
                    field = kv.Key,
                    name = catalog.Find(kv.Key)?.Name,
                    unit = catalog.Find(kv.Key)?.Unit,
                    value = kv.Value.Value.Canonical,
                    origin = kv.Value.Origin.ToString(),
                    source = kv.Value.SourceId,
                    at = kv.Value.At,
                    prefillConflict = kv.Value.ConflictsWithPrefill?.Canonical,
                }),
        });
    }

    public async Task<IResult> GetStatusAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken)
    {
        var (target, parsedPeriod, failure) = await PrepareAsync(request, ApiAction.ReadStatus, org, period, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        return Results.Json(await status.GetAsync(target!, parsedPeriod, cancellationToken));
    }

    public async Task<IResult> GetReportAsync(HttpRequest request, string org, string period, string template, CancellationToken cancellationToken)
    {
        var (target, parsedPeriod, failure) = await PrepareAsync(request, ApiAction.ReadReport, org, period, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        if (CheckTemplate(template, target!, parsedPeriod) is { } templateProblem)
        {
            return templateProblem;
        }

        var stream = await reports.OpenReadAsync(parsedPeriod, template, target!.Code, cancellationToken);
        if (stream is null)
        {
            return Problems.NotFound(
                $"{target.Name} {parsedPeriod.ToDisplayString()} 的“{reference.Catalog.FindTemplate(template)!.Title}”汇总表尚未生成：定时汇总会在有村（社区）填报后生成，管理员也可以调用 build 立即生成。",
                "report-not-built");
        }

        var title = reference.Catalog.FindTemplate(template)!.Title;
        return Download(stream, $"{title}_{target.Name}_{parsedPeriod}.xlsx");
    }

    public async Task<IResult> BuildReportAsync(HttpRequest request, string org, string period, string template, CancellationToken cancellationToken)
    {
        var (target, parsedPeriod, failure) = await PrepareAsync(request, ApiAction.BuildReport, org, period, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        if (CheckTemplate(template, target!, parsedPeriod) is { } templateProblem)
        {
            return templateProblem;
        }

        var result = await consolidation.BuildAsync(reference.Catalog.FindTemplate(template)!, target!.Code, parsedPeriod, force: true, cancellationToken);
        return result.Outcome == BuildOutcome.Busy
            ? Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "正在生成", detail: "另一个实例正在生成这份汇总表，请稍后再试。")
            : Results.Json(result, statusCode: StatusCodes.Status200OK);
    }

    public async Task<IResult> GetBurdenAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken)
    {
        var (target, parsedPeriod, failure) = await PrepareAsync(request, ApiAction.ReadBurden, org, period, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        return Results.Json(await burden.ComputeAsync(target!, parsedPeriod, cancellationToken));
    }

    public async Task<IResult> PostFeedbackAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken)
    {
        var (target, parsedPeriod, failure) = await PrepareAsync(request, ApiAction.PostFeedback, org, period, cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var body = await ReadBodyAsync(request, 64 * 1024, cancellationToken);
        if (body is null)
        {
            return Problems.PayloadTooLarge(64 * 1024);
        }

        var result = await feedback.SubmitAsync(target!, parsedPeriod, body, cancellationToken);
        return result.Errors.Count > 0
            ? Problems.Invalid(result.Errors, [])
            : Results.Json(result, statusCode: StatusCodes.Status201Created);
    }

    private async Task<(CallerIdentity? Caller, IResult? Failure)> AuthorizeAsync(
        HttpRequest request, ApiAction action, string org, CancellationToken cancellationToken)
    {
        // The access policy reads the registry synchronously; make sure a fresh snapshot is loaded first.
        await reference.GetOrgsAsync(cancellationToken);
        return await authorizer.AuthorizeAsync(request, action, org, cancellationToken);
    }

    private async Task<(Org? Org, Period Period, IResult? Failure)> PrepareAsync(
        HttpRequest request, ApiAction action, string org, string period, CancellationToken cancellationToken)
    {
        var (_, failure) = await AuthorizeAsync(request, action, org, cancellationToken);
        if (failure is not null)
        {
            return (null, default, failure);
        }

        if (!Period.TryParse(period, out var parsedPeriod))
        {
            return (null, default, Problems.BadRequest($"统计期“{Shorten(period)}”格式不对，应为 2026（年）、2026-Q4（季度）或 2026-11（月）。", "bad-period"));
        }

        if (!parsedPeriod.IsSupported)
        {
            return (null, default, Problems.BadRequest($"统计期“{parsedPeriod}”超出支持的范围（{Period.FirstSupportedYear}–{Period.LastSupportedYear} 年）。", "period-out-of-range"));
        }

        var orgs = await reference.GetOrgsAsync(cancellationToken);
        return orgs.TryGet(org, out var target)
            ? (target, parsedPeriod, null)
            : (null, default, Problems.NotFound($"行政区划代码 {org} 不在单位名录中。", "unknown-org"));
    }

    private IResult? CheckTemplate(string templateId, Org org, Period period)
    {
        var template = reference.Catalog.FindTemplate(templateId);
        if (template is null)
        {
            return Problems.NotFound($"没有编号为“{templateId}”的报表。", "unknown-template");
        }

        if (!template.AudienceLevels.Contains(org.Level))
        {
            return Problems.NotFound($"“{template.Title}”不向{OrgRegistry.LevelName(org.Level)}单位汇总。", "not-an-audience");
        }

        return template.PeriodKind == period.Kind
            ? null
            : Problems.BadRequest($"“{template.Title}”按{template.PeriodKind.ChineseName()}报送，统计期“{period}”不适用。", "wrong-period-kind");
    }

    private static bool IsWellFormedIdempotencyKey(string key) =>
        key.Length <= MaxIdempotencyKeyLength && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static IResult Download(byte[] content, string fileName) =>
        new FileDownloadResult(new MemoryStream(content, writable: false), XlsxContentType, fileName);

    private static IResult Download(Stream content, string fileName) =>
        new FileDownloadResult(content, XlsxContentType, fileName);

}

/// <summary>
/// Streams a workbook with a Chinese download name: an ASCII fallback in <c>filename</c> and the UTF-8 name in
/// <c>filename*</c> (RFC 5987/6266), which every current browser prefers.
/// </summary>
internal sealed class FileDownloadResult(Stream content, string contentType, string fileName) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        var ascii = new string(fileName.Select(ch => ch is >= ' ' and < (char)127 and not '"' and not '\\' ? ch : '_').ToArray());
        response.Headers.ContentDisposition = $"attachment; filename=\"{ascii}\"; filename*=UTF-8''{Uri.EscapeDataString(fileName)}";
        if (content.CanSeek)
        {
            response.ContentLength = content.Length - content.Position;
        }

        await using (content)
        {
            await content.CopyToAsync(response.Body, httpContext.RequestAborted);
        }
    }
}
