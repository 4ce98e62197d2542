using ReportPipeline.Domain.Burden;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Ports;

/// <summary>A district's 减负 entry counts for a period, with the watermark of the receipts they were counted from.</summary>
public sealed record BurdenRollup(string Period, string OrgCode, string Watermark, BurdenCounts Counts);

/// <summary>
/// Roll-ups written by the district pass and read by the city workbooks (container <c>rollups</c>):
/// <c>{period}/{template}/{org}.json</c> per template and <c>{period}/_burden/{org}.json</c> for the 减负 counts.
/// Each is rewritten whole by a build of the same inputs, so no condition is needed; a stale one is recognised by its
/// watermark and not used.
/// </summary>
public interface IRollupStore
{
    Task<OrgRollup?> GetAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default);
    Task SaveAsync(Period period, OrgRollup rollup, CancellationToken cancellationToken = default);
    Task<BurdenRollup?> GetBurdenAsync(Period period, string orgCode, CancellationToken cancellationToken = default);
    Task SaveBurdenAsync(Period period, BurdenRollup rollup, CancellationToken cancellationToken = default);
}
