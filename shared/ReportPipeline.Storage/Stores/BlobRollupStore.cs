using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// Roll-ups as JSON blobs in <c>rollups</c>: <c>{period}/{template}/{org}.json</c>, <c>{period}/_burden/{org}.json</c> and
/// <c>{period}/_quality/{org}.json</c>.
/// </summary>
public sealed class BlobRollupStore(BlobContainerClient container) : IRollupStore
{
    /// <summary>Template ids are lower-case letters, digits and underscores starting with a letter, so this name cannot be one.</summary>
    private const string BurdenFolder = "_burden";

    /// <summary>Like <see cref="BurdenFolder"/>, a name no template id can take.</summary>
    private const string QualityFolder = "_quality";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string BlobName(Period period, string templateId, string orgCode) => $"{ValueKeys.PeriodText(period)}/{templateId}/{orgCode}.json";

    public async Task<OrgRollup?> GetAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default)
        => await ReadAsync<OrgRollup>(BlobName(period, templateId, orgCode), cancellationToken).ConfigureAwait(false) is { } read
            ? read.Value with { StoredAt = read.StoredAt }
            : null;

    public Task SaveAsync(Period period, OrgRollup rollup, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollup);
        return WriteAsync(BlobName(period, rollup.TemplateId, rollup.OrgCode), rollup, cancellationToken);
    }

    public async Task<bool> AddAsync(Period period, OrgRollup rollup, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollup);
        try
        {
            await WriteAsync(BlobName(period, rollup.TemplateId, rollup.OrgCode), rollup, cancellationToken, new BlobRequestConditions { IfNoneMatch = ETag.All }).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (BlobErrors.IsAlreadyExists(ex))
        {
            return false;
        }
    }

    public async Task<BurdenRollup?> GetBurdenAsync(Period period, string orgCode, CancellationToken cancellationToken = default)
        => await ReadAsync<BurdenRollup>(BlobName(period, BurdenFolder, orgCode), cancellationToken).ConfigureAwait(false) is { } read
            ? read.Value with { StoredAt = read.StoredAt }
            : null;

    public Task SaveBurdenAsync(Period period, BurdenRollup rollup, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollup);
        return WriteAsync(BlobName(period, BurdenFolder, rollup.OrgCode), rollup, cancellationToken);
    }

    public async Task<QualityRollup?> GetQualityAsync(Period period, string orgCode, CancellationToken cancellationToken = default)
        => await ReadAsync<QualityRollup>(BlobName(period, QualityFolder, orgCode), cancellationToken).ConfigureAwait(false) is { } read
            ? read.Value with { StoredAt = read.StoredAt }
            : null;

    public Task SaveQualityAsync(Period period, QualityRollup rollup, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollup);
        return WriteAsync(BlobName(period, QualityFolder, rollup.OrgCode), rollup, cancellationToken);
    }

    public async IAsyncEnumerable<RollupEntry> ListAsync(Period period, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prefix = ValueKeys.PeriodText(period) + "/";
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            // {period}/{folder}/{org}.json
            var parts = item.Name[prefix.Length..].Split('/');
            if (parts.Length == 2 && parts[1].EndsWith(".json", StringComparison.Ordinal) && item.Properties.LastModified is { } stored)
            {
                yield return new RollupEntry(parts[0], parts[1][..^5], stored);
            }
        }
    }

    /// <summary>The document and when it was last written (the blob's Last-Modified), or null when there is none.</summary>
    private async Task<(T Value, DateTimeOffset StoredAt)?> ReadAsync<T>(string name, CancellationToken cancellationToken) where T : class
    {
        try
        {
            var result = (await container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            return result.Content.ToObjectFromJson<T>(Json) is { } value ? (value, result.Details.LastModified) : null;
        }
        catch (RequestFailedException ex) when (BlobErrors.IsNotFound(ex))
        {
            return null;
        }
        catch (JsonException)
        {
            // A roll-up written by another version that no longer reads is only stale: the reader builds it again.
            return null;
        }
    }

    private Task WriteAsync<T>(string name, T value, CancellationToken cancellationToken, BlobRequestConditions? conditions = null) =>
        container.GetBlobClient(name).UploadAsync(BinaryData.FromObjectAsJson(value, Json), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            Conditions = conditions,
        }, cancellationToken);
}
