using System.Runtime.CompilerServices;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Storage.Client;

namespace ReportPipeline.Storage.Stores;

/// <summary>The <c>submissions</c> container, where sync agents drop <c>{period}/{org}/{name}.xlsx|csv|json</c>.</summary>
public sealed class BlobSubmissionInbox(BlobContainerClient container) : ISubmissionInbox
{
    public async IAsyncEnumerable<DroppedFile> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return new DroppedFile(blob.Name, blob.ContentLength, blob.ETag.ToString(), blob.LastModified);
        }
    }

    public async Task<DroppedFile?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        var properties = await container.GetPropertiesAsync(name, cancellationToken).ConfigureAwait(false);
        return properties is null ? null : new DroppedFile(name, properties.ContentLength, properties.ETag.ToString(), properties.LastModified);
    }

    public async Task<byte[]> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        var download = await container.DownloadContentAsync(name, cancellationToken).ConfigureAwait(false);
        return download?.Content ?? throw new FileNotFoundException($"提交文件“{name}”不存在（可能已被处理）。", name);
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken = default) => container.DeleteIfExistsAsync(name, cancellationToken);

    public Task PutAsync(string name, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
        => container.UploadAsync(name, content, new BlobUploadOptions { ContentType = contentType }, cancellationToken);
}
