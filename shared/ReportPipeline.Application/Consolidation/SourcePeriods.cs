using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Application.Consolidation;

/// <summary>
/// Where a template's values come from. Each field is stored for the periods of its own frequency; a coarser template
/// reads a finer field at the end of its period (期末数): a quarterly report takes a monthly field from the quarter's
/// last month, a yearly report from December (and a quarterly field from Q4).
/// </summary>
public static class SourcePeriods
{
    public static IReadOnlyDictionary<PeriodKind, Period> For(ReportTemplate template, FieldCatalog catalog, Period period)
    {
        var kinds = template.Columns
            .SelectMany(c => c.FieldIds())
            .Select(catalog.Find)
            .OfType<FieldDefinition>()
            .Select(f => f.Frequency)
            .Append(period.Kind)
            .Distinct();
        return kinds.ToDictionary(k => k, k => EndOf(period, k));
    }

    /// <summary>
    /// Where a field collected every <paramref name="kind"/> is read for <paramref name="period"/>: the finer period that
    /// ends with it (期末数, the domain's one rule <see cref="Period.SameEnd"/>), or the period itself otherwise.
    /// </summary>
    public static Period EndOf(Period period, PeriodKind kind) =>
        (int)kind < (int)period.Kind ? period.SameEnd(kind) ?? period : period;

    /// <summary>One org's values for the template: each field taken from the period of its frequency.</summary>
    /// <param name="fieldIds">The fields the template reads (others are left out); null: every field.</param>
    public static OrgValues Combine(
        string orgCode, Period period, FieldCatalog catalog, IReadOnlyDictionary<Period, OrgValues> bySource, IReadOnlyDictionary<PeriodKind, Period> sources,
        IReadOnlyCollection<string>? fieldIds = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(bySource);
        ArgumentNullException.ThrowIfNull(sources);
        var combined = new Dictionary<string, StoredValue>(fieldIds?.Count ?? 0, StringComparer.Ordinal);
        foreach (var (kind, source) in sources)
        {
            if (!bySource.TryGetValue(source, out var values))
            {
                continue;
            }

            if (fieldIds is not null)
            {
                foreach (var fieldId in fieldIds)
                {
                    if (values.Values.TryGetValue(fieldId, out var value) && catalog.Find(fieldId)?.Frequency == kind)
                    {
                        combined[fieldId] = value;
                    }
                }

                continue;
            }

            foreach (var (fieldId, value) in values.Values)
            {
                if (catalog.Find(fieldId)?.Frequency == kind)
                {
                    combined[fieldId] = value;
                }
            }
        }

        return new OrgValues(orgCode, period, combined);
    }
}
