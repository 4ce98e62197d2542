using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Governance;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Application.Forms;

/// <summary>One recent period of an org: its deadline and, for a village, where its report stands.</summary>
/// <param name="State">not-reported (未报), overdue (逾期), reported (已报), returned (已退回), locked (已锁定); null for an office.</param>
public sealed record ReportingPeriodView(string Period, string Kind, string Name, DateOnly Deadline, bool Ended, string? State, string? StateName, bool Late);

/// <summary>The answer of <c>GET orgs/{org}/periods</c>: the recent periods, newest deadline first, and the one that is due.</summary>
public sealed record ReportingPeriodsView(string Org, string OrgName, DateOnly Today, string Due, IReadOnlyList<ReportingPeriodView> Periods);

/// <summary>
/// The periods a clerk or an office works on, from the one reporting calendar (<see cref="ReportingCalendar"/>) and the
/// status and approval rules (<see cref="StatusService"/>): the recent months, quarters and years the catalog collects,
/// each with its state, and the period that is due — the one whose deadline is nearest among the periods that have
/// ended and are not reported (or were returned); with none open, the current month.
/// </summary>
public sealed class ReportingPeriodsService(ReferenceData reference, StatusService status, ReportingCalendar calendar, TimeProvider time)
{
    public const string NotReported = "not-reported";
    public const string Overdue = "overdue";
    public const string Reported = "reported";
    public const string Returned = "returned";
    public const string Locked = "locked";

    /// <summary>How many periods of each kind, the current one included, the picker offers.</summary>
    public static IReadOnlyDictionary<PeriodKind, int> Window { get; } = new Dictionary<PeriodKind, int>
    {
        [PeriodKind.Month] = 6,
        [PeriodKind.Quarter] = 4,
        [PeriodKind.Year] = 2,
    };

    public async Task<ReportingPeriodsView> GetAsync(Org org, CancellationToken cancellationToken)
    {
        var today = calendar.Today(time.GetUtcNow());
        var kinds = (await reference.CatalogForAsync(null, cancellationToken)).Catalog.Fields.Select(f => f.Frequency).ToHashSet();
        var periods = new List<Period>();
        foreach (var (kind, count) in Window)
        {
            if (!kinds.Contains(kind))
            {
                continue;
            }

            var period = Current(kind, today);
            for (var i = 0; i < count; i++, period = period.Previous())
            {
                periods.Add(period);
            }
        }

        var village = org.Level == OrgLevel.Village;
        var states = village
            ? await Task.WhenAll(periods.Select(p => StateAsync(org, p, today, cancellationToken)))
            : [.. periods.Select(_ => ((string?)null, (string?)null, false))];
        var views = periods.Select((p, i) => new ReportingPeriodView(
                p.ToString(), p.Kind.ToString(), p.ToDisplayString(), calendar.Deadline(p), p.End < today, states[i].Item1, states[i].Item2, states[i].Item3))
            .OrderByDescending(v => v.Deadline).ThenBy(v => v.Kind, StringComparer.Ordinal)
            .ToList();
        return new ReportingPeriodsView(org.Code, org.Name, today, Due(views, today, Current(kinds.Contains(PeriodKind.Month) ? PeriodKind.Month : kinds.Min(), today)).Period, views);
    }

    /// <summary>
    /// The due period: among the periods that have ended and still wait for the org's report (any ended period for an
    /// office, which has no report of its own), the one whose deadline is nearest to today, the earlier on a tie; else
    /// <paramref name="fallback"/> (the period in progress).
    /// </summary>
    public static ReportingPeriodView Due(IReadOnlyList<ReportingPeriodView> periods, DateOnly today, Period fallback)
    {
        ArgumentNullException.ThrowIfNull(periods);
        var open = periods.Where(p => p.Ended && p.State is null or NotReported or Overdue or Returned)
            .OrderBy(p => Math.Abs(p.Deadline.DayNumber - today.DayNumber)).ThenBy(p => p.Deadline)
            .FirstOrDefault();
        return open ?? periods.FirstOrDefault(p => p.Period == fallback.ToString())
            ?? new ReportingPeriodView(fallback.ToString(), fallback.Kind.ToString(), fallback.ToDisplayString(), default, false, null, null, false);
    }

    private async Task<(string?, string?, bool)> StateAsync(Org village, Period period, DateOnly today, CancellationToken cancellationToken)
    {
        var unit = (await status.GetAsync(village, period, cancellationToken)).Units.Single();
        var late = unit.Status == StatusService.Late;
        return unit.Approval switch
        {
            ApprovalService.Approved => (Locked, "已锁定", late),
            ApprovalService.Returned => (Returned, "已退回", late),
            _ when unit.Status != StatusService.Missing => (Reported, late ? "已报（逾期）" : "已报", late),
            _ when today > calendar.Deadline(period) => (Overdue, "逾期", true),
            _ => (NotReported, "未报", false),
        };
    }

    private static Period Current(PeriodKind kind, DateOnly today) => kind switch
    {
        PeriodKind.Year => Period.OfYear(today.Year),
        PeriodKind.Quarter => Period.Quarter(today.Year, ((today.Month - 1) / 3) + 1),
        _ => Period.Month(today.Year, today.Month),
    };
}
