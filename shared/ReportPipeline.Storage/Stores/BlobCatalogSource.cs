using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// Published catalog versions as blobs <c>catalog/{version}/{name}</c> (<see cref="CatalogLayout"/>), each version
/// immutable. A version counts once its <c>catalog.json</c> exists and is no longer marked <c>pending</c>; the manifest
/// blob's metadata <c>inforcefrom</c> holds the first period it is in force for (absent: from the start). Which version
/// is in force is the domain's rule (<see cref="CatalogVersions.InForce"/>); a version's documents are fetched once per
/// process.
/// <para>
/// Publishing (<see cref="PublishAsync"/>) names versions by sequence (<c>v0001</c>, <c>v0002</c>, …) and claims the
/// next name by creating its manifest with <c>If-None-Match: *</c>, marked pending; then it writes the other documents
/// and finally clears the mark with <c>If-Match</c> on the claim's ETag. Whoever loses the claim publishes nothing. With
/// <paramref name="seed"/>, an empty container is first given the seed's documents as <c>v0001</c>, in force from the start.
/// </para>
/// </summary>
public sealed class BlobCatalogSource(BlobContainerClient container, ICatalogSource? seed = null, TimeProvider? time = null) : ICatalogSource, ICatalogPublisher
{
    public const string Prefix = "catalog/";

    public const string InForceFromMetadata = "inforcefrom";

    /// <summary>Marks a manifest whose version is still being written.</summary>
    public const string PendingMetadata = "pending";

    /// <summary>A claim left pending this long belongs to a publisher that died; the next publisher may take it over.</summary>
    public static readonly TimeSpan AbandonedClaim = ICatalogPublisher.AbandonedAfter;

    /// <summary>The manifest's metadata naming what asked for the version (an admitted proposal's id).</summary>
    public const string OriginMetadata = "origin";

    private readonly ConcurrentDictionary<string, CatalogDocumentSet> _loaded = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The name of the version with sequence <paramref name="sequence"/>.</summary>
    public static string VersionName(int sequence) => "v" + sequence.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>The published versions, from one listing of <c>catalog/</c>.</summary>
    /// <exception cref="CatalogLoadException">When a manifest's <c>inforcefrom</c> is not a period.</exception>
    public async Task<IReadOnlyList<CatalogVersionEntry>> ListVersionsAsync(CancellationToken cancellationToken) =>
        [.. (await ListManifestsAsync(cancellationToken).ConfigureAwait(false)).Where(m => !m.Pending).Select(m => m.Entry)];

    public async Task<string> GetVersionAsync(Period? period, CancellationToken cancellationToken)
    {
        var versions = await ListVersionsAsync(cancellationToken).ConfigureAwait(false);
        if (versions.Count == 0 && seed is not null)
        {
            versions = await SeedAsync(cancellationToken).ConfigureAwait(false);
        }

        return CatalogVersions.InForce(versions, period)
            ?? throw new CatalogLoadException([new CatalogProblem($"{container.Name}/{Prefix}", null,
                period is { } p ? $"{p} 没有生效的目录版本 (no catalog version in force for {p})" : "没有已发布的目录版本 (no catalog version published)")]);
    }

    public async Task<CatalogDocumentSet> LoadAsync(string version, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (_loaded.TryGetValue(version, out var loaded))
        {
            return loaded;
        }

        var prefix = Prefix + version + "/";
        var documents = new List<CatalogDocument>();
        var pending = false;
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            var name = blob.Name[prefix.Length..];
            pending |= name == CatalogLayout.Manifest && blob.Metadata.ContainsKey(PendingMetadata);
            var content = (await container.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
            documents.Add(new CatalogDocument(name, content.ToMemory()));
        }

        if (pending || !documents.Any(d => d.Name == CatalogLayout.Manifest))
        {
            throw new CatalogLoadException([new CatalogProblem($"{container.Name}/{prefix}", null, "目录版本不存在或尚未发布 (no such catalog version)")]);
        }

        return _loaded.GetOrAdd(version, new CatalogDocumentSet(version, documents));
    }

    public async Task<CatalogHead> GetHeadAsync(CancellationToken cancellationToken)
    {
        var manifests = await ListManifestsAsync(cancellationToken).ConfigureAwait(false);
        if (manifests.Count == 0 && seed is not null)
        {
            await SeedAsync(cancellationToken).ConfigureAwait(false);
            manifests = await ListManifestsAsync(cancellationToken).ConfigureAwait(false);
        }

        var head = manifests.Where(m => m.Sequence > 0).MaxBy(m => m.Sequence)
            ?? throw new CatalogLoadException([new CatalogProblem($"{container.Name}/{Prefix}", null, "没有已发布的目录版本 (no catalog version published)")]);
        return new CatalogHead(head.Entry.Version, head.Sequence, head.Entry.InForceFrom, head.Pending);
    }

