using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Storage.Client;

namespace ReportPipeline.Storage.Adapters;

/// <summary>Creates a container once, on first use, so that no adapter needs a start-up step.</summary>
internal sealed class ContainerGate(BlobContainerClient container)
{
    private readonly Lazy<Task> _created = new(() => container.CreateIfNotExistsAsync());

    public BlobContainerClient Container => container;

    public Task ReadyAsync() => _created.Value;
}

/// <summary>
/// Accepted uploads in <c>submissions-archive</c> under their SHA-256 (create-only: the same bytes are stored once, and
/// nothing can replace them); rejected ones in <c>submissions-rejected</c> with <c>{name}.errors.json</c> beside them.
/// </summary>
public sealed class BlobSubmissionArchive(BlobContainerClient archive, BlobContainerClient rejected) : ISubmissionArchive
{
    private static readonly JsonSerializerOptions ErrorJson = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ContainerGate _archive = new(archive);
    private readonly ContainerGate _rejected = new(rejected);

    public async Task<string> ArchiveAsync(ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
    {
        await _archive.ReadyAsync();
        var hash = Convert.ToHexStringLower(SHA256.HashData(content.Span));
        await archive.UploadAsync(hash + Extension(contentType), content, new BlobUploadOptions { ContentType = contentType, CreateOnly = true }, cancellationToken);
        return hash;
    }

    public async Task RejectAsync(string name, ReadOnlyMemory<byte> content, string contentType, IReadOnlyList<ValidationError> errors, CancellationToken cancellationToken = default)
    {
        await _rejected.ReadyAsync();
        await rejected.UploadAsync(name, content, new BlobUploadOptions { ContentType = contentType }, cancellationToken);
        var report = JsonSerializer.SerializeToUtf8Bytes(new
        {
            file = name,
            errorCount = errors.Count,
            errors = errors.Select(e => new { field = e.FieldId, cell = e.Cell, code = e.Code, message = e.Message }),
        }, ErrorJson);
        await rejected.UploadAsync(name + ".errors.json", report, new BlobUploadOptions { ContentType = "application/json; charset=utf-8" }, cancellationToken);
    }

    private static string Extension(string contentType) => contentType.Split(';')[0].Trim() switch
    {
        "application/json" => ".json",
        "text/csv" => ".csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => ".xlsx",
        _ => ".bin",
    };
}

/// <summary>The <c>submissions</c> container as the blob-drop inbox.</summary>
public sealed class BlobSubmissionInbox(BlobContainerClient container) : ISubmissionInbox
{
    private readonly ContainerGate _gate = new(container);

    public async IAsyncEnumerable<DroppedFile> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await _gate.ReadyAsync();
        await foreach (var item in container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            yield return new DroppedFile(item.Name, item.ContentLength, item.ETag.ToString(), item.LastModified);
        }
    }

    public async Task<byte[]> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        await _gate.ReadyAsync();
        var download = await container.DownloadContentAsync(name, cancellationToken);
        return download?.Content ?? throw new FileNotFoundException($"submissions/{name} does not exist.", name);
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        await _gate.ReadyAsync();
        await container.DeleteIfExistsAsync(name, cancellationToken);
    }

    public async Task PutAsync(string name, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default)
    {
        await _gate.ReadyAsync();
        await container.UploadAsync(name, content, new BlobUploadOptions { ContentType = contentType }, cancellationToken);
    }
}

/// <summary>Consolidated workbooks as <c>reports/{period}/{template}/{org}.xlsx</c>; build time and input watermark in metadata.</summary>
public sealed class BlobReportStore(BlobContainerClient container) : IReportStore
{
    private readonly ContainerGate _gate = new(container);

    public async Task SaveAsync(StoredReport report, ReadOnlyMemory<byte> workbook, CancellationToken cancellationToken = default)
    {
        await _gate.ReadyAsync();
        var metadata = new Dictionary<string, string>
        {
            ["template"] = report.TemplateId,
            ["org"] = report.OrgCode,
            ["period"] = report.Period.ToString(),
            ["builtat"] = report.BuiltAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (report.InputWatermark is { } watermark)
        {
            metadata["watermark"] = watermark;
        }

        await container.UploadAsync(Name(report.Period, report.TemplateId, report.OrgCode), workbook, new BlobUploadOptions
        {
            ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Metadata = metadata,
        }, cancellationToken);
    }

    public async Task<StoredReport?> GetPropertiesAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default)
    {
        await _gate.ReadyAsync();
        var properties = await container.GetPropertiesAsync(Name(period, templateId, orgCode), cancellationToken);
        if (properties is null)
        {
            return null;
        }

        var builtAt = properties.Metadata.TryGetValue("builtat", out var ticks) && long.TryParse(ticks, System.Globalization.CultureInfo.InvariantCulture, out var t)
            ? new DateTimeOffset(t, TimeSpan.Zero)
            : properties.LastModified;
        return new StoredReport(templateId, orgCode, period, builtAt, properties.ContentLength, properties.Metadata.GetValueOrDefault("watermark"));
    }

    public async Task<Stream?> OpenReadAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default)
    {
        await _gate.ReadyAsync();
        var download = await container.DownloadContentAsync(Name(period, templateId, orgCode), cancellationToken);
        return download is null ? null : new MemoryStream(download.Value.Content, writable: false);
    }

    private static string Name(Period period, string templateId, string orgCode) => $"{period}/{templateId}/{orgCode}.xlsx";
}

/// <summary>
/// A blob lease per lock name in the <c>leases</c> container. The holder renews it at half its duration until disposed,
/// so a crashed holder's lock expires by itself within the duration.
/// </summary>
public sealed class BlobLeaseLock(BlobContainerClient container) : IDistributedLock
{
    private readonly ContainerGate _gate = new(container);

    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        await _gate.ReadyAsync();
        var blob = TableKey.Escape(name).Replace('|', '_');
        await container.UploadAsync(blob, ReadOnlyMemory<byte>.Empty, new BlobUploadOptions { CreateOnly = true }, cancellationToken);
        try
        {
            var leaseId = await container.AcquireLeaseAsync(blob, duration, cancellationToken: cancellationToken);
            return new Held(container, blob, leaseId, duration);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return null;
        }
    }

    private sealed class Held : IAsyncDisposable
    {
        private readonly BlobContainerClient _container;
        private readonly string _blob;
        private readonly string _leaseId;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewal;

        public Held(BlobContainerClient container, string blob, string leaseId, TimeSpan duration)
        {
            (_container, _blob, _leaseId) = (container, blob, leaseId);
            _renewal = RenewAsync(duration / 2, _stop.Token);
        }

        private async Task RenewAsync(TimeSpan every, CancellationToken stop)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(every, stop);
                    await _container.RenewLeaseAsync(_blob, _leaseId, stop);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (RequestFailedException)
            {
                // The lease was lost (expired under a long pause): the work finishes, and a rival may have started; the
                // build is idempotent, so the worst case is one workbook written twice with the same content.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewal;
            try
            {
                await _container.ReleaseLeaseAsync(_blob, _leaseId);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Already expired or taken over; nothing left to release.
            }

            _stop.Dispose();
        }
    }
}
