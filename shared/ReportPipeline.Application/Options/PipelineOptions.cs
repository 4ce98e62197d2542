using System.ComponentModel.DataAnnotations;

namespace ReportPipeline.Application.Options;

/// <summary>Settings of the pipeline itself (section <c>Pipeline</c>, e.g. <c>Pipeline__MaxUploadBytes</c>).</summary>
public sealed class PipelineOptions : IValidatableObject
{
    public const string Section = "Pipeline";

    /// <summary>
    /// Peak memory of reading one workbook per byte it inflates to, as measured through the local host: 16 uploads at
    /// once of 17 KB workbooks inflating to 15.75 MB took +741 MB of working set for the 8 a factor of 2 admitted
    /// (≈ 6 × each); with 6, 2 are admitted and the peak is +185 MB.
    /// </summary>
    public const int WorkbookMemoryFactor = 6;

    /// <summary>Folder of the one-table JSON files; empty means the <c>catalog</c> folder shipped beside the binaries.</summary>
    public string CatalogPath { get; set; } = "";

    /// <summary>Folder or file of the org registry; empty means the sample city shipped with the catalog.</summary>
    public string OrgsPath { get; set; } = "";

    /// <summary>Uploads above this size get 413.</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxUploadBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// An uploaded workbook whose parts inflate to more than this is refused before it is loaded: reading holds several
    /// times the inflated size in memory (<see cref="WorkbookMemoryFactor"/>), so a 113 KB file of repeated shared strings would otherwise cost 100 MB.
    /// </summary>
    [Range(64 * 1024, 256L * 1024 * 1024)]
    public long MaxInflatedBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Memory that uploads being read and parsed may hold at once on one instance (body plus
    /// <see cref="WorkbookMemoryFactor"/> times a workbook's inflated size). Above it an upload is answered 503 with <c>Retry-After</c>, so that a burst of large uploads
    /// cannot take a 2 GB Flex Consumption instance down.
    /// </summary>
    [Range(1024 * 1024, 16L * 1024 * 1024 * 1024)]
    public long MaxUploadBytesInFlight { get; set; } = 256 * 1024 * 1024;

    /// <summary>An upload whose body sends nothing for this long is answered 408 (a stalled or vanished client).</summary>
    [Range(1, 600)]
    public int UploadIdleTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// How long a request may spend on storage before it answers 503: the storage clients retry for much longer (which
    /// suits the timer and the blob drop), but a person waiting on an upload is better told at once that nothing was
    /// saved and a resend is safe. The budget covers the whole submission (parsing included), so it is not cut finer.
    /// </summary>
    [Range(1, 120)]
    public int RequestStorageBudgetSeconds { get; set; } = 5;

    /// <summary>
    /// How much longer than <see cref="RequestStorageBudgetSeconds"/> a request waits for a table write it has already
    /// sent: such a write is never cut off at the budget (it may commit), only after this, and the answer then says the
    /// outcome is unknown and a resend is safe, never that nothing was saved.
    /// </summary>
    [Range(1, 300)]
    public int RequestCommitTimeoutSeconds { get; set; } = 30;

    /// <summary>The <c>Retry-After</c> of a 503.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 10;

    /// <summary>IANA time zone for deadlines and the workbook's times (China Standard Time).</summary>
    [Required]
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>Local host only: how often the <c>submissions</c> container is polled for dropped files.</summary>
    [Range(1, 3600)]
    public int IngestionPollSeconds { get; set; } = 5;

    /// <summary>
    /// How old the answer to "which catalog version is in force for this period" may get before a host asks storage
    /// again: a version admitted elsewhere is in use here at most this long after it was published (one listing of
    /// <c>catalog/catalog/</c> per period asked for, per interval).
    /// </summary>
    [Range(1, 3600)]
    public int CatalogRefreshSeconds { get; set; } = 60;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // One upload of the largest allowed size must fit in the budget, or it would be refused with 503 forever.
        if (MaxUploadBytesInFlight < MaxUploadBytes + (WorkbookMemoryFactor * MaxInflatedBytes))
        {
            yield return new ValidationResult(
                $"Pipeline__MaxUploadBytesInFlight must be at least Pipeline__MaxUploadBytes + {WorkbookMemoryFactor} × Pipeline__MaxInflatedBytes.",
                [nameof(MaxUploadBytesInFlight)]);
        }
    }
}
