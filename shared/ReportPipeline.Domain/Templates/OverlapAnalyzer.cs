using ReportPipeline.Domain.Catalog;

namespace ReportPipeline.Domain.Templates;

public enum ColumnOverlap
{
    /// <summary>The one table already holds it: another template asks for the same field, or an upper-level source pre-fills it.</summary>
    Held,
    /// <summary>Computed from fields (an expression column, or a derived field): nobody needs to type it.</summary>
    Derivable,
    /// <summary>A field only this template asks for: the only genuinely new collection burden.</summary>
    New,
}

/// <summary>One column of one template, classified. <see cref="OtherTemplates"/> lists the other templates asking for the same field.</summary>
public sealed record ColumnOverlapEntry(string ColumnId, string Header, IReadOnlyList<string> FieldIds, ColumnOverlap Kind, IReadOnlyList<string> OtherTemplates);

public sealed record TemplateOverlap(string TemplateId, string Department, string Title, IReadOnlyList<ColumnOverlapEntry> Columns)
{
    public int Held => Columns.Count(c => c.Kind is ColumnOverlap.Held);
    public int Derivable => Columns.Count(c => c.Kind is ColumnOverlap.Derivable);
    public int New => Columns.Count(c => c.Kind is ColumnOverlap.New);
    public int Total => Columns.Count;
}

/// <summary>
/// Catalog-wide figures: <see cref="OverlapRatio"/> = template columns ÷ distinct fields they use — how many times,
/// without the one table, the same items would be collected.
/// </summary>
public sealed record OverlapReport(
    string CatalogVersion,
    int FieldCount,
    int TemplateCount,
    int TotalColumns,
    int DistinctFieldsUsed,
    decimal OverlapRatio,
    IReadOnlyList<TemplateOverlap> Templates)
{
    /// <summary>Fields of the one table that the design check's matcher cannot tell apart (a shared alias, near names).</summary>
    public IReadOnlyList<NameConflict> NameConflicts { get; init; } = [];
}

/// <summary>Shows a department, before a form reaches a village, which of its columns are already collected.</summary>
public static class OverlapAnalyzer
{
    public static OverlapReport Analyze(CatalogBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var catalog = bundle.Catalog;
        var usedBy = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var template in bundle.Templates)
        {
            foreach (var id in template.Columns.SelectMany(c => c.FieldIds()))
            {
                (usedBy.TryGetValue(id, out var set) ? set : usedBy[id] = new SortedSet<string>(StringComparer.Ordinal)).Add(template.Id);
            }
        }

        var templates = bundle.Templates.Select(template => new TemplateOverlap(
            template.Id,
            template.DepartmentName,
            template.Title,
            [.. template.Columns.Select(column =>
            {
                var ids = column.FieldIds();
                var others = ids.SelectMany(id => usedBy.GetValueOrDefault(id) ?? [])
                    .Where(t => !string.Equals(t, template.Id, StringComparison.Ordinal))
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)
                    .ToList();
                var field = column.FieldId is null ? null : catalog.Find(column.FieldId);
                var kind = column.Expression is not null || field?.Source is FieldSource.Derived
                    ? ColumnOverlap.Derivable
                    : others.Count > 0 || field?.Source is FieldSource.Prefilled
                        ? ColumnOverlap.Held
                        : ColumnOverlap.New;
                return new ColumnOverlapEntry(column.Id, string.Join("/", column.Headers.Distinct()), ids, kind, others);
            })])).ToList();

        var totalColumns = templates.Sum(t => t.Total);
        var distinct = usedBy.Count;
        return new OverlapReport(
            catalog.Version,
            catalog.Fields.Count,
            bundle.Templates.Count,
            totalColumns,
            distinct,
            distinct == 0 ? 0 : Math.Round((decimal)totalColumns / distinct, 2),
            templates)
        {
            NameConflicts = new FieldNameMatcher(catalog).FindConflicts(),
        };
    }
}
