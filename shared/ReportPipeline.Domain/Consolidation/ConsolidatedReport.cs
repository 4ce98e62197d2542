using System.Globalization;
using ReportPipeline.Domain.Burden;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Quality;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Domain.Consolidation;

public enum ReportRowKind
{
    /// <summary>One subordinate unit (a village, or a township/district aggregated from its villages).</summary>
    Unit,
    /// <summary>The sum of one intermediate level (e.g. a township's villages on a district's detail sheet).</summary>
    Subtotal,
    /// <summary>The grand total of the section.</summary>
    Total,
}

public enum ReportingStatus
{
    Reported,
    Late,
    Missing,
}

/// <summary>One cell: a number, a text (for text, enum, date and boolean fields), or nothing (null both).</summary>
public readonly record struct ReportCell(decimal? Number, string? Text)
{
    public static readonly ReportCell Empty = new(null, null);
    public bool IsEmpty => Number is null && Text is null;
}

/// <summary>
/// A row of a section. A row with <see cref="ReportedCount"/> 0 is shown as 未报 and its cells are empty (never zero).
/// <see cref="Expected"/> counts villages: 1 for a village row, the villages below for an aggregate row.
/// </summary>
public sealed record ReportRow
{
    public required ReportRowKind Kind { get; init; }
    public string? OrgCode { get; init; }
    public required string Name { get; init; }
    /// <summary>The parent unit's name on detail sheets (the township of a village, the district of a township).</summary>
    public string? GroupName { get; init; }
    public required IReadOnlyList<ReportCell> Cells { get; init; }
    public required int Expected { get; init; }
    public required int ReportedCount { get; init; }
    public int LateCount { get; init; }
    /// <summary>Submissions behind the row's numbers (provenance).</summary>
    public IReadOnlyList<string> SubmissionIds { get; init; } = [];
    public DateTimeOffset? LatestReceivedAt { get; init; }
    /// <summary>The unit's 审核状态 (unit rows only; null when the workbook shows no review states).</summary>
    public string? Approval { get; init; }

    public int MissingCount => Expected - ReportedCount;
    public bool IsReported => ReportedCount > 0;
    /// <summary>A single village: its counts go without saying.</summary>
    public bool IsSingleUnit => Kind == ReportRowKind.Unit && Expected == 1;

    /// <summary>The row's first-column text, e.g. <c>合计（应报30，已报27，未报3）</c>.</summary>
    public string Label => IsSingleUnit || (Kind == ReportRowKind.Unit && MissingCount == 0)
        ? Name
        : string.Create(CultureInfo.InvariantCulture, $"{Name}（应报{Expected}，已报{ReportedCount}，未报{MissingCount}）");
}

/// <summary>A block of rows with its own sheet: the main sheet, or a detail sheet for district and city workbooks.</summary>
public sealed record ReportSection(string Title, string UnitHeader, IReadOnlyList<ReportRow> Rows);

/// <summary>One village's reporting state for the 填报情况 sheet.</summary>
public sealed record CompletenessRow(
    string OrgCode,
    string Name,
    string? TownshipName,
    string? DistrictName,
    ReportingStatus Status,
    DateTimeOffset? ReceivedAt,
    string? SubmissionId,
    string? Channel)
{
    /// <summary>The village's 审核状态 (null when the workbook shows no review states).</summary>
    public string? Approval { get; init; }
}

/// <summary>One column of the template explained for the 指标说明 sheet.</summary>
public sealed record ColumnDefinition(
    string ColumnId,
    string Header,
    string Source,
    string Unit,
    string Departments,
    string Aggregation);

/// <summary>
/// What the workbook was built from, so the timer can skip an unchanged workbook: the number of receipts, the latest
/// receipt or value time, and a hash over every input's identity and time.
/// </summary>
public sealed record InputWatermark(int ReceiptCount, DateTimeOffset? Latest, string Hash)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"n={ReceiptCount};at={Latest?.UtcTicks ?? 0};h={Hash}");
}

/// <summary>A consolidated department report for one upper-level org and period, ready to be written as a workbook.</summary>
public sealed record ConsolidatedReport
{
    public required ReportTemplate Template { get; init; }
    public required string CatalogVersion { get; init; }
    public required Org Org { get; init; }
    public required Period Period { get; init; }
    /// <summary>The last day to report for <see cref="Period"/>, from the reporting calendar (the same day /status names).</summary>
    public required DateOnly Deadline { get; init; }
    public required DateTimeOffset GeneratedAt { get; init; }
    public DateTimeOffset? DataAsOf { get; init; }
    public required ReportSection Main { get; init; }
    public IReadOnlyList<ReportSection> Details { get; init; } = [];
    public required IReadOnlyList<CompletenessRow> Completeness { get; init; }
    public required IReadOnlyList<ColumnDefinition> Definitions { get; init; }
    public required InputWatermark Watermark { get; init; }
    /// <summary>Set by the caller for city workbooks; written as the 减负统计 sheet.</summary>
    public BurdenFigures? Burden { get; init; }
    /// <summary>Flagged cells (数据质量): written as the 数据质量 sheet and highlighted where they appear.</summary>
    public IReadOnlyList<QualityFlag> Quality { get; init; } = [];
    /// <summary>What the workbook one level up needs from this one (stored for districts; not written to the workbook).</summary>
    public OrgRollup? Rollup { get; init; }

    public int ExpectedUnits => Completeness.Count;
    public int MissingUnits => Completeness.Count(c => c.Status == ReportingStatus.Missing);
    public int LateUnits => Completeness.Count(c => c.Status == ReportingStatus.Late);
}
