using System.Collections.Concurrent;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// Published catalog versions as blobs <c>catalog/{version}/{name}</c> (<see cref="CatalogLayout"/>), each version
/// immutable. A version counts once its <c>catalog.json</c> exists (a publisher writes it last); the manifest blob's
/// metadata <c>inforcefrom</c> holds the first period it is in force for (absent: from the start). Which version is in
/// force is the domain's rule (<see cref="CatalogVersions.InForce"/>); a version's documents are fetched once per process.
/// </summary>
public sealed class BlobCatalogSource(BlobContainerClient container) : ICatalogSource
{
    public const string Prefix = "catalog/";

    public const string InForceFromMetadata = "inforcefrom";

    private readonly ConcurrentDictionary<string, CatalogDocumentSet> _loaded = new(StringComparer.Ordinal);

    /// <summary>The published versions, from one listing of <c>catalog/</c>.</summary>
    /// <exception cref="CatalogLoadException">When a manifest's <c>inforcefrom</c> is not a period.</exception>
    public async Task<IReadOnlyList<CatalogVersionEntry>> ListVersionsAsync(CancellationToken cancellationToken)
    {
        var versions = new List<CatalogVersionEntry>();
        var problems = new List<CatalogProblem>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, Prefix, cancellationToken).ConfigureAwait(false))
        {
            var rest = blob.Name[Prefix.Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || !string.Equals(rest[(slash + 1)..], CatalogLayout.Manifest, StringComparison.Ordinal))
            {
                continue;
            }

            Period? from = null;
            if (blob.Metadata.TryGetValue(InForceFromMetadata, out var text))
            {
                if (Period.TryParse(text, out var parsed))
                {
                    from = parsed;
                }
                else
                {
                    problems.Add(new CatalogProblem($"{container.Name}/{blob.Name}", null, $"生效期 {InForceFromMetadata}“{text}”不是报告期，如 2027-01 (inforcefrom is not a period)"));
                }
            }

            versions.Add(new CatalogVersionEntry(rest[..slash], from));
        }

        return problems.Count > 0 ? throw new CatalogLoadException(problems) : versions;
    }

    public async Task<string> GetVersionAsync(Period? period, CancellationToken cancellationToken)
        => CatalogVersions.InForce(await ListVersionsAsync(cancellationToken).ConfigureAwait(false), period)
            ?? throw new CatalogLoadException([new CatalogProblem($"{container.Name}/{Prefix}", null,
                period is { } p ? $"{p} 没有生效的目录版本 (no catalog version in force for {p})" : "没有已发布的目录版本 (no catalog version published)")]);

    public async Task<CatalogDocumentSet> LoadAsync(string version, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (_loaded.TryGetValue(version, out var loaded))
        {
            return loaded;
        }

        var prefix = Prefix + version + "/";
        var documents = new List<CatalogDocument>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            var content = (await container.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
            documents.Add(new CatalogDocument(blob.Name[prefix.Length..], content.ToMemory()));
        }

        if (!documents.Any(d => d.Name == CatalogLayout.Manifest))
        {
            throw new CatalogLoadException([new CatalogProblem($"{container.Name}/{prefix}", null, "目录版本不存在或尚未发布 (no such catalog version)")]);
        }

        return _loaded.GetOrAdd(version, new CatalogDocumentSet(version, documents));
    }
}
