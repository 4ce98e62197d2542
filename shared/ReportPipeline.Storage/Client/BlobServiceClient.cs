using System.Text.RegularExpressions;

namespace ReportPipeline.Storage.Client;

/// <summary>The Blob service of one account. Creates <see cref="BlobContainerClient"/>s that share its pipeline and counters.</summary>
public sealed partial class BlobServiceClient
{
    internal BlobServiceClient(Uri endpoint, StorageConnection connection, StorageClientOptions? options)
    {
        Endpoint = new Uri(endpoint.AbsoluteUri.TrimEnd('/'));
        Pipeline = StoragePipeline.Create(StorageService.Blob, connection.SharedKey, connection.TokenCredential, options);
    }

    public Uri Endpoint { get; }

    public StorageDiagnostics Counters => Pipeline.Options.Counters;

    internal StoragePipeline Pipeline { get; }

    public BlobContainerClient GetBlobContainerClient(string containerName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        if (!ContainerNamePattern().IsMatch(containerName) || containerName.Contains("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"容器名“{containerName}”不合法：须为 3–63 个小写字母、数字或连字符。", nameof(containerName));
        }
        return new BlobContainerClient(this, containerName);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerNamePattern();
}
