using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Ports;

/// <summary>
/// One office summary per (period, district): how many villages of each township have reported, are missing or late, and
/// their review states, as the district's consolidation unit last read them. The city's status and approval pages add up
/// these 41 documents instead of reading 11,000 villages' rows. Writes are conditional on the version read, so an older
/// unit never overwrites a newer summary.
/// </summary>
public interface IOfficeSummaryStore
{
    Task<VersionedDocument?> GetAsync(Period period, string districtCode, CancellationToken cancellationToken = default);

    /// <summary>Writes the summary if it is still the version <paramref name="etag"/> (or still absent, when null); false when another writer came first.</summary>
    Task<bool> TrySaveAsync(Period period, string districtCode, string content, string? etag, CancellationToken cancellationToken = default);
}
