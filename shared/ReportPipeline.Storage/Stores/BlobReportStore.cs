using System.Globalization;
using Azure;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Storage.Client;

namespace ReportPipeline.Storage.Stores;

/// <summary>Consolidated workbooks in <c>reports</c> as <c>{period}/{template}/{org}.xlsx</c>, with build time and input watermark as metadata.</summary>
public sealed class BlobReportStore(BlobContainerClient container) : IReportStore
{
    private const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static string BlobName(Period period, string templateId, string orgCode) => $"{ValueKeys.PeriodText(period)}/{templateId}/{orgCode}.xlsx";

    public async Task SaveAsync(StoredReport report, ReadOnlyMemory<byte> workbook, CancellationToken cancellationToken = default)
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
        await container.UploadAsync(BlobName(report.Period, report.TemplateId, report.OrgCode), workbook,
            new BlobUploadOptions { ContentType = XlsxContentType, Metadata = metadata }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredReport?> GetPropertiesAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default)
    {
        var properties = await container.GetPropertiesAsync(BlobName(period, templateId, orgCode), cancellationToken).ConfigureAwait(false);
        if (properties is null)
        {
            return null;
        }
        var builtAt = properties.Metadata.TryGetValue("BuiltAt", out var built)
            && DateTimeOffset.TryParse(built, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)
                ? parsed
                : properties.LastModified;
        var watermark = properties.Metadata.TryGetValue("Watermark", out var mark) ? Uri.UnescapeDataString(mark) : null;
        return new StoredReport(templateId, orgCode, period, builtAt, properties.ContentLength, watermark);
    }

    public async Task<Stream?> OpenReadAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default)
    {
        try
        {
            var download = await container.DownloadStreamingAsync(BlobName(period, templateId, orgCode), cancellationToken).ConfigureAwait(false);
            return download.Content;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }
}
