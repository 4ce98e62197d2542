using Azure.Core;

namespace ReportPipeline.Storage.Client;

/// <summary>Options for the table and blob clients: Azure.Core's retry, diagnostics and transport, plus our counters and clock.</summary>
public sealed class StorageClientOptions : ClientOptions
{
    public StorageClientOptions()
    {
        // The storage services ask callers to back off on 503 "server busy"; exponential with jitter is what Azure.Core does.
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 5;
        Retry.Delay = TimeSpan.FromMilliseconds(200);
        Retry.MaxDelay = TimeSpan.FromSeconds(10);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
    }

    /// <summary>Counts of round trips, retries and conflicts for every client built with these options.</summary>
    public StorageDiagnostics Counters { get; set; } = new();

    /// <summary>The clock used to date signed requests.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    public string BlobServiceVersion { get; set; } = "2021-12-02";

    public string TableServiceVersion { get; set; } = "2019-02-02";
}
