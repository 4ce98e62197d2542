using ReportPipeline.Domain.Quality;

namespace ReportPipeline.Domain.Consolidation;

/// <summary>
/// The running sums behind one aggregate row, as they can be stored and merged again: per column the sum of additive
/// values, and for ratio columns the sums of their inputs over the units where the column has a value (a ratio of sums,
/// never a sum of ratios). Indexes follow the template's columns.
/// </summary>
public sealed record TallySnapshot
{
    public required string OrgCode { get; init; }
    public required int Expected { get; init; }
    public required int Reported { get; init; }
    public int Late { get; init; }
    public DateTimeOffset? Latest { get; init; }
    public IReadOnlyList<string> SubmissionIds { get; init; } = [];
    public required IReadOnlyList<decimal?> ColumnSums { get; init; }
    public required IReadOnlyList<IReadOnlyDictionary<string, decimal>?> InputSums { get; init; }
}

/// <summary>
/// What a workbook one level up needs from an org's workbook of the same template and period: the org's own totals, its
/// children's, every village's reporting state and the quality flags. The district pass stores one per (template,
/// district); the city workbook is assembled from its districts' roll-ups instead of reading every village again.
/// <see cref="Watermark"/> is the district workbook's input watermark: a roll-up whose watermark is not the one the
/// current receipts give is stale and is not used.
/// </summary>
public sealed record OrgRollup
{
    public required string TemplateId { get; init; }
    public required string Period { get; init; }
    public required string OrgCode { get; init; }
    public required string Watermark { get; init; }
    /// <summary>The template's column ids, in order: a roll-up of another template shape is not merged.</summary>
    public required IReadOnlyList<string> Columns { get; init; }
    public required TallySnapshot Self { get; init; }
    public required IReadOnlyList<TallySnapshot> Children { get; init; }
    public required IReadOnlyList<CompletenessRow> Completeness { get; init; }
    public IReadOnlyList<QualityFlag> Quality { get; init; } = [];
    /// <summary>The field catalog's version the columns were built with, where the reader needs to check it (the field sums).</summary>
    public string? CatalogVersion { get; init; }
    /// <summary>When the store last wrote it (set on reading).</summary>
    public DateTimeOffset? StoredAt { get; init; }
}
