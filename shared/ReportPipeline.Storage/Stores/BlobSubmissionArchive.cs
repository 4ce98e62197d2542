using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// Raw uploads in <c>submissions-archive</c> named by their SHA-256 (create-only, so the archive is immutable and a
/// second copy writes nothing); rejected uploads in <c>submissions-rejected</c> with <c>{name}.errors.json</c> beside them.
/// </summary>
public sealed class BlobSubmissionArchive(BlobContainerClient archive, BlobContainerClient rejected, ILogger<BlobSubmissionArchive> logger) : ISubmissionArchive
{
    internal static readonly JsonSerializerOptions ErrorJson = new(JsonSerializerDefaults.Web)
    {
        // Keep the Chinese messages readable in the stored file.
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        WriteIndented = true,
    };

    public async Task<string> ArchiveAsync(ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        var name = hash + Extension(contentType);
        var created = true;
        try
        {
            await archive.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (BlobErrors.IsAlreadyExists(ex))
        {
            created = false;
        }
        logger.LogInformation("Archived upload {Hash} ({Bytes} bytes): {Outcome}", hash, content.Length, created ? "stored" : "already archived");
        return hash;
    }

    public async Task RejectAsync(string name, ReadOnlyMemory<byte> content, string contentType, IReadOnlyList<ValidationError> errors, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await UploadAsync(rejected, name, BinaryData.FromBytes(content), contentType, cancellationToken).ConfigureAwait(false);
        var json = JsonSerializer.SerializeToUtf8Bytes(errors, ErrorJson);
        await UploadAsync(rejected, name + ".errors.json", BinaryData.FromBytes(json), "application/json; charset=utf-8", cancellationToken).ConfigureAwait(false);
        logger.LogWarning("Rejected upload {Name} with {ErrorCount} errors", name, errors.Count);
    }

    internal static Task UploadAsync(BlobContainerClient container, string name, BinaryData content, string contentType, CancellationToken cancellationToken)
        => container.GetBlobClient(name).UploadAsync(content, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, cancellationToken);

    internal static string Extension(string contentType) => contentType.Split(';')[0].Trim().ToLowerInvariant() switch
    {
        "text/csv" => ".csv",
        "application/json" => ".json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => ".xlsx",
        _ => ".bin",
    };
}
