using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Quality;

namespace ReportPipeline.Application.Quality;

/// <summary>
/// Reads what the 数据质量 list needs — the villages' values of the period and of the previous one — and hands them to
/// <see cref="QualityInspector"/>, as the consolidated workbook does with the values it was built from, so both flag
/// cells by the same rules.
/// </summary>
public sealed class QualityService(ReferenceData reference, IFieldValueStore values)
{
    /// <summary>The quality list of an office's subtree over every numeric field collected at the period's frequency.</summary>
    public async Task<IReadOnlyList<QualityFlag>> GetAsync(Org office, Period period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(office);
        var catalog = (await reference.CatalogForAsync(period, cancellationToken)).Catalog;
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var subtree = orgs.Subtree(office.Code, includeSelf: true).ToList();
        var villages = subtree.Where(o => o.Level == OrgLevel.Village).Select(o => o.Code).ToList();
        var fields = FieldsOf(catalog, period.Kind);
        var current = await ReadAsync(values, period, villages, fields, cancellationToken);
        return await InspectAsync(values, catalog, subtree, period, fields, current, cancellationToken);
    }

    /// <summary>Numeric fields a village reports at <paramref name="kind"/> (derived ones are computed, not reported).</summary>
    public static IReadOnlyCollection<string> FieldsOf(FieldCatalog catalog, PeriodKind kind) =>
        [.. catalog.Fields.Where(f => f.IsNumeric && f.Source != FieldSource.Derived && f.Frequency == kind).Select(f => f.Id)];

    private static async Task<IReadOnlyList<QualityFlag>> InspectAsync(
        IFieldValueStore values,
        FieldCatalog catalog,
        IReadOnlyList<Org> subtree,
        Period period,
        IReadOnlyCollection<string> fieldIds,
        IReadOnlyDictionary<string, OrgValues> current,
        CancellationToken cancellationToken)
    {
        var previousPeriod = period.Previous();
        var villages = subtree.Where(o => o.Level == OrgLevel.Village).Select(o => o.Code).ToList();
        var previous = previousPeriod.IsSupported && villages.Count > 0 && fieldIds.Count > 0
            ? await ReadAsync(values, previousPeriod, villages, fieldIds, cancellationToken)
            : new Dictionary<string, OrgValues>();
        return QualityInspector.Inspect(catalog, fieldIds, subtree, current, previous);
    }

    private static async Task<IReadOnlyDictionary<string, OrgValues>> ReadAsync(
        IFieldValueStore values, Period period, IReadOnlyCollection<string> villages, IReadOnlyCollection<string> fieldIds, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, OrgValues>(StringComparer.Ordinal);
        if (villages.Count == 0 || fieldIds.Count == 0)
        {
            return found;
        }

        await foreach (var orgValues in values.ReadManyAsync(period, villages, fieldIds, cancellationToken))
        {
            found[orgValues.OrgCode] = orgValues;
        }

        return found;
    }
}
