using Microsoft.AspNetCore.Http;
using ReportPipeline.Domain.Validation;

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
        Create(StatusCodes.Status413PayloadTooLarge, "上传文件过大", $"上传内容超过允许的 {limit / 1024 / 1024.0:0.#} MB，请检查是否上传了错误的文件。", "too-large");

    public static IResult UnsupportedMediaType(string? contentType) =>
        Create(StatusCodes.Status415UnsupportedMediaType, "不支持的文件类型",
            $"不支持的 Content-Type“{contentType ?? "（未提供）"}”。请上传 JSON（application/json）、CSV（text/csv）或 Excel 填报表（.xlsx）。", "unsupported-media-type");

    public static IResult ServiceUnavailable(string detail) =>
        Create(StatusCodes.Status503ServiceUnavailable, "服务暂不可用", detail, "unavailable");

    /// <summary>
    /// At most this many errors (and warnings) are listed in one answer: a hostile or badly shaped file (50,000 unknown
    /// columns, 100,000 rows) would otherwise turn a small upload into a response of many megabytes. The detail still
    /// gives the full count, and the rejected copy keeps every error.
    /// </summary>
    public const int MaxListedErrors = 200;

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
                ["errors"] = errors.Take(MaxListedErrors).Select(ToJson).ToList(),
                ["warnings"] = warnings.Take(MaxListedErrors).Select(ToJson).ToList(),
            });

    private static IResult Create(int status, string title, string detail, string type) =>
        Results.Problem(statusCode: status, title: title, detail: detail, type: TypeBase + type);

    private static object ToJson(ValidationError e) => new { field = e.FieldId, cell = e.Cell, code = e.Code, message = e.Message };
}
