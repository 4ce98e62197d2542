using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Domain.Ports;

/// <summary>Raw uploads, kept immutably and addressed by content hash; rejected uploads with their errors.</summary>
public interface ISubmissionArchive
{
    /// <summary>Stores the raw bytes under their SHA-256; a second call with the same bytes writes nothing. Returns the hash.</summary>
    Task<string> ArchiveAsync(ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default);

    /// <summary>Writes the upload to <c>submissions-rejected/{name}</c> and <c>{name}.errors.json</c> beside it.</summary>
    Task RejectAsync(string name, ReadOnlyMemory<byte> content, string contentType, IReadOnlyList<ValidationError> errors, CancellationToken cancellationToken = default);
}

/// <summary>A file dropped into the <c>submissions</c> container.</summary>
public sealed record DroppedFile(string Name, long Size, string? ETag, DateTimeOffset? LastModified);

/// <summary>The <c>submissions</c> container as an inbox for blob-drop ingestion.</summary>
public interface ISubmissionInbox
{
    IAsyncEnumerable<DroppedFile> ListAsync(CancellationToken cancellationToken = default);
    /// <summary>The file's properties, or null when it is gone (already ingested).</summary>
    Task<DroppedFile?> GetAsync(string name, CancellationToken cancellationToken = default);
    Task<byte[]> ReadAsync(string name, CancellationToken cancellationToken = default);
    /// <summary>Removes the file once it has been archived or rejected.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken = default);
    Task PutAsync(string name, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default);
}

/// <summary>Properties of a consolidated workbook as stored.</summary>
public sealed record StoredReport(string TemplateId, string OrgCode, Period Period, DateTimeOffset BuiltAt, long Size, string? InputWatermark)
{
    /// <summary>The stored blob's ETag (null for a report not read from the store): the condition of the next upload.</summary>
    public string? ETag { get; init; }

    /// <summary>When the store last wrote the blob, by the store's clock (null for a report not read from the store).</summary>
    public DateTimeOffset? StoredAt { get; init; }
}

/// <summary>Consolidated workbooks in the <c>reports</c> container as <c>{period}/{template}/{org}.xlsx</c>.</summary>
public interface IReportStore
{
    Task SaveAsync(StoredReport report, ReadOnlyMemory<byte> workbook, CancellationToken cancellationToken = default);
    /// <summary>
    /// Stores the workbook only if the blob is still the one read before building (<paramref name="expectedETag"/>, or
    /// absent when null). False when another writer stored it first: two builds of the same inputs then upload once.
    /// </summary>
    Task<bool> TrySaveAsync(StoredReport report, ReadOnlyMemory<byte> workbook, string? expectedETag, CancellationToken cancellationToken = default);
    Task<StoredReport?> GetPropertiesAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default);
    /// <summary>Every workbook built for the period, with its watermark: what the timer compares, in a few listings rather than one request per workbook.</summary>
    IAsyncEnumerable<StoredReport> ListAsync(Period period, CancellationToken cancellationToken = default);
    /// <summary>
    /// The stored workbooks of one template whose org code starts with <paramref name="orgPrefix"/>, with watermark and
    /// ETag: a consolidation unit's workbooks in one listing instead of a properties read each.
    /// </summary>
    IAsyncEnumerable<StoredReport> ListAsync(Period period, string templateId, string orgPrefix, CancellationToken cancellationToken = default);
    /// <summary>Opens the workbook for streaming; null when it has not been built.</summary>
    Task<Stream?> OpenReadAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default);
}
