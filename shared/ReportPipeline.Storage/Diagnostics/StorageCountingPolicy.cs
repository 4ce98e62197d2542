using Azure.Core;
using Azure.Core.Pipeline;

namespace ReportPipeline.Storage.Diagnostics;

public enum StorageService
{
    Blob,
    Table,
    Queue,
}

/// <summary>
/// Added to every SDK client's options (per retry, so each attempt is one round trip): counts requests, repeated
/// attempts, 409/412 answers and — for tables — the entities that successful writes stored, including each operation
/// of an entity group transaction, read from the transaction's multipart answer.
/// </summary>
public sealed class StorageCountingPolicy(StorageDiagnostics diagnostics, StorageService service) : HttpPipelinePolicy
{
    private static readonly byte[] InnerSuccess = "HTTP/1.1 2"u8.ToArray();
    private static readonly byte[] InnerClientError = "HTTP/1.1 4"u8.ToArray();
    private static readonly byte[] InnerServerError = "HTTP/1.1 5"u8.ToArray();

    private readonly KeyValuePair<string, object?>[] _tags = [new("service", service.ToString().ToLowerInvariant())];

    public StorageDiagnostics Diagnostics => diagnostics;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        OnSending(message);
        ProcessNext(message, pipeline);
        OnReceived(message);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        OnSending(message);
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        OnReceived(message);
    }

    private void OnSending(HttpMessage message)
    {
        diagnostics.OnRoundTrip();
        StorageMetrics.RoundTrips.Add(1, _tags);
        if (message.ProcessingContext.RetryNumber > 0)
        {
            diagnostics.OnRetry();
            StorageMetrics.Retries.Add(1, _tags);
        }
    }

    private void OnReceived(HttpMessage message)
    {
        if (!message.HasResponse)
        {
            return;
        }
        var status = message.Response.Status;
        if (status is 409 or 412)
        {
            diagnostics.OnConflict();
            StorageMetrics.Conflicts.Add(1, _tags);
        }
        if (service == StorageService.Table && status is >= 200 and < 300)
        {
            var entities = EntitiesWritten(message);
            if (entities > 0)
            {
                diagnostics.OnEntitiesWritten(entities);
                StorageMetrics.EntitiesWritten.Add(entities, _tags);
            }
        }
    }

    /// <summary>
    /// A transaction is answered 202 even when it failed; its multipart body then holds the one failed operation's
    /// status instead of one 2xx status line per operation, and nothing was written.
    /// </summary>
    internal static int EntitiesWritten(HttpMessage message)
    {
        var path = message.Request.Uri.Path;
        var method = message.Request.Method.Method;
        if (path.EndsWith("/$batch", StringComparison.Ordinal))
        {
            var body = message.Response.Content.ToMemory().Span;
            return Count(body, InnerClientError) + Count(body, InnerServerError) > 0 ? 0 : Count(body, InnerSuccess);
        }
        if (path.EndsWith("/Tables", StringComparison.Ordinal) || path.Contains("/Tables(", StringComparison.Ordinal))
        {
            return 0; // creating or deleting a table
        }
        return method is "PUT" or "PATCH" or "MERGE" or "POST" or "DELETE" ? 1 : 0;
    }

    private static int Count(ReadOnlySpan<byte> body, ReadOnlySpan<byte> marker)
    {
        var count = 0;
        for (int index; (index = body.IndexOf(marker)) >= 0; body = body[(index + marker.Length)..])
        {
            count++;
        }
        return count;
    }
}