    public async Task<string?> PublishAsync(CatalogHead basedOn, IReadOnlyList<CatalogDocument> documents, Period inForceFrom, string origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(basedOn);
        ArgumentException.ThrowIfNullOrWhiteSpace(origin);
        return await PublishAsync(basedOn.Sequence + 1, documents, inForceFrom, origin, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CatalogPublication?> FindPublicationAsync(string origin, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(origin);
        var manifest = (await ListManifestsAsync(cancellationToken).ConfigureAwait(false))
            .Where(m => string.Equals(m.Origin, origin, StringComparison.Ordinal))
            .MaxBy(m => m.Sequence);
        return manifest switch
        {
            null => null,
            { Pending: false } => new CatalogPublication(manifest.Entry.Version, CatalogPublicationState.Published),
            _ when _time.GetUtcNow() - manifest.LastModified >= AbandonedClaim => new CatalogPublication(manifest.Entry.Version, CatalogPublicationState.Abandoned),
            _ => new CatalogPublication(manifest.Entry.Version, CatalogPublicationState.Publishing),
        };
    }

    private async Task<string?> PublishAsync(int sequence, IReadOnlyList<CatalogDocument> documents, Period? inForceFrom, string? origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var manifest = documents.SingleOrDefault(d => d.Name == CatalogLayout.Manifest)
            ?? throw new ArgumentException("A catalog version needs its catalog.json.", nameof(documents));
        var version = VersionName(sequence);
        var prefix = Prefix + version + "/";
        var manifestBlob = container.GetBlobClient(prefix + CatalogLayout.Manifest);
        var metadata = new Dictionary<string, string> { [PendingMetadata] = "1" };
        if (inForceFrom is { } from)
        {
            metadata[InForceFromMetadata] = from.ToString();
        }

        if (origin is not null)
        {
            metadata[OriginMetadata] = origin;
        }

        ETag claim;
        try
        {
            claim = (await manifestBlob.UploadAsync(BinaryData.FromBytes(manifest.Json), new BlobUploadOptions
            {
                Metadata = metadata,
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken).ConfigureAwait(false)).Value.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            if (!await TakeOverAbandonedAsync(manifestBlob, prefix, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            return await PublishAsync(sequence, documents, inForceFrom, origin, cancellationToken).ConfigureAwait(false);
        }

        foreach (var document in documents.Where(d => d.Name != CatalogLayout.Manifest))
        {
            await container.GetBlobClient(prefix + document.Name).UploadAsync(BinaryData.FromBytes(document.Json), overwrite: true, cancellationToken).ConfigureAwait(false);
        }

        metadata.Remove(PendingMetadata);
        await manifestBlob.SetMetadataAsync(metadata, new BlobRequestConditions { IfMatch = claim }, cancellationToken).ConfigureAwait(false);
        return version;
    }

    /// <summary>A claim pending for longer than <see cref="AbandonedClaim"/> is removed (with what its publisher wrote) so the sequence can go on.</summary>
    private async Task<bool> TakeOverAbandonedAsync(BlobClient manifestBlob, string prefix, CancellationToken cancellationToken)
    {
        BlobProperties properties;
        try
        {
            properties = (await manifestBlob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return true;
        }

        if (!properties.Metadata.ContainsKey(PendingMetadata) || _time.GetUtcNow() - properties.LastModified < AbandonedClaim)
        {
            return false;
        }

        try
        {
            await manifestBlob.DeleteAsync(DeleteSnapshotsOption.None, new BlobRequestConditions { IfMatch = properties.ETag }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }

        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            await container.GetBlobClient(blob.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Gives an empty container the seed as <c>v0001</c>; when another host seeds at the same moment, waits for its version.</summary>
    private async Task<IReadOnlyList<CatalogVersionEntry>> SeedAsync(CancellationToken cancellationToken)
    {
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var documents = await seed!.LoadAsync(await seed.GetVersionAsync(null, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        await PublishAsync(1, documents.Documents, inForceFrom: null, origin: null, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var versions = await ListVersionsAsync(cancellationToken).ConfigureAwait(false);
            if (versions.Count > 0 || attempt >= 50)
            {
                return versions;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<List<Manifest>> ListManifestsAsync(CancellationToken cancellationToken)
    {
        var manifests = new List<Manifest>();
        var problems = new List<CatalogProblem>();
        try
        {
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

                var version = rest[..slash];
                var sequence = version.Length == 5 && version[0] == 'v' && int.TryParse(version.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
                manifests.Add(new Manifest(new CatalogVersionEntry(version, from), sequence, blob.Metadata.ContainsKey(PendingMetadata),
                    blob.Metadata.TryGetValue(OriginMetadata, out var origin) ? origin : null, blob.Properties.LastModified ?? DateTimeOffset.MinValue));
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404 && seed is not null)
        {
            // The container does not exist yet: nothing is published, and seeding creates it.
            return manifests;
        }

        return problems.Count > 0 ? throw new CatalogLoadException(problems) : manifests;
    }

    private sealed record Manifest(CatalogVersionEntry Entry, int Sequence, bool Pending, string? Origin, DateTimeOffset LastModified);
}
