using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Storage.Files;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// The registry as <c>reference/orgs.json</c>, written by <c>seed</c>; until something is seeded (or when
/// <paramref name="orgsPath"/>, from <c>Pipeline__OrgsPath</c>, names a file) the sample city shipped with the catalog.
/// Reloads only when the ETag changes.
/// </summary>
public sealed class BlobOrgRegistrySource(BlobContainerClient container, string? orgsPath) : IOrgRegistrySource
{
    public const string BlobName = "orgs.json";

    private (OrgRegistry Registry, string Version)? _last;

    public async Task<(OrgRegistry Registry, string Version)> LoadAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(orgsPath))
        {
            return _last ??= (FileOrgRegistry.Load(orgsPath), "file:" + orgsPath);
        }

        var blob = container.GetBlobClient(BlobName);
        ETag version;
        try
        {
            version = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value.ETag;
        }
        catch (RequestFailedException ex) when (BlobErrors.IsNotFound(ex))
        {
            return Sample();
        }

        if (_last is { } cached && cached.Version == version.ToString())
        {
            return cached;
        }

        BlobDownloadResult download;
        try
        {
            download = (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (BlobErrors.IsNotFound(ex))
        {
            return Sample();
        }

        using var stream = download.Content.ToStream();
        _last = (OrgRegistryLoader.Load(stream, $"{container.Name}/{BlobName}"), download.Details.ETag.ToString());
        return _last.Value;
    }

    private (OrgRegistry Registry, string Version) Sample()
        => _last is { Version: "sample" } sample ? sample : (_last = (FileOrgRegistry.LoadSampleCity(), "sample")).Value;

    public async Task SaveAsync(IReadOnlyCollection<Org> orgs, CancellationToken cancellationToken)
    {
        // Building the registry first rejects an invalid tree before anything is stored.
        _ = new OrgRegistry(orgs);
        var json = JsonSerializer.SerializeToUtf8Bytes(new
        {
            name = "seeded",
            orgs = orgs.OrderBy(o => o.Code, StringComparer.Ordinal).Select(o => new
            {
                code = o.Code,
                name = o.Name,
                level = o.Level.ToString().ToLowerInvariant(),
                parent = o.ParentCode,
            }),
        });
        // The container is provisioned at start with the others (StorageNames.Containers).
        await BlobSubmissionArchive.UploadAsync(container, BlobName, BinaryData.FromBytes(json), "application/json", cancellationToken).ConfigureAwait(false);
        _last = null;
    }
}
