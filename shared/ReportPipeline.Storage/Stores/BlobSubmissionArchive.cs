using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Storage.Client;

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
        var result = await archive.UploadAsync(name, content, new BlobUploadOptions { ContentType = contentType, CreateOnly = true }, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Archived upload {Hash} ({Bytes} bytes): {Outcome}", hash, content.Length, result.Created ? "stored" : "already archived");
        return hash;
    }

    public async Task RejectAsync(string name, ReadOnlyMemory<byte> content, string contentType, IReadOnlyList<ValidationError> errors, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await rejected.UploadAsync(name, content, new BlobUploadOptions { ContentType = contentType }, cancellationToken).ConfigureAwait(false);
        var json = JsonSerializer.SerializeToUtf8Bytes(errors, ErrorJson);
        await rejected.UploadAsync(name + ".errors.json", json, new BlobUploadOptions { ContentType = "application/json; charset=utf-8" }, cancellationToken).ConfigureAwait(false);
        logger.LogWarning("Rejected upload {Name} with {ErrorCount} errors", name, errors.Count);
    }

    internal static string Extension(string contentType) => contentType.Split(';')[0].Trim().ToLowerInvariant() switch
    {
        "text/csv" => ".csv",
        "application/json" => ".json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => ".xlsx",
        _ => ".bin",
    };
}
