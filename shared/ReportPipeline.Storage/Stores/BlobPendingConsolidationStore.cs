using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// The pending-consolidation markers as small JSON blobs beside the roll-ups: <c>rollups/{period}/_pending/{org}.json</c>,
/// written with <c>If-Match</c> (or <c>If-None-Match: *</c> when new); and each org's log of marks beside it,
/// <c>{org}.log</c>, an append blob: a mark is one Append Block (no read, no condition, so concurrent submissions never
/// collide), and the service's block count in the answer says whether it was the first since the log was emptied.
/// </summary>
public sealed class BlobPendingConsolidationStore(BlobContainerClient container) : IPendingConsolidationStore
{
    /// <summary>Template ids start with a letter, so this folder cannot be a template's.</summary>
    private const string Folder = "_pending";

    private const string LogExtension = ".log";

    public static string BlobName(Period period, string orgCode) => BlobRollupStore.BlobName(period, Folder, orgCode);

    public static string LogName(Period period, string orgCode) => BlobName(period, orgCode)[..^".json".Length] + LogExtension;

    public Task<VersionedDocument?> GetAsync(Period period, string orgCode, CancellationToken cancellationToken = default)
        => VersionedJsonBlob.ReadAsync(container.GetBlobClient(BlobName(period, orgCode)), cancellationToken);

    public Task<bool> TrySaveAsync(Period period, string orgCode, string content, string? etag, CancellationToken cancellationToken = default)
        => VersionedJsonBlob.TrySaveAsync(container.GetBlobClient(BlobName(period, orgCode)), content, etag, cancellationToken);

    public async Task<int> AppendMarkAsync(Period period, string orgCode, string line, CancellationToken cancellationToken = default)
    {
        var log = container.GetAppendBlobClient(LogName(period, orgCode));
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(line), writable: false);
        try
        {
            return (await log.AppendBlockAsync(content, cancellationToken: cancellationToken).ConfigureAwait(false)).Value.BlobCommittedBlockCount;
        }
        catch (RequestFailedException ex) when (BlobErrors.IsNotFound(ex))
        {
            // The org's first mark of the period: create the log (another first mark may create it at the same time).
            try
            {
                await log.CreateAsync(new AppendBlobCreateOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson" },
                    Conditions = new AppendBlobRequestConditions { IfNoneMatch = ETag.All },
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException exists) when (BlobErrors.IsAlreadyExists(exists))
            {
            }

            content.Position = 0;
            return (await log.AppendBlockAsync(content, cancellationToken: cancellationToken).ConfigureAwait(false)).Value.BlobCommittedBlockCount;
        }
    }

    public Task<VersionedDocument?> ReadMarksAsync(Period period, string orgCode, CancellationToken cancellationToken = default)
        => VersionedJsonBlob.ReadAsync(container.GetBlobClient(LogName(period, orgCode)), cancellationToken);

    public async Task<bool> TryEmptyMarksAsync(Period period, string orgCode, string etag, CancellationToken cancellationToken = default)
    {
        try
        {
            // A new empty append blob in its place, only over the version read: a mark appended since keeps the log as it is.
            await container.GetAppendBlobClient(LogName(period, orgCode)).CreateAsync(new AppendBlobCreateOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson" },
                Conditions = new AppendBlobRequestConditions { IfMatch = new ETag(etag) },
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    public async Task<IReadOnlySet<string>> MarkedAsync(Period period, CancellationToken cancellationToken = default)
    {
        var prefix = BlobRollupStore.BlobName(period, Folder, "x")[..^"x.json".Length];
        var marked = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            if (blob.Name.EndsWith(LogExtension, StringComparison.Ordinal) && blob.Properties.ContentLength > 0)
            {
                marked.Add(blob.Name[prefix.Length..^LogExtension.Length]);
            }
        }

        return marked;
    }
}
