using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// The pending-consolidation markers as small JSON blobs beside the roll-ups: <c>rollups/{period}/_pending/{org}.json</c>,
/// written with <c>If-Match</c> (or <c>If-None-Match: *</c> when new).
/// </summary>
public sealed class BlobPendingConsolidationStore(BlobContainerClient container) : IPendingConsolidationStore
{
    /// <summary>Template ids start with a letter, so this folder cannot be a template's.</summary>
    private const string Folder = "_pending";

    public static string BlobName(Period period, string orgCode) => BlobRollupStore.BlobName(period, Folder, orgCode);

    public async Task<VersionedDocument?> GetAsync(Period period, string orgCode, CancellationToken cancellationToken = default)
    {
        try
        {
            var downloaded = (await container.GetBlobClient(BlobName(period, orgCode)).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            return new VersionedDocument(downloaded.Content.ToString(), downloaded.Details.ETag.ToString());
        }
        catch (RequestFailedException ex) when (BlobErrors.IsNotFound(ex))
        {
            return null;
        }
    }

    public async Task<bool> TrySaveAsync(Period period, string orgCode, string content, string? etag, CancellationToken cancellationToken = default)
    {
        try
        {
            await container.GetBlobClient(BlobName(period, orgCode)).UploadAsync(BinaryData.FromString(content), new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                Conditions = etag is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = new ETag(etag) },
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (BlobErrors.IsAlreadyExists(ex))
        {
            return false;
        }
    }
}
