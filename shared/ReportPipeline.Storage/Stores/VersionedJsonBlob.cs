using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// A small JSON document in one blob, read with its ETag and written only over the version read (<c>If-Match</c>, or
/// <c>If-None-Match: *</c> when there was none): the office summaries and the pending-consolidation markers.
/// </summary>
internal static class VersionedJsonBlob
{
    /// <summary>The document and its ETag, or null when the blob does not exist.</summary>
    public static async Task<VersionedDocument?> ReadAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            var downloaded = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            return new VersionedDocument(downloaded.Content.ToString(), downloaded.Details.ETag.ToString());
        }
        catch (RequestFailedException ex) when (BlobErrors.IsNotFound(ex))
        {
            return null;
        }
    }

    /// <summary>Writes <paramref name="content"/> over the version <paramref name="etag"/> (null: only if absent); false when another writer came first.</summary>
    public static async Task<bool> TrySaveAsync(BlobClient blob, string content, string? etag, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(BinaryData.FromString(content), new BlobUploadOptions
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
