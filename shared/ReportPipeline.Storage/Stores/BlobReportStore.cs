using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>Consolidated workbooks in <c>reports</c> as <c>{period}/{template}/{org}.xlsx</c>, with build time and input watermark as metadata.</summary>
public sealed class BlobReportStore(BlobContainerClient container) : IReportStore
{
    private const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static string BlobName(Period period, string templateId, string orgCode) => $"{ValueKeys.PeriodText(period)}/{templateId}/{orgCode}.xlsx";

    public Task SaveAsync(StoredReport report, ReadOnlyMemory<byte> workbook, CancellationToken cancellationToken = default)
        => UploadAsync(report, workbook, conditions: null, cancellationToken);

    public async Task<bool> TrySaveAsync(StoredReport report, ReadOnlyMemory<byte> workbook, string? expectedETag, CancellationToken cancellationToken = default)
    {
        // Absent: create only (If-None-Match: *); present: replace only that version (If-Match). The loser of a race
        // between two builders of the same inputs gets 409/412 and uploads nothing.
        var conditions = expectedETag is null
            ? new BlobRequestConditions { IfNoneMatch = ETag.All }
            : new BlobRequestConditions { IfMatch = new ETag(expectedETag) };
        try
        {
            await UploadAsync(report, workbook, conditions, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    private async Task UploadAsync(StoredReport report, ReadOnlyMemory<byte> workbook, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var metadata = new Dictionary<string, string>
        {
            ["BuiltAt"] = report.BuiltAt.ToString("O", CultureInfo.InvariantCulture),
            ["TemplateId"] = Uri.EscapeDataString(report.TemplateId),
            ["OrgCode"] = report.OrgCode,
            ["Period"] = ValueKeys.PeriodText(report.Period),
        };
        if (report.InputWatermark is not null)
        {
            // Metadata must be ASCII; the watermark is opaque to the store, so escape it.
            metadata["Watermark"] = Uri.EscapeDataString(report.InputWatermark);
        }
        await container.GetBlobClient(BlobName(report.Period, report.TemplateId, report.OrgCode)).UploadAsync(BinaryData.FromBytes(workbook), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = XlsxContentType },
            Metadata = metadata,
            Conditions = conditions,
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredReport?> GetPropertiesAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default)
    {
        try
        {
            var properties = (await container.GetBlobClient(BlobName(period, templateId, orgCode)).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return FromMetadata(templateId, orgCode, period, properties.Metadata, properties.LastModified, properties.ContentLength) with { ETag = properties.ETag.ToString(), StoredAt = properties.LastModified };
        }
        catch (RequestFailedException ex) when (BlobErrors.IsNotFound(ex))
        {
            return null;
        }
    }

    public async IAsyncEnumerable<StoredReport> ListAsync(Period period, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prefix = ValueKeys.PeriodText(period) + "/";
        await foreach (var item in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix, cancellationToken).ConfigureAwait(false))
        {
            // {period}/{template}/{org}.xlsx
            var parts = item.Name[prefix.Length..].Split('/');
            if (parts.Length == 2 && parts[1].EndsWith(".xlsx", StringComparison.Ordinal))
            {
                yield return FromMetadata(parts[0], parts[1][..^5], period, item.Metadata ?? new Dictionary<string, string>(),
                    item.Properties.LastModified ?? default, item.Properties.ContentLength ?? 0) with { ETag = item.Properties.ETag?.ToString(), StoredAt = item.Properties.LastModified };
            }
        }
    }

    public async IAsyncEnumerable<StoredReport> ListAsync(Period period, string templateId, string orgPrefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orgPrefix);
        var folder = $"{ValueKeys.PeriodText(period)}/{templateId}/";
        await foreach (var item in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, folder + orgPrefix, cancellationToken).ConfigureAwait(false))
        {
            var name = item.Name[folder.Length..];
            if (!name.Contains('/', StringComparison.Ordinal) && name.EndsWith(".xlsx", StringComparison.Ordinal))
            {
                yield return FromMetadata(templateId, name[..^5], period, item.Metadata ?? new Dictionary<string, string>(),
                    item.Properties.LastModified ?? default, item.Properties.ContentLength ?? 0) with { ETag = item.Properties.ETag?.ToString() };
            }
        }
    }

    private static StoredReport FromMetadata(string templateId, string orgCode, Period period, IDictionary<string, string> metadata, DateTimeOffset lastModified, long size)
    {
        // The service returns metadata names in the case they were written; Azurite may not, so look them up either way.
        var named = new Dictionary<string, string>(metadata, StringComparer.OrdinalIgnoreCase);
        var builtAt = named.TryGetValue("BuiltAt", out var built)
            && DateTimeOffset.TryParse(built, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)
                ? parsed
                : lastModified;
        var watermark = named.TryGetValue("Watermark", out var mark) ? Uri.UnescapeDataString(mark) : null;
        return new StoredReport(templateId, orgCode, period, builtAt, size, watermark);
    }

    public async Task<Stream?> OpenReadAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default)
    {
        try
        {
            var download = await container.GetBlobClient(BlobName(period, templateId, orgCode)).DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return download.Value.Content;
        }
        catch (RequestFailedException ex) when (BlobErrors.IsNotFound(ex))
        {
            return null;
        }
    }
}
