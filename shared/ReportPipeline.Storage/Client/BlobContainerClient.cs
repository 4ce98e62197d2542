using System.Globalization;
using System.Xml.Linq;
using Azure;
using Azure.Core;

namespace ReportPipeline.Storage.Client;

/// <summary>One blob container: create, upload (create-only or conditional), download, properties, list, delete, leases.</summary>
public sealed class BlobContainerClient
{
    private const string MetadataPrefix = "x-ms-meta-";

    private readonly BlobServiceClient _service;

    internal BlobContainerClient(BlobServiceClient service, string name)
    {
        _service = service;
        Name = name;
    }

    public string Name { get; }

    public StorageDiagnostics Counters => _service.Counters;

    private StoragePipeline Pipeline => _service.Pipeline;

    private string ContainerUri => _service.Endpoint + "/" + Name;

    /// <summary>Creates the container; true when created, false when it existed.</summary>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage("CreateContainer", RequestMethod.Put, new Uri(ContainerUri + "?restype=container"));
        var response = await Pipeline.SendAsync(message, cancellationToken, 201, 409).ConfigureAwait(false);
        return response.Status == 201;
    }

    public async Task<bool> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage("DeleteContainer", RequestMethod.Delete, new Uri(ContainerUri + "?restype=container"));
        var response = await Pipeline.SendAsync(message, cancellationToken, 202, 404).ConfigureAwait(false);
        return response.Status == 202;
    }

    /// <summary>
    /// Uploads a block blob in one request. With <see cref="BlobUploadOptions.CreateOnly"/> an existing blob is left as it is
    /// and the result says <c>Created = false</c>; with <see cref="BlobUploadOptions.IfMatch"/> a changed blob throws 412.
    /// </summary>
    public async Task<BlobUploadResult> UploadAsync(string blobName, ReadOnlyMemory<byte> content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new BlobUploadOptions();
        using var message = CreateMessage("UploadBlob", RequestMethod.Put, BlobUri(blobName));
        var headers = message.Request.Headers;
        headers.Add("x-ms-blob-type", "BlockBlob");
        headers.Add("x-ms-blob-content-type", options.ContentType);
        headers.Add("Content-Type", options.ContentType);
        AddMetadata(message.Request, options.Metadata);
        if (options.CreateOnly)
        {
            headers.Add("If-None-Match", "*");
        }
        if (options.IfMatch is { } etag)
        {
            headers.Add("If-Match", etag.ToString());
        }
        message.Request.Content = RequestContent.Create(content);
        var response = await Pipeline.SendAsync(message, cancellationToken, options.CreateOnly ? [201, 409] : [201]).ConfigureAwait(false);
        if (response.Status == 409)
        {
            if (ErrorCode(response) is not ("BlobAlreadyExists" or null))
            {
                throw StoragePipeline.Failure(response);
            }
            return new BlobUploadResult(false, default);
        }
        return new BlobUploadResult(true, ReadETag(response));
    }

    /// <summary>Opens the blob as a stream; throws with status 404 when it does not exist.</summary>
    public async Task<BlobDownloadResult> DownloadStreamingAsync(string blobName, CancellationToken cancellationToken = default)
    {
        var message = CreateMessage("DownloadBlob", RequestMethod.Get, BlobUri(blobName));
        message.BufferResponse = false;
        try
        {
            await Pipeline.Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            var response = message.Response;
            if (response.Status != 200)
            {
                // Buffer the error body so the exception carries the service's code.
                await BufferAsync(response, cancellationToken).ConfigureAwait(false);
                throw StoragePipeline.Failure(response);
            }
            var stream = message.ExtractResponseContent() ?? Stream.Null;
            return new BlobDownloadResult(ReadProperties(response), stream);
        }
        finally
        {
            message.Dispose();
        }
    }

    /// <summary>Reads the whole blob; null when it does not exist.</summary>
    public async Task<(BlobProperties Properties, byte[] Content)?> DownloadContentAsync(string blobName, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage("DownloadBlob", RequestMethod.Get, BlobUri(blobName));
        var response = await Pipeline.SendAsync(message, cancellationToken, 200, 404).ConfigureAwait(false);
        return response.Status == 404 ? null : (ReadProperties(response), response.Content.ToArray());
    }

    /// <summary>Size, ETag, last modified, content type and metadata; null when the blob does not exist.</summary>
    public async Task<BlobProperties?> GetPropertiesAsync(string blobName, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage("GetBlobProperties", RequestMethod.Head, BlobUri(blobName));
        var response = await Pipeline.SendAsync(message, cancellationToken, 200, 404).ConfigureAwait(false);
        return response.Status == 404 ? null : ReadProperties(response);
    }

    public async Task<bool> DeleteIfExistsAsync(string blobName, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage("DeleteBlob", RequestMethod.Delete, BlobUri(blobName));
        var response = await Pipeline.SendAsync(message, cancellationToken, 202, 404).ConfigureAwait(false);
        return response.Status == 202;
    }

    /// <summary>Lists blobs whose names start with <paramref name="prefix"/>, page by page (the service's <c>marker</c>).</summary>
    public AsyncPageable<BlobItem> GetBlobsAsync(string? prefix = null, int? pageSize = null, CancellationToken cancellationToken = default)
        => GetBlobsAsync(prefix, includeMetadata: false, pageSize, cancellationToken);

    /// <summary>With <paramref name="includeMetadata"/>, each item carries its metadata: one listing instead of a HEAD per blob.</summary>
    public AsyncPageable<BlobItem> GetBlobsAsync(string? prefix, bool includeMetadata, int? pageSize = null, CancellationToken cancellationToken = default)
        => new ContinuationPageable<BlobItem>((marker, size, ct) => ListPageAsync(prefix, includeMetadata, size ?? pageSize, marker, ct), cancellationToken);

    private async Task<Page<BlobItem>> ListPageAsync(string? prefix, bool includeMetadata, int? pageSize, string? marker, CancellationToken cancellationToken)
    {
        var uri = ContainerUri + "?restype=container&comp=list" + (includeMetadata ? "&include=metadata" : "");
        if (!string.IsNullOrEmpty(prefix)) uri += "&prefix=" + Uri.EscapeDataString(prefix);
        if (!string.IsNullOrEmpty(marker)) uri += "&marker=" + Uri.EscapeDataString(marker);
        if (pageSize is > 0) uri += "&maxresults=" + pageSize.Value.ToString(CultureInfo.InvariantCulture);
        using var message = CreateMessage("ListBlobs", RequestMethod.Get, new Uri(uri));
        var response = await Pipeline.SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
        var root = XDocument.Parse(response.Content.ToString().TrimStart('\uFEFF')).Root!;
        var items = root.Element("Blobs")?.Elements("Blob").Select(blob =>
        {
            var properties = blob.Element("Properties");
            string? Property(string name) => properties?.Element(name)?.Value;
            return new BlobItem(
                blob.Element("Name")!.Value,
                long.TryParse(Property("Content-Length"), CultureInfo.InvariantCulture, out var length) ? length : 0,
                Property("Content-Type"),
                Property("Etag") is { } etag ? new ETag(etag) : default,
                Property("Last-Modified") is { } modified ? DateTimeOffset.Parse(modified, CultureInfo.InvariantCulture) : null,
                blob.Element("Metadata")?.Elements().ToDictionary(e => e.Name.LocalName, e => e.Value, StringComparer.OrdinalIgnoreCase));
        }).ToList() ?? [];
        var next = root.Element("NextMarker")?.Value;
        return Page<BlobItem>.FromValues(items, string.IsNullOrEmpty(next) ? null : next, response);
    }

    /// <summary>
    /// Acquires a lease (15–60 s, or infinite with <see cref="Timeout.InfiniteTimeSpan"/>) and returns its id.
    /// Throws <see cref="RequestFailedException"/> with status 409 when someone else holds it.
    /// </summary>
    public async Task<string> AcquireLeaseAsync(string blobName, TimeSpan duration, string? proposedLeaseId = null, CancellationToken cancellationToken = default)
    {
        var seconds = duration == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Round(duration.TotalSeconds);
        if (seconds != -1 && seconds is < 15 or > 60)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A blob lease lasts 15 to 60 seconds, or is infinite.");
        }
        using var message = CreateLeaseMessage("AcquireLease", blobName, "acquire");
        message.Request.Headers.Add("x-ms-lease-duration", seconds.ToString(CultureInfo.InvariantCulture));
        message.Request.Headers.Add("x-ms-proposed-lease-id", proposedLeaseId ?? Guid.NewGuid().ToString("D"));
        var response = await Pipeline.SendAsync(message, cancellationToken, 201).ConfigureAwait(false);
        return response.Headers.TryGetValue("x-ms-lease-id", out var id) ? id : throw new InvalidOperationException("The service did not return a lease id.");
    }

    public async Task RenewLeaseAsync(string blobName, string leaseId, CancellationToken cancellationToken = default)
    {
        using var message = CreateLeaseMessage("RenewLease", blobName, "renew");
        message.Request.Headers.Add("x-ms-lease-id", leaseId);
        await Pipeline.SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
    }

    public async Task ReleaseLeaseAsync(string blobName, string leaseId, CancellationToken cancellationToken = default)
    {
        using var message = CreateLeaseMessage("ReleaseLease", blobName, "release");
        message.Request.Headers.Add("x-ms-lease-id", leaseId);
        await Pipeline.SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
    }

    private HttpMessage CreateLeaseMessage(string operation, string blobName, string action)
    {
        var message = CreateMessage(operation, RequestMethod.Put, new Uri(BlobUri(blobName).AbsoluteUri + "?comp=lease"));
        message.Request.Headers.Add("x-ms-lease-action", action);
        return message;
    }

    private Uri BlobUri(string blobName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(blobName);
        return new Uri(ContainerUri + "/" + string.Join('/', blobName.Split('/').Select(Uri.EscapeDataString)));
    }

    private HttpMessage CreateMessage(string operation, RequestMethod method, Uri uri)
    {
        var message = Pipeline.CreateMessage(operation, method, uri);
        message.Request.Headers.Add("x-ms-version", Pipeline.Options.BlobServiceVersion);
        return message;
    }

    private static void AddMetadata(Request request, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }
        foreach (var (name, value) in metadata)
        {
            if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || name.Length == 0 || char.IsAsciiDigit(name[0]))
            {
                throw new ArgumentException($"Metadata name '{name}' must be a C# identifier.", nameof(metadata));
            }
            if (!value.All(c => c is >= ' ' and <= '~'))
            {
                throw new ArgumentException($"Metadata value of '{name}' must be printable ASCII (escape it first).", nameof(metadata));
            }
            request.Headers.Add(MetadataPrefix + name, value);
        }
    }

    private static BlobProperties ReadProperties(Response response)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers)
        {
            if (header.Name.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase))
            {
                metadata[header.Name[MetadataPrefix.Length..]] = header.Value;
            }
        }
        response.Headers.TryGetValue("Content-Length", out var length);
        response.Headers.TryGetValue("Content-Type", out var contentType);
        response.Headers.TryGetValue("Last-Modified", out var modified);
        response.Headers.TryGetValue("x-ms-lease-state", out var leaseState);
        return new BlobProperties(
            long.TryParse(length, CultureInfo.InvariantCulture, out var size) ? size : 0,
            contentType,
            ReadETag(response),
            modified is null ? default : DateTimeOffset.Parse(modified, CultureInfo.InvariantCulture),
            metadata,
            leaseState);
    }

    private static ETag ReadETag(Response response) => response.Headers.TryGetValue("ETag", out var etag) ? new ETag(etag) : default;

    private static string? ErrorCode(Response response) => response.Headers.TryGetValue("x-ms-error-code", out var code) ? code : null;

    private static async Task BufferAsync(Response response, CancellationToken cancellationToken)
    {
        if (response.ContentStream is { } stream && stream is not MemoryStream)
        {
            var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            buffer.Position = 0;
            response.ContentStream = buffer;
        }
    }
}
