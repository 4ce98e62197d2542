using Azure;

namespace ReportPipeline.Storage.Client;

public sealed record BlobProperties(
    long ContentLength,
    string? ContentType,
    ETag ETag,
    DateTimeOffset LastModified,
    IReadOnlyDictionary<string, string> Metadata,
    string? LeaseState);

/// <summary>A listed blob; <see cref="Metadata"/> is filled only when the listing asked for it.</summary>
public sealed record BlobItem(string Name, long ContentLength, string? ContentType, ETag ETag, DateTimeOffset? LastModified, IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>Outcome of an upload. <see cref="Created"/> is false when a create-only upload found the blob already there.</summary>
public sealed record BlobUploadResult(bool Created, ETag ETag);

public sealed record BlobUploadOptions
{
    public string ContentType { get; init; } = "application/octet-stream";

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Upload only if no blob exists (<c>If-None-Match: *</c>); an existing blob is reported, not overwritten.</summary>
    public bool CreateOnly { get; init; }

    /// <summary>Upload only if the blob still has this ETag (412 otherwise).</summary>
    public ETag? IfMatch { get; init; }
}

public sealed record BlobDownloadResult(BlobProperties Properties, Stream Content);
