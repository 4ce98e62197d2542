using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Catalog;

/// <summary>A catalog version a source holds, and the first period it is in force for (null: in force from the start).</summary>
public sealed record CatalogVersionEntry(string Version, Period? InForceFrom);

/// <summary>Which of several published catalog versions applies: one rule for every source that holds more than one.</summary>
public static class CatalogVersions
{
    /// <summary>
    /// The version in force for <paramref name="period"/>: of the versions in force on the period's first day, the one
    /// that came into force last (on a tie, the greater name); with no period, the one that comes into force last.
    /// Null when none is in force yet.
    /// </summary>
    public static string? InForce(IEnumerable<CatalogVersionEntry> versions, Period? period)
    {
        ArgumentNullException.ThrowIfNull(versions);
        return versions
            .Where(v => period is not { } p || v.InForceFrom is not { } from || from.Start <= p.Start)
            .OrderBy(v => v.InForceFrom?.Start ?? DateOnly.MinValue)
            .ThenBy(v => v.Version, StringComparer.Ordinal)
            .LastOrDefault()?.Version;
    }
}
