using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Ports;

/// <summary>A small document and the version (ETag) it was read at, the condition of the next write.</summary>
public sealed record VersionedDocument(string Content, string ETag);

/// <summary>
/// What is waiting to be rebuilt per (period, district or city) (docs/storage-design.md, "Freshness"): a log of marks
/// that any number of submissions append to without reading it, and a marker document of the units running it, written on
/// the condition of the version read. The first mark since a unit emptied the log enqueues the next (delayed) unit.
/// </summary>
public interface IPendingConsolidationStore
{
    Task<VersionedDocument?> GetAsync(Period period, string orgCode, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the marker if it is still the version <paramref name="etag"/> (or still absent, when null); false when
    /// another writer came first (the caller reads again and retries).
    /// </summary>
    Task<bool> TrySaveAsync(Period period, string orgCode, string content, string? etag, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends <paramref name="line"/> to the org's log of marks (created when absent) in one request, with no read;
    /// returns how many marks the log holds with it (1: the first since the log was created or last emptied).
    /// </summary>
    Task<int> AppendMarkAsync(Period period, string orgCode, string line, CancellationToken cancellationToken = default);

    /// <summary>The org's log of marks and its version; null when there is none.</summary>
    Task<VersionedDocument?> ReadMarksAsync(Period period, string orgCode, CancellationToken cancellationToken = default);

    /// <summary>Empties the log if it is still the version <paramref name="etag"/>; false when a mark was appended since.</summary>
    Task<bool> TryEmptyMarksAsync(Period period, string orgCode, string etag, CancellationToken cancellationToken = default);

    /// <summary>The orgs whose log holds marks for the period (one listing).</summary>
    Task<IReadOnlySet<string>> MarkedAsync(Period period, CancellationToken cancellationToken = default);
}
