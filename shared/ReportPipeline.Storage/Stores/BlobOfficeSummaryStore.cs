using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
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

    public async Task<VersionedDocument?> GetAsync(Period period, string districtCode, CancellationToken cancellationToken = default)
    {
        try
        {
            var downloaded = (await container.GetBlobClient(BlobName(period, districtCode)).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            return new VersionedDocument(downloaded.Content.ToString(), downloaded.Details.ETag.ToString());
        }
        catch (RequestFailedException ex) when (BlobErrors.IsNotFound(ex))
        {
            return null;
        }
    }

    public async Task<bool> TrySaveAsync(Period period, string districtCode, string content, string? etag, CancellationToken cancellationToken = default)
    {
        try
        {
            await container.GetBlobClient(BlobName(period, districtCode)).UploadAsync(BinaryData.FromString(content), new BlobUploadOptions
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
