using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Ports;

/// <summary>A small document and the version (ETag) it was read at, the condition of the next write.</summary>
public sealed record VersionedDocument(string Content, string ETag);

/// <summary>
/// One "what is waiting to be rebuilt" marker per (period, district or city): the submissions of a short window touch it
/// and only the first of them enqueues a (delayed) unit; the unit claims what it finds. Writes are conditional on the
/// version read, so concurrent submissions and units never lose each other's changes (docs/storage-design.md, "Freshness").
/// </summary>
public interface IPendingConsolidationStore
{
    Task<VersionedDocument?> GetAsync(Period period, string orgCode, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the marker if it is still the version <paramref name="etag"/> (or still absent, when null); false when
    /// another writer came first (the caller reads again and retries).
    /// </summary>
    Task<bool> TrySaveAsync(Period period, string orgCode, string content, string? etag, CancellationToken cancellationToken = default);
}
