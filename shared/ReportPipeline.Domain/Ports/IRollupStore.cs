using ReportPipeline.Domain.Burden;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Quality;

namespace ReportPipeline.Domain.Ports;

/// <summary>A district's 减负 entry counts for a period, with the watermark of the receipts they were counted from.</summary>
public sealed record BurdenRollup(string Period, string OrgCode, string Watermark, BurdenCounts Counts)
{
    /// <summary>When the store last wrote it (set on reading; the office reads say "as of" with it).</summary>
    public DateTimeOffset? StoredAt { get; init; }
}

/// <summary>
/// A district's 数据质量 counts for a period — how many values its villages have flagged, how many of them the clerk
/// explained, per check — written by the district's consolidation unit from the same inspection the
/// quality route runs, so that an office above reads one small document per district instead of every village.
/// </summary>
public sealed record QualityRollup(string Period, string OrgCode, QualityCounts Counts)
{
    /// <summary>When the store last wrote it (set on reading).</summary>
    public DateTimeOffset? StoredAt { get; init; }
}

/// <summary>One document of the period's roll-ups, as a listing gives it: its folder (a template id, or a folder of its own such as <c>_burden</c>), org and time.</summary>
public sealed record RollupEntry(string Folder, string OrgCode, DateTimeOffset StoredAt);

/// <summary>
/// Roll-ups written by the district pass and read by the city workbooks (container <c>rollups</c>):
/// <c>{period}/{template}/{org}.json</c> per template, <c>{period}/_burden/{org}.json</c> for the 减负 counts and
/// <c>{period}/_quality/{org}.json</c> for the 数据质量 counts.
/// Each is rewritten whole by a build of the same inputs, so no condition is needed; a stale one is recognised by its
/// watermark and not used.
/// </summary>
public interface IRollupStore
{
    Task<OrgRollup?> GetAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default);
    Task SaveAsync(Period period, OrgRollup rollup, CancellationToken cancellationToken = default);
    /// <summary>Stores the roll-up only when none is stored (a reader filling a gap never overwrites a unit's); false when one was.</summary>
    Task<bool> AddAsync(Period period, OrgRollup rollup, CancellationToken cancellationToken = default);
    Task<BurdenRollup?> GetBurdenAsync(Period period, string orgCode, CancellationToken cancellationToken = default);
    Task SaveBurdenAsync(Period period, BurdenRollup rollup, CancellationToken cancellationToken = default);
    Task<QualityRollup?> GetQualityAsync(Period period, string orgCode, CancellationToken cancellationToken = default);
    Task SaveQualityAsync(Period period, QualityRollup rollup, CancellationToken cancellationToken = default);
    /// <summary>Every document stored for the period, with its time: one listing, no content read.</summary>
    IAsyncEnumerable<RollupEntry> ListAsync(Period period, CancellationToken cancellationToken = default);
}
