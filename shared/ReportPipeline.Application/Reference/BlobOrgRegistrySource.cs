using System.Text.Json;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Options;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Storage.Client;

namespace ReportPipeline.Application.Reference;

/// <summary>
/// The registry as <c>reference/orgs.json</c>, written by <c>seed</c>; until something is seeded (or when
/// <c>Pipeline__OrgsPath</c> names a file) the sample city shipped with the catalog. Reloads only when the ETag changes.
/// </summary>
public sealed class BlobOrgRegistrySource(BlobContainerClient container, IOptions<PipelineOptions> options) : IOrgRegistrySource
{
    public const string BlobName = "orgs.json";

    private readonly SemaphoreSlim _created = new(1, 1);
    private bool _containerReady;
    private (OrgRegistry Registry, string Version)? _last;

    public async Task<(OrgRegistry Registry, string Version)> LoadAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(options.Value.OrgsPath))
        {
            return _last ??= (OrgRegistryLoader.LoadFile(options.Value.OrgsPath), "file:" + options.Value.OrgsPath);
        }

        var properties = await container.GetPropertiesAsync(BlobName, cancellationToken);
        if (properties is null)
        {
            return _last is { Version: "sample" } sample ? sample : (_last = (OrgRegistryLoader.LoadSampleCity(), "sample")).Value;
        }

        var version = properties.ETag.ToString();
        if (_last is { } cached && cached.Version == version)
        {
            return cached;
        }

        var download = await container.DownloadContentAsync(BlobName, cancellationToken);
        if (download is null)
        {
            return (OrgRegistryLoader.LoadSampleCity(), "sample");
        }

        using var stream = new MemoryStream(download.Value.Content, writable: false);
        _last = (OrgRegistryLoader.Load(stream, $"{container.Name}/{BlobName}"), download.Value.Properties.ETag.ToString());
        return _last.Value;
    }

    public async Task SaveAsync(IReadOnlyCollection<Org> orgs, CancellationToken cancellationToken)
    {
        // Building the registry first rejects an invalid tree before anything is stored.
        _ = new OrgRegistry(orgs);
        await EnsureContainerAsync(cancellationToken);
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
        await container.UploadAsync(BlobName, json, new BlobUploadOptions { ContentType = "application/json" }, cancellationToken);
        _last = null;
    }

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerReady)
        {
            return;
        }

        await _created.WaitAsync(cancellationToken);
        try
        {
            await container.CreateIfNotExistsAsync(cancellationToken);
            _containerReady = true;
        }
        finally
        {
            _created.Release();
        }
    }
}
