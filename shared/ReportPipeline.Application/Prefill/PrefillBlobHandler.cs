using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Ingestion;
using ReportPipeline.Application.Options;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Prefill;

/// <summary>
/// A department's pre-fill dropped as <c>prefill/{period}/{dept}/{name}.csv|xlsx</c>: the same service as the HTTP route,
/// over the whole registry (whoever may write to the container is trusted as the department). A refused file is set
/// aside in <c>submissions-rejected/prefill/…</c> with its errors; either way the file leaves the inbox. A redelivered
/// event merges nothing twice: a village whose values already match writes nothing. Memory is admitted as for any upload
/// (<see cref="UploadBudget"/>); a file that does not fit now stays for a later pass.
/// </summary>
public sealed partial class PrefillBlobHandler(
    IPrefillInbox inbox,
    ISubmissionArchive archive,
    PrefillService prefill,
    UploadBudget budget,
    IOptions<PipelineOptions> options,
    ILogger<PrefillBlobHandler> logger)
{
    [GeneratedRegex(@"^(?<period>[0-9A-Za-z-]{4,7})/(?<dept>[a-z][a-z0-9_]{0,63})/[^/]+\.(?<ext>csv|xlsx)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex NamePattern();

    /// <summary><paramref name="blobName"/> is the name inside the <c>prefill</c> container.</summary>
    public async Task IngestAsync(string blobName, CancellationToken cancellationToken)
    {
        var file = await inbox.GetAsync(blobName, cancellationToken);
        if (file is null)
        {
            logger.LogInformation("Dropped pre-fill {BlobName} is gone; it was already ingested", blobName);
            return;
        }

        var oversized = file.Size > options.Value.MaxUploadBytes;
        using var lease = oversized ? null : budget.TryReserve(file.Size) ?? throw budget.Defer(blobName, file.Size);
        byte[] content;
        try
        {
            content = oversized ? [] : await inbox.ReadAsync(blobName, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return;
        }

        var match = NamePattern().Match(blobName);
        IReadOnlyList<ValidationError> errors;
        if (content.Length == 0 && file.Size > 0)
        {
            errors = [new ValidationError(null, "too_large", $"文件超过 {options.Value.MaxUploadBytes / 1024 / 1024} MB 的上限，请按区县拆分后再放入。")];
        }
        else if (!match.Success || !Period.TryParse(match.Groups["period"].Value, out var period) || !period.IsSupported)
        {
            errors = [new ValidationError(null, "bad_blob_name", "下发文件应放在 prefill/{统计期}/{部门编号}/{文件名}.csv 或 .xlsx，例如 prefill/2026-11/gaj/户籍人口.csv。")];
        }
        else
        {
            var format = match.Groups["ext"].Value.Equals("csv", StringComparison.OrdinalIgnoreCase) ? UploadFormat.Csv : UploadFormat.Workbook;
            if (!lease!.TryAdmitParsing(format, content))
            {
                throw budget.Defer(blobName, budget.WhileParsing(format, content));
            }

            var outcome = await prefill.PushAsync(
                new PrefillInput(match.Groups["dept"].Value, period, format, content, "prefill-blob", ScopeOrg: null, DryRun: false), cancellationToken);
            errors = outcome.Errors;
            if (outcome.Receipt is { } receipt)
            {
                logger.LogInformation("Ingested dropped pre-fill {BlobName}: {Message}", blobName, receipt.Message);
            }
        }

        if (errors.Count > 0)
        {
            await archive.RejectAsync("prefill/" + blobName, content, "application/octet-stream", errors, cancellationToken);
            logger.LogWarning("Rejected dropped pre-fill {BlobName}: {ErrorCount} errors (first: {FirstCode})", blobName, errors.Count, errors[0].Code);
        }

        await inbox.DeleteAsync(blobName, cancellationToken);
    }
}
