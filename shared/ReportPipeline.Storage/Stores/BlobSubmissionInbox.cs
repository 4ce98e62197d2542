using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>The <c>submissions</c> container, where sync agents drop <c>{period}/{org}/{name}.xlsx|csv|json</c>.</summary>
public sealed class BlobSubmissionInbox(BlobContainerClient container) : ISubmissionInbox
{
    public async IAsyncEnumerable<DroppedFile> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return new DroppedFile(blob.Name, blob.Properties.ContentLength ?? 0, blob.Properties.ETag?.ToString(), blob.Properties.LastModified);
        }
    }

    public async Task<DroppedFile?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            var properties = (await container.GetBlobClient(name).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return new DroppedFile(name, properties.ContentLength, properties.ETag.ToString(), properties.LastModified);
        }
        catch (RequestFailedException ex) when (BlobErrors.IsNotFound(ex))
        {
            return null;
        }
    }

    public async Task<byte[]> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            var download = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return download.Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (BlobErrors.IsNotFound(ex))
        {
            throw new FileNotFoundException($"提交文件“{name}”不存在（可能已被处理）。", name, ex);
        }
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken = default)
        => container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken);

    public Task PutAsync(string name, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
        => BlobSubmissionArchive.UploadAsync(container, name, BinaryData.FromBytes(content), contentType, cancellationToken);
}
