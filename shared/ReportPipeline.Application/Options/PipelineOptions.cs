using System.ComponentModel.DataAnnotations;

namespace ReportPipeline.Application.Options;

/// <summary>Settings of the pipeline itself (section <c>Pipeline</c>, e.g. <c>Pipeline__MaxUploadBytes</c>).</summary>
public sealed class PipelineOptions
{
    public const string Section = "Pipeline";

    /// <summary>Folder of the one-table JSON files; empty means the <c>catalog</c> folder shipped beside the binaries.</summary>
    public string CatalogPath { get; set; } = "";

    /// <summary>Folder or file of the org registry; empty means the sample city shipped with the catalog.</summary>
    public string OrgsPath { get; set; } = "";

    /// <summary>Uploads above this size get 413.</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxUploadBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>IANA time zone for deadlines and the workbook's times (China Standard Time).</summary>
    [Required]
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>Local host only: how often the <c>submissions</c> container is polled for dropped files.</summary>
    [Range(1, 3600)]
    public int IngestionPollSeconds { get; set; } = 5;
}
