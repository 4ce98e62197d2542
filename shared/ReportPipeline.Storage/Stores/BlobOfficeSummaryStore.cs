using Azure.Storage.Blobs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// The office summaries as small JSON blobs beside the roll-ups: <c>rollups/{period}/_office/{district}.json</c>, written
/// with <c>If-Match</c> (or <c>If-None-Match: *</c> when new).
/// </summary>
public sealed class BlobOfficeSummaryStore(BlobContainerClient container) : IOfficeSummaryStore
{
    /// <summary>Template ids start with a letter, so this folder cannot be a template's.</summary>
    private const string Folder = "_office";

    public static string BlobName(Period period, string districtCode) => BlobRollupStore.BlobName(period, Folder, districtCode);

    public Task<VersionedDocument?> GetAsync(Period period, string districtCode, CancellationToken cancellationToken = default)
        => VersionedJsonBlob.ReadAsync(container.GetBlobClient(BlobName(period, districtCode)), cancellationToken);

    public Task<bool> TrySaveAsync(Period period, string districtCode, string content, string? etag, CancellationToken cancellationToken = default)
        => VersionedJsonBlob.TrySaveAsync(container.GetBlobClient(BlobName(period, districtCode)), content, etag, cancellationToken);
}
