using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Domain.Burden;

/// <summary>Computes <see cref="BurdenFigures"/> from the catalog, the templates of the period and the villages' stored values.</summary>
public static class BurdenCalculator
{
    public static BurdenFigures Compute(CatalogBundle bundle, string orgCode, Period period, IReadOnlyCollection<string> villageCodes, IReadOnlyDictionary<string, OrgValues> valuesByVillage)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return Compute(bundle.Catalog, bundle.Templates, orgCode, period, villageCodes, valuesByVillage);
    }

    /// <summary>Figures for the villages of <paramref name="orgCode"/>'s subtree in the registry.</summary>
    public static BurdenFigures Compute(CatalogBundle bundle, OrgRegistry orgs, string orgCode, Period period, IReadOnlyDictionary<string, OrgValues> valuesByVillage)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(orgs);
        return Compute(bundle.Catalog, bundle.Templates, orgCode, period, [.. orgs.Villages(orgCode).Select(v => v.Code)], valuesByVillage);
    }

    /// <summary>
    /// What the figures read: the fields the period's templates ask, each from the period of its own frequency at the
    /// end of <paramref name="period"/> (期末数, as the workbooks read them). The API and every city workbook read exactly
    /// these, so they count the same entries.
    /// </summary>
    public static IReadOnlyDictionary<Period, IReadOnlyCollection<string>> Inputs(FieldCatalog catalog, IReadOnlyList<ReportTemplate> templates, Period period)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(templates);
        return templates
            .Where(t => t.PeriodKind == period.Kind)
            .SelectMany(t => t.Columns.SelectMany(InputsOf))
            .Distinct(StringComparer.Ordinal)
            .Select(catalog.Find)
            .OfType<FieldDefinition>()
            .GroupBy(f => period.SameEnd(f.Frequency) ?? period)
            .ToDictionary(g => g.Key, g => (IReadOnlyCollection<string>)[.. g.Select(f => f.Id)]);
    }

    /// <param name="templates">All templates; those reported at another frequency than <paramref name="period"/> are left out.</param>
    /// <param name="villageCodes">The villages of the org's subtree.</param>
    public static BurdenFigures Compute(
        FieldCatalog catalog,
        IReadOnlyList<ReportTemplate> templates,
        string orgCode,
        Period period,
        IReadOnlyCollection<string> villageCodes,
        IReadOnlyDictionary<string, OrgValues> valuesByVillage)
    {
        ArgumentNullException.ThrowIfNull(villageCodes);
        return Figures(catalog, templates, orgCode, period, Count(catalog, templates, period, villageCodes, valuesByVillage));
    }

    /// <summary>
    /// The entries behind the figures for some villages. Counts add up: a city's are the sum of its districts', so the
    /// city workbook takes them from the districts' roll-ups instead of reading every village again.
    /// </summary>
    public static BurdenCounts Count(
        FieldCatalog catalog,
        IReadOnlyList<ReportTemplate> templates,
        Period period,
        IReadOnlyCollection<string> villageCodes,
        IReadOnlyDictionary<string, OrgValues> valuesByVillage)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(villageCodes);
        ArgumentNullException.ThrowIfNull(valuesByVillage);

        var distinct = templates.Where(t => t.PeriodKind == period.Kind).SelectMany(t => t.Columns.SelectMany(InputsOf)).ToHashSet(StringComparer.Ordinal);
        long typed = 0, prefilled = 0;
        var counted = 0;
        foreach (var code in villageCodes)
        {
            if (!valuesByVillage.TryGetValue(code, out var values) || values.Values.Count == 0)
            {
                continue;
            }

            counted++;
            foreach (var id in distinct)
            {
                if (!values.Values.TryGetValue(id, out var stored))
                {
                    continue;
                }

                if (ValueOrigins.IsOwnReport(stored.Origin))
                {
                    typed++;
                }
                else
                {
                    prefilled++;
                }
            }
        }

        return new BurdenCounts(villageCodes.Count, counted, typed, prefilled);
    }

    /// <summary>The figures from the entries counted; the rest follows from the catalog and the period's templates.</summary>
    public static BurdenFigures Figures(FieldCatalog catalog, IReadOnlyList<ReportTemplate> templates, string orgCode, Period period, BurdenCounts counts)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(counts);

        var applicable = templates.Where(t => t.PeriodKind == period.Kind).ToList();
        var fieldsByTemplate = applicable.Select(t => t.Columns.SelectMany(InputsOf).ToHashSet(StringComparer.Ordinal)).ToList();
        var distinct = fieldsByTemplate.SelectMany(f => f).ToHashSet(StringComparer.Ordinal);
        var askedPerVillage = fieldsByTemplate.Sum(f => f.Count);
        var askedBy = distinct.ToDictionary(id => id, id => fieldsByTemplate.Count(f => f.Contains(id)), StringComparer.Ordinal);
        var (typed, prefilled) = (counts.EntriesTyped, counts.EntriesPrefilled);

        bool IsHeldUpstream(string id) => catalog.Find(id) is { } f && (f.Source is FieldSource.Prefilled or FieldSource.Derived || f.CarryForward);

        var perTemplate = applicable.Select((t, i) =>
        {
            var columns = t.Columns.Select(c => InputsOf(c).ToList()).Where(inputs => inputs.Count > 0).ToList();
            return new TemplateBurden(
                t.Id,
                t.Title,
                t.DepartmentName,
                t.Columns.Count,
                fieldsByTemplate[i].Count,
                columns.Count(inputs => inputs.All(IsHeldUpstream)),
                columns.Count(inputs => inputs.All(id => IsHeldUpstream(id) || askedBy[id] > 1)));
        }).ToList();

        var asked = (long)askedPerVillage * counts.VillagesCounted;
        return new BurdenFigures
        {
            OrgCode = orgCode,
            Period = period.ToString(),
            Templates = applicable.Count,
            Villages = counts.Villages,
            VillagesCounted = counts.VillagesCounted,
            EntriesAskedSeparatelyPerVillage = askedPerVillage,
            DistinctFields = distinct.Count,
            EntriesAskedSeparately = asked,
            EntriesTyped = typed,
            EntriesPrefilled = prefilled,
            ReductionRatio = asked == 0 ? 0 : Math.Round(1 - (decimal)typed / asked, 4),
            DeduplicationRatio = askedPerVillage == 0 ? 0 : Math.Round(1 - (decimal)distinct.Count / askedPerVillage, 4),
            PrefilledShare = typed + prefilled == 0 ? 0 : Math.Round((decimal)prefilled / (typed + prefilled), 4),
            PerTemplate = perTemplate,
        };
    }

    private static IEnumerable<string> InputsOf(TemplateColumn column) =>
        column.Expression is { } e ? e.FieldIds() : column.FieldId is { } id ? [id] : [];
}
