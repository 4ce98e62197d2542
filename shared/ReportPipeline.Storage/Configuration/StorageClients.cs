using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using ReportPipeline.Storage.Diagnostics;

namespace ReportPipeline.Storage.Configuration;

/// <summary>
/// Builds the official SDK clients from <see cref="ReportStorageSettings"/>, each with our retry settings and a
/// <see cref="StorageCountingPolicy"/> feeding <paramref name="diagnostics"/>. The composition root and the test fixture
/// both come here, so what the tests measure is what the hosts run.
/// </summary>
public static class StorageClients
{
    public static TableServiceClient CreateTableServiceClient(ReportStorageSettings settings, StorageDiagnostics diagnostics, TokenCredential? credential = null)
        => CreateTableServiceClient(settings, Configure(new TableClientOptions(), diagnostics, StorageService.Table), credential);

    public static TableServiceClient CreateTableServiceClient(ReportStorageSettings settings, TableClientOptions options, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.UsesConnectionString
            ? new TableServiceClient(settings.ConnectionString, options)
            : new TableServiceClient(settings.TableServiceUri, credential ?? settings.CreateCredential(), options);
    }

    public static BlobServiceClient CreateBlobServiceClient(ReportStorageSettings settings, StorageDiagnostics diagnostics, TokenCredential? credential = null)
        => CreateBlobServiceClient(settings, Configure(new BlobClientOptions(), diagnostics, StorageService.Blob), credential);

    public static BlobServiceClient CreateBlobServiceClient(ReportStorageSettings settings, BlobClientOptions options, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.UsesConnectionString
            ? new BlobServiceClient(settings.ConnectionString, options)
            : new BlobServiceClient(settings.BlobServiceUri, credential ?? settings.CreateCredential(), options);
    }

    public static QueueServiceClient CreateQueueServiceClient(ReportStorageSettings settings, StorageDiagnostics diagnostics, TokenCredential? credential = null)
        => CreateQueueServiceClient(settings, Configure(new QueueClientOptions(), diagnostics, StorageService.Queue), credential);

    public static QueueServiceClient CreateQueueServiceClient(ReportStorageSettings settings, QueueClientOptions options, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        // The Functions queue trigger expects Base64 message bodies by default; sending the same keeps the two compatible.
        options.MessageEncoding = QueueMessageEncoding.Base64;
        return settings.UsesConnectionString
            ? new QueueServiceClient(settings.ConnectionString, options)
            : new QueueServiceClient(settings.QueueServiceUri, credential ?? settings.CreateCredential(), options);
    }

    /// <summary>Retries and counting shared by every client of the pipeline; and the request's storage time, with its table writes.</summary>
    public static TOptions Configure<TOptions>(TOptions options, StorageDiagnostics diagnostics, StorageService service)
        where TOptions : ClientOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(diagnostics);
        // The services ask callers to back off on 503 "server busy": exponential with jitter, a few quick tries first.
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 5;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(10);
        options.AddPolicy(new StorageCountingPolicy(diagnostics, service), HttpPipelinePosition.PerRetry);
        // Per call, so that a write's retries count as one write in flight until its final answer. Table writes are the
        // data; a blob or queue call is only refused once the request's storage time is up.
        options.AddPolicy(new WriteTrackingPolicy(service), HttpPipelinePosition.PerCall);

        return options;
    }
}
