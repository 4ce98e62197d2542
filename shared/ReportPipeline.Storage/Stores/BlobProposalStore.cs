using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>Proposals as blobs <c>proposals/{id}.json</c> in the catalog container; conditional writes on the blob's ETag.</summary>
public sealed class BlobProposalStore(BlobContainerClient container) : IProposalStore
{
    public const string Prefix = "proposals/";

    public async Task<bool> CreateAsync(string id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        try
        {
            await Blob(id).UploadAsync(BinaryData.FromBytes(json), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return await CreateAsync(id, json, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<StoredProposal?> GetAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var result = (await Blob(id).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            return new StoredProposal(id, result.Content.ToMemory(), result.Details.ETag.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> ReplaceAsync(string id, ReadOnlyMemory<byte> json, string etag, CancellationToken cancellationToken)
    {
        try
        {
            await Blob(id).UploadAsync(BinaryData.FromBytes(json), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfMatch = new ETag(etag) },
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            return false;
        }
    }

    public async IAsyncEnumerable<StoredProposal> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var names = new List<string>();
        try
        {
            await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, Prefix, cancellationToken).ConfigureAwait(false))
            {
                names.Add(blob.Name);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            yield break;
        }

        foreach (var name in names)
        {
            var id = name[Prefix.Length..^".json".Length];
            if (await GetAsync(id, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                yield return stored;
            }
        }
    }

    private BlobClient Blob(string id) => container.GetBlobClient(Prefix + id + ".json");
}
