using System.Text.Json.Serialization;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Domain.Quality;

/// <summary>How many values of one field one check flagged, and how many of those the clerk explained.</summary>
public sealed record QualityTally(string Field, string Code, int Count, int Explained);

/// <summary>
/// How many values of one unit's villages the quality checks flag (<see cref="QualityInspector"/>), per field and check,
/// and how many of them the clerk explained. Counts add up: a unit's are the sum of its children's; kept per field so that
/// a caller who may read only some fields (a department) is counted only on those.
/// </summary>
public sealed record QualityCounts(string OrgCode, IReadOnlyList<QualityTally> Tallies)
{
    /// <summary>The checks, in the order they are shown.</summary>
    public static IReadOnlyList<string> Checks { get; } =
        [ValidationCodes.QualityBelowExpected, ValidationCodes.QualityAboveExpected, ValidationCodes.QualityChange, ValidationCodes.QualityOutlier];

    [JsonIgnore]
    public int Flags => Tallies.Sum(t => t.Count);

    [JsonIgnore]
    public int Explained => Tallies.Sum(t => t.Explained);

    [JsonIgnore]
    public IReadOnlyDictionary<string, int> ByCheck =>
        Tallies.GroupBy(t => t.Code, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(t => t.Count), StringComparer.Ordinal);

    public static QualityCounts Of(string orgCode, IEnumerable<QualityFlag> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        return new(orgCode, [.. flags
            .GroupBy(f => (f.FieldId, f.Code))
            .Select(g => new QualityTally(g.Key.FieldId, g.Key.Code, g.Count(), g.Count(f => f.Explanation is not null)))
            .OrderBy(t => t.Field, StringComparer.Ordinal).ThenBy(t => t.Code, StringComparer.Ordinal)]);
    }

    public static QualityCounts Sum(string orgCode, IEnumerable<QualityCounts> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        return new(orgCode, [.. parts
            .SelectMany(p => p.Tallies)
            .GroupBy(t => (t.Field, t.Code))
            .Select(g => new QualityTally(g.Key.Field, g.Key.Code, g.Sum(t => t.Count), g.Sum(t => t.Explained)))
            .OrderBy(t => t.Field, StringComparer.Ordinal).ThenBy(t => t.Code, StringComparer.Ordinal)]);
    }

    /// <summary>Only the fields <paramref name="mayRead"/> lets through.</summary>
    public QualityCounts Only(Func<string, bool> mayRead)
    {
        ArgumentNullException.ThrowIfNull(mayRead);
        return this with { Tallies = [.. Tallies.Where(t => mayRead(t.Field))] };
    }

    /// <summary>A check's name as users read it.</summary>
    public static string CheckName(string code) => code switch
    {
        ValidationCodes.QualityBelowExpected => "低于常见范围",
        ValidationCodes.QualityAboveExpected => "高于常见范围",
        ValidationCodes.QualityChange => "与上期相比变化过大",
        ValidationCodes.QualityOutlier => "与本乡镇（街道）村（社区）相比明显异常",
        _ => code,
    };
}
