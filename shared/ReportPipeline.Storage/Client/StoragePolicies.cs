using System.Globalization;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ReportPipeline.Storage.Client;

internal enum StorageService
{
    Blob,
    Table,
}

/// <summary>Signs each attempt with the account key: SharedKey for Blob, SharedKeyLite for Table.</summary>
internal sealed class SharedKeyPolicy(StorageSharedKeyCredential credential, StorageService service, TimeProvider timeProvider) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        var date = timeProvider.GetUtcNow().ToString("R", CultureInfo.InvariantCulture);
        request.Headers.SetValue("x-ms-date", date);
        var uri = request.Uri.ToUri();
        var signature = service == StorageService.Table
            ? credential.Sign(date + "\n" + TableResource(uri))
            : credential.Sign(BlobStringToSign(request, uri));
        var scheme = service == StorageService.Table ? "SharedKeyLite" : "SharedKey";
        request.Headers.SetValue("Authorization", $"{scheme} {credential.AccountName}:{signature}");
    }

    private string TableResource(Uri uri)
    {
        var resource = "/" + credential.AccountName + uri.AbsolutePath;
        var comp = QueryParameters(uri).FirstOrDefault(p => p.Key == "comp");
        return comp.Key is null ? resource : resource + "?comp=" + comp.Value;
    }

    private string BlobStringToSign(Request request, Uri uri)
    {
        string Header(string name) => request.Headers.TryGetValue(name, out var value) ? value : "";
        var contentLength = request.Content is not null && request.Content.TryComputeLength(out var length) && length > 0
            ? length.ToString(CultureInfo.InvariantCulture)
            : "";
        var builder = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(Header("Content-Encoding")).Append('\n')
            .Append(Header("Content-Language")).Append('\n')
            .Append(contentLength).Append('\n')
            .Append(Header("Content-MD5")).Append('\n')
            .Append(Header("Content-Type")).Append('\n')
            .Append('\n') // Date: x-ms-date is used instead
            .Append(Header("If-Modified-Since")).Append('\n')
            .Append(Header("If-Match")).Append('\n')
            .Append(Header("If-None-Match")).Append('\n')
            .Append(Header("If-Unmodified-Since")).Append('\n')
            .Append(Header("Range")).Append('\n');
        foreach (var header in request.Headers
                     .Where(h => h.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                     .Select(h => (Name: h.Name.ToLowerInvariant(), h.Value))
                     .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            builder.Append(header.Name).Append(':').Append(header.Value.Trim()).Append('\n');
        }
        builder.Append('/').Append(credential.AccountName).Append(uri.AbsolutePath);
        foreach (var group in QueryParameters(uri).GroupBy(p => p.Key).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            builder.Append('\n').Append(group.Key).Append(':')
                .Append(string.Join(',', group.Select(p => p.Value).Order(StringComparer.Ordinal)));
        }
        return builder.ToString();
    }

    private static IEnumerable<KeyValuePair<string, string>> QueryParameters(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0)
        {
            yield break;
        }
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var index = pair.IndexOf('=', StringComparison.Ordinal);
            var name = index < 0 ? pair : pair[..index];
            var value = index < 0 ? "" : pair[(index + 1)..];
            yield return new(Uri.UnescapeDataString(name).ToLowerInvariant(), Uri.UnescapeDataString(value));
        }
    }
}

/// <summary>Counts every attempt (round trips), every repeat of an attempt (retries) and 409/412 answers (conflicts).</summary>
internal sealed class StorageCountingPolicy(StorageDiagnostics diagnostics, StorageService service) : HttpPipelinePolicy
{
    internal const string OperationProperty = "ReportPipeline.Storage.Operation";

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
        var tags = Tags(message);
        diagnostics.OnRoundTrip();
        StorageMetrics.RoundTrips.Add(1, tags);
        if (message.ProcessingContext.RetryNumber > 0)
        {
            diagnostics.OnRetry();
            StorageMetrics.Retries.Add(1, tags);
        }
    }

    private void OnReceived(HttpMessage message)
    {
        if (message.HasResponse && message.Response.Status is 409 or 412)
        {
            diagnostics.OnConflict();
            StorageMetrics.Conflicts.Add(1, Tags(message));
        }
    }

    private KeyValuePair<string, object?>[] Tags(HttpMessage message)
    {
        var operation = message.TryGetProperty(OperationProperty, out var value) ? value as string : null;
        return
        [
            new("service", service == StorageService.Table ? "table" : "blob"),
            new("operation", operation ?? "unknown"),
        ];
    }
}
