using System.Globalization;
using Microsoft.AspNetCore.Http;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Quality;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Application.Http;

/// <summary>RFC 7807 problem+json results with Chinese details, the only error shape the API returns.</summary>
public static class Problems
{
    private const string TypeBase = "https://reportpipeline.example/problems/";

    public static IResult BadRequest(string detail, string type = "bad-request") =>
        Create(StatusCodes.Status400BadRequest, "请求格式错误", detail, type);

    public static IResult NotFound(string detail, string type = "not-found") =>
        Create(StatusCodes.Status404NotFound, "未找到", detail, type);

    public static IResult PayloadTooLarge(long limit) =>
        Create(StatusCodes.Status413PayloadTooLarge, "上传文件过大", $"上传内容超过允许的 {SizeText(limit)}，请检查是否上传了错误的文件。", "too-large");

    /// <summary>What a submission may be: the default of <see cref="UnsupportedMediaType"/>.</summary>
    public const string SubmissionFormats = "请上传 JSON（application/json）、CSV（text/csv）或 Excel 填报表（.xlsx）。";

    /// <summary>What the routes that take only JSON (approval steps, feedback) accept.</summary>
    public const string JsonOnly = "请以 JSON 提交（Content-Type: application/json，UTF-8 编码）。";

    public static IResult UnsupportedMediaType(string? contentType, string expected = SubmissionFormats) =>
        Create(StatusCodes.Status415UnsupportedMediaType, "不支持的文件类型",
            $"不支持的 Content-Type“{(string.IsNullOrEmpty(contentType) ? "（未提供）" : UserText.Excerpt(contentType))}”。{expected}", "unsupported-media-type");

    private static string SizeText(long bytes) => bytes >= 1024 * 1024
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024 / 1024.0:0.#} MB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB");

    public static IResult ServiceUnavailable(string detail) =>
        Create(StatusCodes.Status503ServiceUnavailable, "服务暂不可用", detail, "unavailable");

    /// <summary>
    /// The client stopped sending the body (stalled, or too slow for the server): a 408, nothing was saved, and the
    /// answer says <c>Connection: close</c>, since the server closes the connection rather than waiting on for the rest
    /// of the body (RFC 9110, 15.5.9). Every route that reads a body answers a stall with this one result.
    /// </summary>
    public static IResult RequestTimeout() => WithHeader(
        Create(StatusCodes.Status408RequestTimeout, "上传中断", "上传内容没有完整到达（连接中断或长时间没有数据），本次未保存任何数据，请重新上传。", "request-timeout"),
        "Connection", "close");

