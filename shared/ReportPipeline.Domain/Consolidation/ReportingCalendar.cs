using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Domain.Consolidation;

/// <summary>
/// The reporting calendar and the one lateness rule, used by the status route, every workbook's 填报情况 and the form.
/// A village reports the one table once per period; that one report serves every template of the period's kind, so its
/// deadline is the earliest among those templates (the end of the period plus that many days). A village has reported
/// for a period when it sent values for that very period itself (pre-filled or carried-forward values are not a report,
/// and a month's report is not the quarter's); it is late when the calendar date of its first own report, in the
/// configured time zone, falls after the deadline day.
/// </summary>
public class ReportingCalendar
{
    /// <summary>Days after the period's end when no template of the kind names a deadline.</summary>
    public const int DefaultDeadlineDays = 5;

    private readonly Lazy<Dictionary<PeriodKind, int>> _deadlineDays;

    public ReportingCalendar(IEnumerable<ReportTemplate> templates, TimeZoneInfo zone)
        : this(() => templates, zone)
    {
        ArgumentNullException.ThrowIfNull(templates);
    }

    /// <summary>
    /// The templates are asked for when a deadline is first needed, not when the calendar is made (a host's catalog may
    /// live in storage, which a constructor must not wait for); a failed first ask is asked again next time.
    /// </summary>
    protected ReportingCalendar(Func<IEnumerable<ReportTemplate>> templates, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(zone);
        Zone = zone;
        _deadlineDays = new(
            () => templates().GroupBy(t => t.PeriodKind).ToDictionary(g => g.Key, g => g.Min(t => t.DeadlineDays)),
            LazyThreadSafetyMode.PublicationOnly);
    }

    /// <summary>China Standard Time: the system's Asia/Shanghai, or a fixed +08:00 (China has no daylight saving).</summary>
    public static TimeZoneInfo China { get; } = TimeZoneInfo.TryFindSystemTimeZoneById("Asia/Shanghai", out var zone)
        ? zone
        : TimeZoneInfo.CreateCustomTimeZone("China Standard Time", TimeSpan.FromHours(8), "中国标准时间", "中国标准时间");

    public TimeZoneInfo Zone { get; }

    /// <summary>Days after a period's end by which the one table is due: the earliest deadline among the templates of that kind.</summary>
    public int DeadlineDays(PeriodKind kind) => _deadlineDays.Value.GetValueOrDefault(kind, DefaultDeadlineDays);

    /// <summary>The last day (inclusive, in <see cref="Zone"/>) to report for <paramref name="period"/>.</summary>
    public DateOnly Deadline(Period period) => period.Deadline(DeadlineDays(period.Kind));

    /// <summary>The calendar date of an instant in <see cref="Zone"/>.</summary>
    public DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Zone).DateTime);

    public bool IsLate(Period period, DateTimeOffset firstReportedAt) => Today(firstReportedAt) > Deadline(period);

    /// <summary>Missing without an own report for the period; otherwise late or reported by its first own report.</summary>
    public ReportingStatus StatusOf(Period period, DateTimeOffset? firstReportedAt) =>
        firstReportedAt is not { } at ? ReportingStatus.Missing
        : IsLate(period, at) ? ReportingStatus.Late
        : ReportingStatus.Reported;
}
