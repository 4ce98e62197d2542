using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Governance;

/// <summary>
/// <c>POST /api/templates/check</c> (admin): a proposed department report — template JSON, or an .xlsx whose header rows
/// are the department's columns — against the one table. 200 with a verdict per column and the extra entries per village
/// per year; 422 when a "new" column is an existing field under another name (or a column is invalid), each listed.
/// Query for an .xlsx: <c>periodKind</c> (month, quarter, year; default month), <c>title</c>, <c>headerRows</c> (1–10).
/// </summary>
public sealed class TemplateCheckApi(
    ReferenceData reference,
    IRequestAuthorizer authorizer,
    ITemplateHeaderReader headerReader,
    ILogger<TemplateCheckApi> logger)
{
    /// <summary>A template JSON of 500 columns is ≈ 100 KB and a header-only workbook a few tens of KB; 1 MiB leaves room and no more.</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    private const string ProblemType = "https://reportpipeline.example/problems/";
    private const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public async Task<IResult> CheckAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (caller, failure) = await authorizer.AuthorizeAsync(request, ApiAction.CheckTemplateDesign, "", cancellationToken);
        if (failure is not null)
        {
            return failure;
        }

        var mediaType = (request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        var isJson = mediaType is "application/json" or "text/json";
        var isXlsx = mediaType is XlsxContentType or "application/octet-stream";
        if (!isJson && !isXlsx)
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "不支持的文件类型",
                $"不支持的 Content-Type“{UserText.Excerpt(request.ContentType ?? "（未提供）")}”：请提交报表模板 JSON（application/json）或表头工作簿（.xlsx）。", "unsupported-media-type");
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return TooLarge();
        }

        var body = await ReadBodyAsync(request, cancellationToken);
        if (body is null)
        {
            return TooLarge();
        }

        if (body.Length == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "请求格式错误", "请求体为空：请提交报表模板 JSON 或表头工作簿。", "empty-body");
        }

        TemplateProposal proposal;
        try
        {
            proposal = isJson ? TemplateProposalJson.Parse(body) : ReadWorkbook(request, body);
        }
        catch (MalformedProposalException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "请求格式错误", ex.Message, "malformed-proposal");
        }

        var result = TemplateDesignCheck.Check(proposal, Admission.DesignCheckMatchers.For(reference.Catalog));
        logger.LogInformation(
            "Design check by {Subject} of {CallerOrg}: {Columns} columns, {Existing} existing, {Derivable} derivable, {NearMatches} near matches, {New} new, {Invalid} invalid",
            caller!.Subject, caller.OrgCode, result.Columns.Count, result.Existing, result.Derivable, result.NearMatches, result.New, result.Invalid);

        return result.IsRefused ? Refused(result) : Results.Json(Answer(result));
    }

    private TemplateProposal ReadWorkbook(HttpRequest request, byte[] body)
    {
        var kind = TemplateProposalJson.ParsePeriodKind(request.Query["periodKind"].ToString()) ?? PeriodKind.Month;
        int? headerRows = null;
        var rowsText = request.Query["headerRows"].ToString();
        if (rowsText.Length > 0)
        {
            if (!int.TryParse(rowsText, NumberStyles.None, CultureInfo.InvariantCulture, out var rows) || rows is < 1 or > ProposalLimits.MaxHeaderRows)
            {
                throw new MalformedProposalException($"headerRows 应为 1–{ProposalLimits.MaxHeaderRows} 的整数，收到“{UserText.Excerpt(rowsText)}”。");
            }

            headerRows = rows;
        }

        using var stream = new MemoryStream(body, writable: false);
        var headers = headerReader.ReadHeaders(stream, headerRows, ProposalLimits.MaxColumns);
        if (headers.Count == 0)
        {
            throw new MalformedProposalException("工作表的表头行是空的：请在第一张工作表上写出报表各列的表头。");
        }

        var title = request.Query["title"].ToString();
        return new TemplateProposal(title.Length == 0 ? null : title, null, kind, [.. headers.Select(h => new ProposedColumn(h))]);
    }

    internal static object Answer(TemplateDesignResult result) => new
    {
        title = result.Title,
        periodKind = result.PeriodKind.ToString().ToLowerInvariant(),
        periodsPerYear = result.PeriodsPerYear,
        catalogVersion = result.CatalogVersion,
        threshold = FieldNameMatcher.NearMatchThreshold,
        summary = new
        {
            columns = result.Columns.Count,
            existing = result.Existing,
            derivable = result.Derivable,
            nearMatches = result.NearMatches,
            @new = result.New,
            invalid = result.Invalid,
            extraEntriesPerVillagePerYear = result.ExtraEntriesPerVillagePerYear,
        },
        message = result.New == 0
            ? "该报表的每一列一表中都已有或可推算，村（社区）无需额外填报。"
            : $"该报表有 {result.New} 项新增指标，按{result.PeriodKind.ChineseName()}报送，每个村（社区）每年将多填 {result.ExtraEntriesPerVillagePerYear} 项。",
        columns = result.Columns.Select(ToJson),
    };

    private static IResult Refused(TemplateDesignResult result)
    {
        var offending = result.Columns.Where(c => c.Kind is ColumnVerdictKind.NearMatch or ColumnVerdictKind.Invalid).ToList();
        return Results.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "报表设计未通过检查",
            detail: $"共 {offending.Count} 列有问题：近似已有指标的列请直接引用已有指标（一表中已有的数据不再另起名称重复采集），有误的列请改正后重新检查。",
            type: ProblemType + "template-design",
            extensions: new Dictionary<string, object?>
            {
                ["threshold"] = FieldNameMatcher.NearMatchThreshold,
                ["errors"] = offending.Select(ToJson).ToList(),
                ["summary"] = new
                {
                    columns = result.Columns.Count,
                    existing = result.Existing,
                    derivable = result.Derivable,
                    nearMatches = result.NearMatches,
                    @new = result.New,
                    invalid = result.Invalid,
                },
            });
    }

    internal static object ToJson(ColumnVerdict c) => new
    {
        column = c.Index + 1,
        header = c.Header,
        verdict = c.Kind switch
        {
            ColumnVerdictKind.Existing => "existing",
            ColumnVerdictKind.Derivable => "derivable",
            ColumnVerdictKind.NearMatch => "nearMatch",
            ColumnVerdictKind.New => "new",
            _ => "invalid",
        },
        field = c.FieldId,
        fieldName = c.FieldName,
        matchedBy = c.MatchedBy?.ToString().ToLowerInvariant(),
        expression = c.Expression,
        candidates = c.Candidates.Select(k => new { field = k.FieldId, name = k.FieldName, matchedName = k.MatchedName, score = k.Score }),
        message = c.Message,
    };

    private static IResult TooLarge() =>
        Problem(StatusCodes.Status413PayloadTooLarge, "上传内容过大",
            $"报表设计超过允许的 {MaxBodyBytes / 1024} KB：请只提交模板 JSON 或只含表头的工作簿。", "too-large");

    private static IResult Problem(int status, string title, string detail, string type) =>
        Results.Problem(statusCode: status, title: title, detail: detail, type: ProblemType + type);

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
