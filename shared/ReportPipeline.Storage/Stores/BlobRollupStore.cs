using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>Roll-ups as JSON blobs in <c>rollups</c>: <c>{period}/{template}/{org}.json</c> and <c>{period}/_burden/{org}.json</c>.</summary>
public sealed class BlobRollupStore(BlobContainerClient container) : IRollupStore
{
    /// <summary>Template ids are lower-case letters, digits and underscores starting with a letter, so this name cannot be one.</summary>
    private const string BurdenFolder = "_burden";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string BlobName(Period period, string templateId, string orgCode) => $"{ValueKeys.PeriodText(period)}/{templateId}/{orgCode}.json";

    public Task<OrgRollup?> GetAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default)
        => ReadAsync<OrgRollup>(BlobName(period, templateId, orgCode), cancellationToken);

    public Task SaveAsync(Period period, OrgRollup rollup, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollup);
        return WriteAsync(BlobName(period, rollup.TemplateId, rollup.OrgCode), rollup, cancellationToken);
    }

    public Task<BurdenRollup?> GetBurdenAsync(Period period, string orgCode, CancellationToken cancellationToken = default)
        => ReadAsync<BurdenRollup>(BlobName(period, BurdenFolder, orgCode), cancellationToken);

    public Task SaveBurdenAsync(Period period, BurdenRollup rollup, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollup);
        return WriteAsync(BlobName(period, BurdenFolder, rollup.OrgCode), rollup, cancellationToken);
    }

    private async Task<T?> ReadAsync<T>(string name, CancellationToken cancellationToken) where T : class
    {
        try
        {
            var content = (await container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
            return content.ToObjectFromJson<T>(Json);
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

    private Task WriteAsync<T>(string name, T value, CancellationToken cancellationToken) =>
        container.GetBlobClient(name).UploadAsync(BinaryData.FromObjectAsJson(value, Json), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
        }, cancellationToken);
}
