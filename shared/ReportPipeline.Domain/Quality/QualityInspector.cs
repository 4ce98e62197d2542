using System.Globalization;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Domain.Quality;

/// <summary>
/// One flagged cell of the 数据质量 list: a village's value of one field, last period's value when there is one, why it
/// was flagged (stable <see cref="Code"/>, Chinese <see cref="Reason"/>) and the clerk's explanation, if any.
/// </summary>
public sealed record QualityFlag(
    string OrgCode,
    string OrgName,
    string? TownshipName,
    string FieldId,
    string FieldName,
    string? Unit,
    decimal Value,
    decimal? Previous,
    string Code,
    string Reason,
    string? Explanation);

/// <summary>
/// The quality list of an office's villages for one period (数据质量): every value outside its soft range or moved
/// beyond its threshold against the previous period (<see cref="QualityRules"/>, the rule the submission's warnings use),
/// and every robust outlier among the villages of one township (<see cref="OutlierDetector"/>). Pure: the caller reads
/// the values; the consolidated workbook and the quality route both call this, so they list the same cells.
/// </summary>
public static class QualityInspector
{
    /// <param name="fieldIds">The fields to inspect (a template's columns, or every field of the period's frequency); non-numeric ones are skipped.</param>
    /// <param name="orgs">The office's subtree: its villages are inspected, their parents name the township.</param>
    /// <param name="current">Each village's values for the period.</param>
    /// <param name="previous">Each village's values for the previous period (the change rule); empty when not read.</param>
    public static IReadOnlyList<QualityFlag> Inspect(
        FieldCatalog catalog,
        IEnumerable<string> fieldIds,
        IEnumerable<Org> orgs,
        IReadOnlyDictionary<string, OrgValues> current,
        IReadOnlyDictionary<string, OrgValues> previous)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(fieldIds);
        ArgumentNullException.ThrowIfNull(orgs);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(previous);

        var all = orgs.ToList();
        var names = all.GroupBy(o => o.Code, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        var villages = all.Where(o => o.Level == OrgLevel.Village).DistinctBy(o => o.Code).OrderBy(o => o.Code, StringComparer.Ordinal).ToList();
        var fields = fieldIds.Distinct(StringComparer.Ordinal)
            .Select(catalog.Find)
            .OfType<FieldDefinition>()
            .Where(f => f.IsNumeric)
            .ToList();

        var flags = new List<QualityFlag>();
        string? Township(Org village) => village.ParentCode is { } parent ? names.GetValueOrDefault(parent) : null;

        foreach (var village in villages)
        {
            if (!current.TryGetValue(village.Code, out var values))
            {
                continue;
            }

            foreach (var field in fields)
            {
                if (!values.Values.TryGetValue(field.Id, out var stored) || stored.Value.Number is not { } number)
                {
                    continue;
                }

                var last = previous.GetValueOrDefault(village.Code)?.Values.GetValueOrDefault(field.Id)?.Value.Number;
                foreach (var finding in QualityRules.Check(field, number, last))
                {
                    flags.Add(new QualityFlag(village.Code, village.Name, Township(village), field.Id, field.Name, field.Unit,
                        number, last, finding.Code, finding.Message, stored.Explanation));
                }
            }
        }

        foreach (var township in villages.GroupBy(v => v.ParentCode ?? "", StringComparer.Ordinal))
        {
            foreach (var field in fields)
            {
                var peers = new List<KeyValuePair<string, decimal>>();
                foreach (var village in township)
                {
                    if (current.GetValueOrDefault(village.Code)?.Values.GetValueOrDefault(field.Id)?.Value.Number is { } number)
                    {
                        peers.Add(new(village.Code, number));
                    }
                }

                foreach (var outlier in OutlierDetector.Find(peers))
                {
                    var village = township.First(v => v.Code == outlier.Key);
                    var stored = current[village.Code].Values[field.Id];
                    var last = previous.GetValueOrDefault(village.Code)?.Values.GetValueOrDefault(field.Id)?.Value.Number;
                    flags.Add(new QualityFlag(village.Code, village.Name, Township(village), field.Id, field.Name, field.Unit,
                        outlier.Value, last, ValidationCodes.QualityOutlier,
                        $"{QualityRules.Name(field)}为{QualityRules.Show(outlier.Value, field)}，与本乡镇（街道）{peers.Count} 个村（社区）相比明显异常：中位数{QualityRules.Show(outlier.Median, field)}，稳健偏离度 {outlier.Score.ToString("0.0", CultureInfo.InvariantCulture)}（超过 {OutlierDetector.Threshold.ToString(CultureInfo.InvariantCulture)}），请核实",
                        stored.Explanation));
                }
            }
        }

        var order = fields.Select((f, i) => (f.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        return [.. flags
            .OrderBy(f => f.OrgCode, StringComparer.Ordinal)
            .ThenBy(f => order[f.FieldId])
            .ThenBy(f => f.Code, StringComparer.Ordinal)];
    }
}
