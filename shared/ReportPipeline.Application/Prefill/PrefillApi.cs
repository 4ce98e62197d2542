using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Audit;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Ingestion;
using ReportPipeline.Application.Options;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Prefill;

/// <summary>
/// <c>POST departments/{dept}/prefill/{period}</c> (an admin whose token names the department; <c>?dryRun=true</c> to
/// preview): a CSV (UTF-8 or GB18030) or .xlsx of one row per village, one column per field the department owns, pushed
/// down to the villages of the caller's subtree. 201 with the receipt (200 for a preview); 422 listing every error by
/// row, column and cell, nothing written.
/// </summary>
public sealed class PrefillApi(ApiRoute route, RequestBodyReader bodies, PrefillService prefill, UploadBudget budget, IOptions<PipelineOptions> options, AccessRecorder recorder)
{
    public Task<IResult> PushAsync(HttpRequest request, string dept, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.PushPrefill, async caller =>
        {
            var decision = AccessPolicy.DecideDepartment(caller, dept);
            if (!decision.IsAllowed)
            {
                return AuthResults.Forbidden(decision);
            }

            if (!Period.TryParse(period, out var parsed) || !parsed.IsSupported)
            {
                return Problems.BadRequest($"统计期“{UserText.Excerpt(period)}”格式不对或超出支持的范围，应为 2026（年）、2026-Q4（季度）或 2026-11（月）。", "bad-period");
            }

            var dryRunText = request.Query["dryRun"].ToString();
            if (dryRunText.Length > 0 && dryRunText is not ("true" or "false"))
            {
                return Problems.BadRequest("dryRun 只能是 true 或 false。", "bad-dry-run");
            }

            var declared = UploadFormats.FromContentType(request.ContentType);
            if ((declared is null && !UploadFormats.IsSniffed(request.ContentType)) || declared == UploadFormat.Json)
            {
                return Problems.UnsupportedMediaType(request.ContentType);
            }

            var limit = options.Value.MaxUploadBytes;
            if (request.ContentLength > limit)
            {
                return Problems.PayloadTooLarge(limit);
            }

            using var lease = budget.TryReserve(request.ContentLength ?? limit);
            if (lease is null)
            {
                return Problems.Busy(options.Value.RetryAfterSeconds);
            }

            var body = await bodies.ReadAsync(request, limit, cancellationToken);
            switch (body.End)
            {
                case BodyEnd.TooLarge:
                    return Problems.PayloadTooLarge(limit);
                case BodyEnd.Stalled:
                    return Problems.RequestTimeout();
            }

            var content = body.Content!;
            if (content.Length == 0)
            {
                return Problems.BadRequest("请求体为空：请上传下发数据文件（CSV 或 .xlsx）。", "empty-body");
            }

            var format = declared ?? UploadFormats.Sniff(content);
            if (format == UploadFormat.Json)
            {
                return Problems.UnsupportedMediaType(request.ContentType);
            }

            if (!lease.TryAdmitParsing(format, content))
            {
                return Problems.Busy(options.Value.RetryAfterSeconds);
            }

            var outcome = await prefill.PushAsync(
                new PrefillInput(dept, parsed, format, content, "prefill", caller.OrgCode, dryRunText == "true") { Subject = caller.Subject },
                cancellationToken);
            if (outcome.UnknownDepartment)
            {
                return Problems.NotFound(outcome.Errors[0].Message, "unknown-department");
            }

            if (outcome.Receipt is not { } receipt)
            {
                return Problems.Invalid(outcome.Errors, []);
            }

            // The receipt names villages and, for conflicts, what they typed: it is a read of their data too.
            recorder.Record(request, caller, ApiRoutes.Prefill, caller.OrgCode, receipt.Period, string.Join(",", receipt.Fields), receipt.Orgs);
            return Results.Json(receipt, statusCode: receipt.DryRun ? StatusCodes.Status200OK : StatusCodes.Status201Created);
        }, cancellationToken);
}
