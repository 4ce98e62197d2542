using System.Globalization;
using System.Text.Json;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Domain.Templates;

/// <summary>Thrown when a proposal cannot be read at all (not JSON, not a workbook); the message is Chinese and bounded.</summary>
public sealed class MalformedProposalException : Exception
{
    public MalformedProposalException(string message)
        : base(message)
    {
    }

    public MalformedProposalException()
    {
    }

    public MalformedProposalException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Limits on what a department may send for a design check; a real report has 10–200 columns and a few header rows.</summary>
public static class ProposalLimits
{
    public const int MaxColumns = 500;
    public const int MaxHeaderRows = 10;
    /// <summary>Longer header texts are cut here before matching (and quoted shorter still).</summary>
    public const int MaxHeaderLength = 200;
}

/// <summary>
/// Reads a proposed template in the catalog's template JSON shape (<c>title</c>, <c>department</c>, <c>periodKind</c>,
/// <c>columns[{headers, field?, expression?}]</c>). Unlike the catalog loader it accepts columns with neither field nor
/// expression: those are the department's own columns, classified by their headers.
/// </summary>
public static class TemplateProposalJson
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 16,
    };

    /// <exception cref="MalformedProposalException">Not JSON, not an object, no columns, too many columns, or a bad period kind.</exception>
    public static TemplateProposal Parse(ReadOnlySpan<byte> json)
    {
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, s_options);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? string.Create(CultureInfo.InvariantCulture, $"第 {line + 1} 行附近") : "";
            throw new MalformedProposalException($"报表设计不是有效的 JSON{where}：请提交一表通报表模板格式（title、periodKind、columns）的 JSON。", ex);
        }

        if (document is null)
        {
            throw new MalformedProposalException("报表设计为空：请提交包含 columns 的 JSON 对象。");
        }

        var kind = ParsePeriodKind(document.PeriodKind) ?? PeriodKind.Month;
        if (document.Columns is null || document.Columns.Count == 0)
        {
            throw new MalformedProposalException("报表设计没有列 columns：请至少列出一列及其表头 headers。");
        }

        if (document.Columns.Count > ProposalLimits.MaxColumns)
        {
            throw new MalformedProposalException(string.Create(CultureInfo.InvariantCulture,
                $"报表设计有 {document.Columns.Count} 列，超过上限 {ProposalLimits.MaxColumns} 列：请分成几张报表检查。"));
        }

        var columns = document.Columns.Select(c => new ProposedColumn(
            [.. (c?.Headers ?? []).Take(ProposalLimits.MaxHeaderRows).Select(h => Cut(h ?? ""))],
            c?.Id is null ? null : Cut(c.Id),
            c?.Field is null ? null : Cut(c.Field),
            c?.Expression is null ? null : Cut(c.Expression, 1000))).ToList();
        return new TemplateProposal(document.Title is null ? null : Cut(document.Title), document.Department is null ? null : Cut(document.Department), kind, columns);
    }

    /// <summary>month / quarter / year (also 月 / 季度 / 年); null when absent.</summary>
    /// <exception cref="MalformedProposalException">Any other text.</exception>
    public static PeriodKind? ParsePeriodKind(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "month" or "月" or "月报" => PeriodKind.Month,
        "quarter" or "季度" or "季" or "季报" => PeriodKind.Quarter,
        "year" or "年" or "年报" => PeriodKind.Year,
        _ => throw new MalformedProposalException($"报告期类型 periodKind“{UserText.Excerpt(text)}”无效，可用 month、quarter、year（月、季度、年）。"),
    };

    private static string Cut(string text, int max = ProposalLimits.MaxHeaderLength) => text.Length <= max ? text : text[..max];

    private sealed class Document
    {
        public string? Title { get; set; }
        public string? Department { get; set; }
        public string? PeriodKind { get; set; }
        public List<ColumnDocument?>? Columns { get; set; }
    }

    private sealed class ColumnDocument
    {
        public string? Id { get; set; }
        public List<string?>? Headers { get; set; }
        public string? Field { get; set; }
        public string? Expression { get; set; }
    }
}
