using System.ComponentModel.DataAnnotations;

namespace ReportPipeline.Application.Options;

/// <summary>
/// Timer settings. <c>ConsolidationSchedule</c> is a top-level app setting because the Functions timer binds it as
/// <c>%ConsolidationSchedule%</c>; the CRON dialect is the Functions one (six fields, seconds first).
/// </summary>
public sealed class ConsolidationOptions
{
    public const string ScheduleSetting = "ConsolidationSchedule";

    [Required]
    public string Schedule { get; set; } = "0 */15 * * * *";
}
