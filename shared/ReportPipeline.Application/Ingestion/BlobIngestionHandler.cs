using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Options;
using ReportPipeline.Application.Http;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Ingestion;

/// <summary>
/// Ingests <c>submissions/{period}/{org}/{name}.xlsx|csv|json</c> through the same submission service as HTTP.
/// The idempotency key is the blob name plus the content hash, so a retried trigger, a restart between merge and
/// delete, or the poller and the trigger both seeing the file, all end in one merge and one receipt. A file is admitted
/// to memory as an HTTP upload is (<see cref="UploadBudget"/>: its size before it is read, what parsing holds once it
/// is); one that does not fit now stays for a later pass (<see cref="UploadDeferredException"/>).
/// </summary>
public sealed class BlobIngestionHandler(
    ISubmissionInbox inbox,
    ISubmissionArchive archive,
    SubmissionService submissions,
    UploadBudget budget,
    IOptions<PipelineOptions> options,
    ILogger<BlobIngestionHandler> logger) : IBlobIngestionHandler
{
    // Files that can be neither ingested nor moved, reported once per instance rather than on every poll.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _reportedOnce = new(StringComparer.Ordinal);

    public async Task IngestAsync(string blobName, CancellationToken cancellationToken)
    {
        if (!IsStorableName(blobName))
        {
            // Storage cannot hold such a name (and a URL would resolve the dot segments to another blob), so the event
            // is forged or stale: there is nothing to read, set aside or delete.
            logger.LogWarning("Ignored an event for an impossible blob name of {Length} characters", blobName.Length);
            return;
        }

        var file = await inbox.GetAsync(blobName, cancellationToken);
        if (file is null)
        {
            logger.LogInformation("Dropped file {BlobName} is gone; it was already ingested", blobName);
            return;
        }

        if (file.Size > options.Value.MaxUploadBytes)
        {
            await SetAsideOversizedAsync(file, cancellationToken);
            return;
        }

        using var lease = budget.TryReserve(file.Size) ?? throw budget.Defer(blobName, file.Size);
        byte[] content;
        try
        {
            content = await inbox.ReadAsync(blobName, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            // Already ingested and removed by an earlier delivery of the same event.
            logger.LogInformation("Dropped file {BlobName} is gone; it was already ingested", blobName);
            return;
        }

        var (org, period, format, problem) = ParseName(blobName);
        if (problem is not null)
        {
            await archive.RejectAsync(blobName, content, "application/octet-stream", [problem], cancellationToken);
            await inbox.DeleteAsync(blobName, cancellationToken);
            logger.LogWarning("Rejected dropped file {BlobName}: {Code}", blobName, problem.Code);
            return;
        }

        if (!lease.TryAdmitParsing(format!.Value, content))
        {
            throw budget.Defer(blobName, budget.WhileParsing(format.Value, content));
        }

        // The name goes in hashed: names may be long or full of characters a table key must escape, and an
        // over-long key would fail the merge on every redelivery.
        var key = $"blob:{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(blobName)))[..32]}:{Convert.ToHexStringLower(SHA256.HashData(content))}";
        try
        {
            var outcome = await submissions.SubmitAsync(
                new SubmissionInput(org!, period, format!.Value, content, "blob", key, blobName), cancellationToken);
            logger.LogInformation(
                "Ingested dropped file {BlobName}: {Result} {SubmissionId}",
                blobName, outcome.Accepted ? "accepted" : "rejected", outcome.Receipt?.SubmissionId);
        }
        catch (MalformedUploadException ex)
        {
            // The submission service has already set the file aside with this reason.
            logger.LogWarning("Rejected dropped file {BlobName} for {Org} {Period}: {Reason}", blobName, org, period.ToString(), ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !StorageFailures.IsUnavailable(ex))
        {
            // Whatever else made the file unreadable would make it unreadable on every pass: it is set aside once with
            // its reason instead of being retried (and logged) forever. Storage trouble is not the file's fault and
            // propagates, so the file stays for the next pass.
            await archive.RejectAsync(blobName, content, UploadFormats.ContentType(format!.Value),
                [new ValidationError(null, "unreadable_file", "文件无法读取，已移出待处理目录。请用 Excel 或 WPS 重新保存为 .xlsx、.csv 或 .json 后重新放入。")],
                cancellationToken);
            logger.LogWarning(ex, "Set aside dropped file {BlobName}: it could not be read", blobName);
        }

        await inbox.DeleteAsync(blobName, cancellationToken);
    }

    /// <summary>
    /// A file above the upload limit is moved aside with its reason like any other unreadable file, so it is neither
    /// ingested nor met again on the next pass. Moving it goes through memory, under the same budget as uploads in flight:
    /// when the budget is taken it is deferred to a later pass; a file larger than the whole budget stays and is reported once.
    /// </summary>
    private async Task SetAsideOversizedAsync(DroppedFile file, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxUploadBytes;
        if (file.Size > budget.Capacity)
        {
            if (_reportedOnce.TryAdd($"{file.Name}\n{file.ETag}", 0))
            {
                logger.LogError(
                    "Dropped file {BlobName} has {Size} bytes, more than uploads may hold in memory ({Capacity}); left in the submissions container, not ingested",
                    file.Name, file.Size, budget.Capacity);
            }

            return;
        }

        using var lease = budget.TryReserve(file.Size) ?? throw budget.Defer(file.Name, file.Size);

        byte[] content;
        try
        {
            content = await inbox.ReadAsync(file.Name, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return;
        }

        var format = UploadFormats.FromFileName(file.Name);
        await archive.RejectAsync(file.Name, content, format is { } f ? UploadFormats.ContentType(f) : "application/octet-stream",
            [new ValidationError(null, "too_large", $"文件有 {file.Size / 1024.0 / 1024.0:0.#} MB，超过允许的 {limit / 1024.0 / 1024.0:0.#} MB，未导入。请检查是否放错了文件。")],
            cancellationToken);
        await inbox.DeleteAsync(file.Name, cancellationToken);
        logger.LogWarning("Set aside dropped file {BlobName}: {Size} bytes, above Pipeline__MaxUploadBytes ({Limit})", file.Name, file.Size, limit);
    }

    private static bool IsStorableName(string blobName) =>
        blobName.Length is > 0 and <= 1024
        && !blobName.Split('/').Any(segment => segment is "." or "..")
        && !blobName.Any(char.IsControl);

    internal static (string? Org, Period Period, UploadFormat? Format, ValidationError? Problem) ParseName(string blobName)
    {
        var parts = blobName.Split('/');
        if (parts.Length != 3)
        {
            return (null, default, null, new ValidationError(null, "bad_blob_name",
                $"文件路径“{blobName}”不符合约定：应为 统计期/行政区划代码/文件名，例如 2026-11/500103001001/一表通.xlsx。"));
        }

        if (!Period.TryParse(parts[0], out var period) || !period.IsSupported)
        {
            return (null, default, null, new ValidationError(null, "bad_period", $"文件路径中的统计期“{parts[0]}”格式不对或超出 {Period.FirstSupportedYear}–{Period.LastSupportedYear} 年，应为 2026、2026-Q4 或 2026-11。"));
        }

        if (!Domain.Orgs.OrgRegistry.IsValidCode(parts[1]))
        {
            return (null, default, null, new ValidationError(null, "bad_org", $"文件路径中的行政区划代码“{parts[1]}”应为 12 位数字。"));
        }

        var format = UploadFormats.FromFileName(parts[2]);
        return format is null
            ? (null, default, null, new ValidationError(null, "unsupported_file", $"不支持的文件类型“{Path.GetExtension(parts[2])}”：请上传 .xlsx、.csv 或 .json 文件。"))
            : (parts[1], period, format, null);
    }
}
