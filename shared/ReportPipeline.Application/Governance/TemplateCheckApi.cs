using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Ingestion;
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
    ApiRoute route,
    RequestBodyReader bodies,
    ReferenceData reference,
    ITemplateHeaderReader headerReader,
    ILogger<TemplateCheckApi> logger)
{
    /// <summary>A template JSON of 500 columns is ≈ 100 KB and a header-only workbook a few tens of KB; 1 MiB leaves room and no more.</summary>
    public const long MaxBodyBytes = 1024 * 1024;


    public Task<IResult> CheckAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return route.RunAsync(request, ApiAction.CheckTemplateDesign, caller => CheckAsync(request, caller, cancellationToken), cancellationToken);
    }

    private async Task<IResult> CheckAsync(HttpRequest request, CallerIdentity caller, CancellationToken cancellationToken)
    {
        var format = UploadFormats.FromContentType(request.ContentType);
        var isXlsx = format == UploadFormat.Workbook
            || (request.ContentType ?? "").Split(';')[0].Trim().Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase);
        if (format != UploadFormat.Json && !isXlsx)
        {
            return Problems.UnsupportedMediaType(request.ContentType, "请提交报表模板 JSON（application/json）或表头工作簿（.xlsx）。");
        }

        TemplateProposal proposal;
        try
        {
            if (format == UploadFormat.Json)
            {
                using var json = await bodies.ReadJsonAsync(request, MaxBodyBytes, cancellationToken);
                if (json.Problem is not null)
                {
                    return json.Problem;
                }

                proposal = TemplateProposalJson.Parse(json.Bytes.Span);
            }
            else
            {
                if (request.ContentLength > MaxBodyBytes)
                {
                    return Problems.PayloadTooLarge(MaxBodyBytes);
                }

                var body = await bodies.ReadAsync(request, MaxBodyBytes, cancellationToken);
                switch (body.End)
                {
                    case BodyEnd.TooLarge:
                        return Problems.PayloadTooLarge(MaxBodyBytes);
                    case BodyEnd.Stalled:
                        return Problems.RequestTimeout();
                }

                if (body.Content!.Length == 0)
                {
                    return Problems.BadRequest("请求体为空：请提交报表模板 JSON 或表头工作簿。", "empty-body");
                }

                proposal = ReadWorkbook(request, body.Content);
            }
        }
        catch (MalformedProposalException ex)
        {
            return Problems.BadRequest(ex.Message, "malformed-proposal");
        }

        var result = TemplateDesignCheck.Check(proposal, Admission.DesignCheckMatchers.For(await reference.CatalogForAsync(null, cancellationToken)));
        logger.LogInformation(
            "Design check by {Subject} of {CallerOrg}: {Columns} columns, {Existing} existing, {Derivable} derivable, {NearMatches} near matches, {New} new, {Invalid} invalid",
            caller.Subject, caller.OrgCode, result.Columns.Count, result.Existing, result.Derivable, result.NearMatches, result.New, result.Invalid);

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
        return Problems.Problem(
            StatusCodes.Status422UnprocessableEntity,
            "报表设计未通过检查",
            $"共 {offending.Count} 列有问题：近似已有指标的列请直接引用已有指标（一表中已有的数据不再另起名称重复采集），有误的列请改正后重新检查。",
            "template-design",
            new Dictionary<string, object?>
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
}
