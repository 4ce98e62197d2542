using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Ingestion;
using ReportPipeline.Application.Options;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Values;
using ReportPipeline.Excel;

namespace ReportPipeline.Application.Http;

/// <summary><c>POST orgs/{org}/submissions/{period}</c> and <c>GET orgs/{org}/values/{period}</c>.</summary>
public sealed class SubmissionsApi(
    ApiRoute route,
    SubmissionService submissions,
    IFieldValueStore values,
    ReferenceData reference,
    UploadBudget budget,
    RequestBodyReader bodies,
    Audit.AccessRecorder recorder,
    IOptions<PipelineOptions> options,
    ILogger<SubmissionsApi> logger)
{
    /// <summary>
    /// Keys become part of a table row key, which is limited to 1 KiB and escapes many punctuation characters five-fold;
    /// a GUID or a ULID fits easily, and refusing anything else keeps a resend's key from failing half-way through a merge.
    /// </summary>
    private const int MaxIdempotencyKeyLength = 100;

    public Task<IResult> SubmitAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.Submit, org, period, (target, caller) => SubmitAsync(request, target, caller, cancellationToken), cancellationToken);

    public Task<IResult> GetValuesAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadValues, org, period, async (target, caller) =>
        {
            var stored = await values.GetAsync(target.Org.Code, target.Period, cancellationToken);
            var inForce = await reference.CatalogForAsync(target.Period, cancellationToken);
            var catalog = inForce.Catalog;
            var version = stored.Version ?? ValuesVersion.None;
            // A department's caller sees only the fields its templates read and it owns (AccessPolicy.ViewOf).
            var view = AccessPolicy.ViewOf(caller, inForce);
            if (view is not null)
            {
                stored = stored with { Values = stored.Values.Where(kv => view.MayReadField(kv.Key)).ToDictionary(StringComparer.Ordinal) };
            }

            recorder.Record(request, caller, Hosting.ApiRoutes.Values, target.Org.Code, target.Period.ToString(),
                view is null ? null : string.Join(",", stored.Values.Keys.Order(StringComparer.Ordinal)), stored.Values.Count > 0 ? 1 : 0);
            // The ETag is the values' content version: a submission prepared from them sends it back as If-Match.
            return Problems.WithHeader(Results.Json(new ValuesResponse(
                target.Org.Code,
                target.Org.Name,
                target.Period.ToString(),
                catalog.Version,
                stored.Values.Count,
                stored.LastChanged,
                stored.Values
                    .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                    .Select(kv => new StoredValueResponse(
                        kv.Key,
                        catalog.Find(kv.Key)?.Name,
                        catalog.Find(kv.Key)?.Unit,
                        kv.Value.Value.Canonical,
                        kv.Value.Origin.ToString(),
                        kv.Value.SourceId,
                        kv.Value.At,
                        kv.Value.ConflictsWithPrefill?.Canonical))
                    .ToList(),
                version)), "ETag", ValuesVersion.ETag(version));
        }, cancellationToken);

    private async Task<IResult> SubmitAsync(HttpRequest request, OrgPeriod target, CallerIdentity caller, CancellationToken cancellationToken)
    {
        var (village, period) = target;
        if (village.Level != OrgLevel.Village)
        {
            return Problems.BadRequest($"{village.Name}（{village.Code}）不是村（社区），只有村（社区）填报一表通。", "not-a-village");
        }

        var key = request.Headers["Idempotency-Key"].ToString().Trim();
        if (key.Length > 0 && !IsWellFormedIdempotencyKey(key))
        {
            return Problems.BadRequest(
                $"Idempotency-Key 请求头应为 1–{MaxIdempotencyKeyLength} 个英文字母、数字或 - _ . : 字符（例如一个 GUID），收到的值不符合要求。",
                "bad-idempotency-key");
        }

        var ifMatch = request.Headers.IfMatch;
        string? expectedVersion = null;
        if (ifMatch.Count > 1 || (ifMatch.Count == 1 && !ValuesVersion.TryParseIfMatch(ifMatch.ToString(), out expectedVersion)))
        {
            return Problems.BadRequest(
                "If-Match 请求头应为读取数值（GET …/values/{period}）时返回的 ETag，原样放在英文双引号中（例如 \"1764300000000-S20261128090000abcdef0123\"），或为 *；收到的值不符合要求。",
                "bad-if-match");
        }

        var declared = UploadFormats.FromContentType(request.ContentType);
        if (declared is null && !UploadFormats.IsSniffed(request.ContentType))
        {
            return Problems.UnsupportedMediaType(request.ContentType);
        }

        var settings = options.Value;
        var limit = settings.MaxUploadBytes;
        if (request.ContentLength > limit)
        {
            return Problems.PayloadTooLarge(limit);
        }

        // The body's memory is reserved before it is read (its declared length, or the limit when it is chunked).
        using var lease = budget.TryReserve(request.ContentLength ?? limit);
        if (lease is null)
        {
            return Busy(request);
        }

        var body = await bodies.ReadAsync(request, limit, cancellationToken);
        switch (body.End)
        {
            case BodyEnd.Stalled:
                return Problems.RequestTimeout();
            case BodyEnd.TooLarge:
                return Problems.PayloadTooLarge(limit);
        }

        var content = body.Content!;
        if (content.Length == 0)
        {
            return Problems.BadRequest("请求体为空：请上传填报内容。", "empty-body");
        }

        var format = declared ?? UploadFormats.Sniff(content);
        if (!lease.TryAdmitParsing(format, content))
        {
            return Busy(request);
        }

        SubmissionOutcome outcome;
        using (var storage = route.StorageBudget(cancellationToken))
        {
            try
            {
                outcome = await submissions.SubmitAsync(
                    new SubmissionInput(village.Code, period, format, content, "http", key.Length == 0 ? null : key) { Subject = caller.Subject, SubjectOrg = caller.OrgCode, ExpectedVersion = expectedVersion },
                    storage.Token);
            }
            catch (MalformedUploadException ex)
            {
                return Problems.BadRequest(ex.Message, "malformed-body");
            }
        }

        if (outcome.Locked)
        {
            return Governance.ApprovalProblems.Locked(outcome.Errors[0].Message);
        }

        if (outcome.Changed is { } changed)
        {
            return Problems.PreconditionFailed(outcome.Errors[0].Message, changed, (await reference.CatalogForAsync(null, cancellationToken)).Catalog);
        }

        if (!outcome.Accepted)
        {
            return Problems.Invalid(outcome.Errors, outcome.Warnings);
        }

        var receipt = outcome.Receipt!;
        var response = new SubmissionResponse(
            receipt.SubmissionId,
            receipt.OrgCode,
            village.Name,
            receipt.Period.ToString(),
            receipt.ReceivedAt,
            receipt.Changed,
            receipt.Unchanged,
            receipt.ConfirmedPrefill,
            receipt.PrefillConflicts,
            receipt.IsReplay,
            Problems.Listed(outcome.Warnings),
            receipt.IsReplay
                ? $"此前已收到相同的填报（回执 {receipt.SubmissionId}），本次未重复保存。"
                : $"已收到 {village.Name} {period.ToDisplayString()} 的填报：更新 {receipt.Changed} 项，未变 {receipt.Unchanged} 项，确认预填 {receipt.ConfirmedPrefill} 项。");
        return Results.Json(response, statusCode: receipt.IsReplay ? StatusCodes.Status200OK : StatusCodes.Status201Created);
    }

    private IResult Busy(HttpRequest request)
    {
        logger.LogWarning(
            "Upload refused with 503: {InFlight} of {Capacity} bytes of uploads in flight ({Path})",
            budget.InFlight, budget.Capacity, request.Path.Value);
        return Problems.Busy(options.Value.RetryAfterSeconds);
    }

    private static bool IsWellFormedIdempotencyKey(string key) =>
        key.Length <= MaxIdempotencyKeyLength && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
