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

/// <summary>
/// The local host's queue worker (<c>Consolidation__*</c>). In Azure the queue trigger follows host.json's <c>queues</c>
/// section instead; the defaults here mirror it where the two meet (<see cref="MaxDequeueCount"/>).
/// </summary>
public sealed class ConsolidationQueueOptions
{
    public const string Section = "Consolidation";

    /// <summary>Units the local host builds at once (<c>Consolidation__QueueWorkers</c>); 0 leaves the queue to other hosts.</summary>
    [Range(0, 64)]
    public int QueueWorkers { get; set; } = 2;

    /// <summary>How long a received unit stays hidden from other consumers: longer than a district unit takes to build; a failed unit is retried when it ends.</summary>
    [Range(1, 7 * 24 * 3600)]
    public int VisibilityTimeoutSeconds { get; set; } = 600;

    /// <summary>Wait between polls of an empty queue.</summary>
    [Range(0.05, 60)]
    public double PollSeconds { get; set; } = 2;

    /// <summary>
    /// The window over which a district's submissions are coalesced into one unit (<c>Consolidation__CoalesceSeconds</c>,
    /// both hosts): the first accepted submission of a district and period enqueues its unit with this delay, later ones in
    /// the window only touch the district's marker; a city unit waits the same after its first district finishes, and
    /// defers (re-checking every window) for at most <see cref="CityDeferWindows"/> windows while districts are still busy.
    /// </summary>
    [Range(0, 300)]
    public double CoalesceSeconds { get; set; } = 5;

    /// <summary>How many coalescing windows a city unit may wait for busy districts before rebuilding their roll-ups itself.</summary>
    public const int CityDeferWindows = 2;

    /// <summary>Attempts before a unit moves to <c>consolidation-poison</c>: the same 5 as host.json's <c>maxDequeueCount</c>.</summary>
    [Range(1, 100)]
    public int MaxDequeueCount { get; set; } = 5;
}
