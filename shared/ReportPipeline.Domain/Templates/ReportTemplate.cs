using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Templates;

/// <summary>
/// A column of a department's report: either one field of the one table or an expression over fields.
/// <see cref="Headers"/> holds one text per header row (multi-row headers; equal neighbouring texts are merged in the workbook).
/// </summary>
public sealed record TemplateColumn
{
    public required string Id { get; init; }
    public required IReadOnlyList<string> Headers { get; init; }
    /// <summary>Excel number format, e.g. <c>#,##0</c> or <c>0.0%</c>.</summary>
    public string NumberFormat { get; init; } = "#,##0";
    public string? FieldId { get; init; }
    /// <summary>Parsed from the template's <c>expression</c> text, e.g. <c>ratio(party_members, population_registered)</c>.</summary>
    public ColumnExpression? Expression { get; init; }
    public string? Unit { get; init; }

    /// <summary>The fields the column reads: its field, or its expression's fields (the one answer every caller uses).</summary>
    public IReadOnlyList<string> FieldIds() => Expression is { } expression ? [.. expression.FieldIds()] : FieldId is { } id ? [id] : [];
}

/// <summary>A department's report (报表), generated from the one table.</summary>
public sealed record ReportTemplate
{
    public required string Id { get; init; }
    /// <summary>The code of the department that asks for the report (<see cref="Catalog.Department.Code"/>).</summary>
    public required string Department { get; init; }
    /// <summary>The department's name as the catalog's directory gives it, for workbooks and pages; the code when unknown.</summary>
    public string DepartmentName { get => field ?? Department; init; }
    public required string Title { get; init; }
    public required PeriodKind PeriodKind { get; init; }
    /// <summary>Upper levels that receive a consolidated workbook (township, district, city).</summary>
    public required IReadOnlyList<OrgLevel> AudienceLevels { get; init; }
    public required IReadOnlyList<TemplateColumn> Columns { get; init; }
    /// <summary>Days after the end of the period by which villages must report.</summary>
    public int DeadlineDays { get; init; } = 5;
    public string? Description { get; init; }

    public int HeaderRowCount => Columns.Count == 0 ? 0 : Columns.Max(c => c.Headers.Count);

    /// <summary>
    /// Whether an org of <paramref name="level"/> receives this report for a period of <paramref name="kind"/>: the one
    /// answer to "which reports does this office get for this period" (the reports list, downloads, the consolidation plans).
    /// </summary>
    public bool IsFor(OrgLevel level, PeriodKind kind) => PeriodKind == kind && AudienceLevels.Contains(level);

    /// <summary>Every field the template reads, once each, in column order.</summary>
    public IReadOnlyList<string> FieldIds() => [.. Columns.SelectMany(c => c.FieldIds()).Distinct(StringComparer.Ordinal)];
}
