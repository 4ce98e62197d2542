using System.Text.Json.Serialization;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Consolidation;

/// <summary>How many villages of a group reported, are missing or late, and where their review stands.</summary>
/// <param name="AwaitingReview">Villages that reported and whose data waits for review (已提交).</param>
public sealed record OfficeCounts(int Villages, int Reported, int Missing, int Late, int Approved, int Returned, int AwaitingReview)
{
    public static readonly OfficeCounts Zero = new(0, 0, 0, 0, 0, 0, 0);

    public OfficeCounts Add(OfficeCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Villages + other.Villages, Reported + other.Reported, Missing + other.Missing, Late + other.Late,
            Approved + other.Approved, Returned + other.Returned, AwaitingReview + other.AwaitingReview);
    }
}

/// <summary>An office's own review record without its period, as kept in an office summary.</summary>
public sealed record ReviewSnapshot(
    [property: JsonConverter(typeof(JsonStringEnumConverter<ApprovalStatus>))] ApprovalStatus Status,
    string By,
    string ByOrg,
    DateTimeOffset At,
    string? Reason)
{
    public static ReviewSnapshot? Of(ApprovalRecord? record) =>
        record is null ? null : new(record.Status, record.BySubject, record.ByOrg, record.At, record.Reason);

    public ApprovalRecord ToRecord(string orgCode, Period period) => new(orgCode, period, Status, By, ByOrg, At, Reason);
}

/// <summary>
/// The one place a village's line on the office pages is decided — reported, missing or late by the reporting calendar
/// (<see cref="Domain.Consolidation.ReportingCalendar.StatusOf"/>), and its review state by <see cref="ApprovalState.Of"/> —
/// and the one place villages are counted: the live status route and the office summaries the district units keep both
/// call this, so the city's figures are the sum of what each district's page shows.
/// </summary>
public static class OfficeTally
{
    /// <summary><see cref="StatusService.Reported"/>, <see cref="StatusService.Missing"/> or <see cref="StatusService.Late"/>.</summary>
    /// <remarks>Pre-filled values come with a receipt too; only the village's own upload counts as reporting.</remarks>
    public static string StatusOf(Domain.Consolidation.ReportingCalendar calendar, Period period, MergeReceipt? receipt)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        return receipt is not { HasReported: true } r ? StatusService.Missing
            : calendar.StatusOf(period, r.FirstReportedAt) == ReportingStatus.Late ? StatusService.Late
            : StatusService.Reported;
    }

    /// <summary>When a village last reported itself (null: never, or only pre-filled values): what its review state reads.</summary>
    public static DateTimeOffset? LastReportedAt(MergeReceipt? receipt) => receipt is { HasReported: true } r ? r.LastReportedAt : null;

    public static ApprovalState ReviewOf(ApprovalRecord? record, MergeReceipt? receipt) => ApprovalState.Of(true, record, LastReportedAt(receipt));

    /// <summary>The counts of some villages from their latest receipts and review records.</summary>
    public static OfficeCounts Count(
        Domain.Consolidation.ReportingCalendar calendar,
        Period period,
        IEnumerable<Org> villages,
        IReadOnlyDictionary<string, MergeReceipt> receipts,
        IReadOnlyDictionary<string, ApprovalRecord> approvals)
    {
        ArgumentNullException.ThrowIfNull(villages);
        ArgumentNullException.ThrowIfNull(receipts);
        ArgumentNullException.ThrowIfNull(approvals);
        int total = 0, reported = 0, missing = 0, late = 0, approved = 0, returned = 0, awaiting = 0;
        foreach (var village in villages)
        {
            var receipt = receipts.GetValueOrDefault(village.Code);
            var status = StatusOf(calendar, period, receipt);
            total++;
            missing += status == StatusService.Missing ? 1 : 0;
            reported += status == StatusService.Missing ? 0 : 1;
            late += status == StatusService.Late ? 1 : 0;
            switch (ReviewOf(approvals.GetValueOrDefault(village.Code), receipt).State)
            {
                case ApprovalState.Approved: approved++; break;
                case ApprovalState.Returned: returned++; break;
                case ApprovalState.Reported: awaiting++; break;
            }
        }

        return new OfficeCounts(total, reported, missing, late, approved, returned, awaiting);
    }
}