    /// <summary>
    /// Storage failed or did not answer within the request's budget. The words depend on what the request was: a read
    /// (GET, HEAD) is told to refresh later; a write that sent nothing is told that nothing was saved; a write that may
    /// have reached storage is told that its outcome is unknown and that a resend is safe (every write is idempotent).
    /// </summary>
    public static IResult StorageUnavailable(HttpRequest request, bool writeSent, int retryAfterSeconds)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problem = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            ? Create(StatusCodes.Status503ServiceUnavailable, "存储服务暂不可用",
                $"存储服务暂时无法访问，暂时读取不到数据，请稍后刷新（约 {retryAfterSeconds} 秒后）。", "storage-unavailable")
            : writeSent
                ? Create(StatusCodes.Status503ServiceUnavailable, "提交结果未知",
                    $"存储服务响应过慢，提交结果未知，可以安全地重新提交（重复提交不会重复保存）。请在 {retryAfterSeconds} 秒后重新提交，或稍后刷新查看是否已保存。", "storage-outcome-unknown")
                : Create(StatusCodes.Status503ServiceUnavailable, "存储服务暂不可用",
                    $"存储服务暂时无法访问，本次请求没有保存任何数据。请在 {retryAfterSeconds} 秒后重新提交；重复提交同样的内容是安全的，不会重复保存。", "storage-unavailable");
        return WithRetryAfter(problem, retryAfterSeconds);
    }

    /// <summary>Too many large uploads are being read at once on this instance.</summary>
    public static IResult Busy(int retryAfterSeconds) => WithRetryAfter(
        Create(StatusCodes.Status503ServiceUnavailable, "服务器繁忙",
            $"服务器正在处理较多的上传文件，本次上传没有保存任何数据。请在 {retryAfterSeconds} 秒后重新上传。", "busy"),
        retryAfterSeconds);

    /// <summary>
    /// At most this many errors (and warnings) are listed in one answer: a hostile or badly shaped file (50,000 unknown
    /// columns, 100,000 rows) would otherwise turn a small upload into a response of many megabytes. The detail still
    /// gives the full count, and the rejected copy keeps every error.
    /// </summary>
    public const int MaxListedErrors = 200;

    /// <summary>Characters of one error's field id or cell shown; a message is cut at <see cref="MaxMessageLength"/>.</summary>
    public const int MaxIdLength = 80;

    public const int MaxMessageLength = 400;

    /// <summary>422 listing every error (up to <see cref="MaxListedErrors"/>) with field id, cell, code and message.</summary>
    public static IResult Invalid(IReadOnlyList<ValidationError> errors, IReadOnlyList<ValidationError> warnings) =>
        Results.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "填报数据未通过校验",
            detail: errors.Count > MaxListedErrors
                ? $"共发现 {errors.Count} 处问题，下面列出前 {MaxListedErrors} 处，请检查是否上传了正确的文件；本次上传未保存任何数据。"
                : $"共发现 {errors.Count} 处问题，请逐条修改后重新上传；本次上传未保存任何数据。",
            type: TypeBase + "validation",
            extensions: new Dictionary<string, object?>
            {
                ["errors"] = Listed(errors),
                ["warnings"] = Listed(warnings),
            });

    /// <summary>
    /// Errors as the answer lists them: at most <see cref="MaxListedErrors"/>, each part bounded, so that the whole body
    /// stays under about 200 × 560 characters whatever the upload held and whoever wrote the message.
    /// </summary>
    public static IReadOnlyList<ProblemError> Listed(IReadOnlyList<ValidationError> errors) =>
        errors.Take(MaxListedErrors).Select(ProblemError.From).ToList();

    /// <summary>
    /// 412 (RFC 9110, 13.1.1): the values changed after the version the submission was prepared from; nothing was saved.
    /// Lists every changed field with the value stored now and the one sent, and gives the current version (as the ETag
    /// header and as <c>currentVersion</c>) to send again with.
    /// </summary>
    public static IResult PreconditionFailed(string detail, ValuesChangedException changed, FieldCatalog catalog) => WithHeader(
        Results.Problem(
            statusCode: StatusCodes.Status412PreconditionFailed,
            title: "数据已被他人更新",
            detail: detail,
            type: TypeBase + "values-changed",
            extensions: new Dictionary<string, object?>
            {
                ["currentVersion"] = changed.CurrentVersion,
                ["changed"] = changed.Changed.Select(c => new ChangedValueResponse(
                    c.FieldId,
                    catalog.Find(c.FieldId)?.Name,
                    catalog.Find(c.FieldId)?.Unit,
                    c.Current.Value.Canonical,
                    c.Current.Origin.ToString(),
                    c.Current.SourceId,
                    c.Current.At,
                    c.Submitted?.Canonical)).ToList(),
            }),
        "ETag", ValuesVersion.ETag(changed.CurrentVersion));

    private static IResult Create(int status, string title, string detail, string type) => Problem(status, title, detail, type);

    /// <summary>
    /// The one problem+json factory (RFC 9457): every answer of the API that is a problem is made here, with a Chinese
    /// title and detail and a <c>type</c> under the API's problem namespace; <paramref name="extensions"/> carry the lists
    /// (errors, warnings, what changed) a client acts on.
    /// </summary>
    public static IResult Problem(int status, string title, string detail, string type, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(statusCode: status, title: title, detail: detail, type: TypeBase + type, extensions: extensions);

    private static IResult WithRetryAfter(IResult inner, int seconds) =>
        WithHeader(inner, "Retry-After", seconds.ToString(CultureInfo.InvariantCulture));

    /// <summary>The result with one response header set.</summary>
    public static IResult WithHeader(IResult inner, string name, string value) => new HeaderResult(inner, name, value);

    private sealed class HeaderResult(IResult inner, string name, string value) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers[name] = value;
            return inner.ExecuteAsync(httpContext);
        }
    }
}

/// <summary>One error or warning as the API lists it.</summary>
public sealed record ProblemError(string? Field, string? Cell, string Code, string Message, string? Explanation = null)
{
    public static ProblemError From(ValidationError e) => new(
        e.FieldId is null ? null : UserText.Excerpt(e.FieldId, Problems.MaxIdLength),
        e.Cell is null ? null : UserText.Excerpt(e.Cell, Problems.MaxIdLength),
        e.Code,
        e.Message.Length <= Problems.MaxMessageLength ? e.Message : string.Concat(e.Message.AsSpan(0, Problems.MaxMessageLength), "…"),
        // The clerk's own words: quoted as a bounded excerpt, never echoed whole.
        e.Explanation is null ? null : UserText.Excerpt(e.Explanation, QualityExplanations.MaxLength));
}
