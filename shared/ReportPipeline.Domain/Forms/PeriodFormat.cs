using System.Globalization;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Forms;

/// <summary>Deadlines and times as the workbooks show them: China Standard Time.</summary>
public static class PeriodFormat
{
    /// <summary>China Standard Time has no daylight saving, so a fixed offset is exact.</summary>
    public static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary>The first instant that counts as late: midnight China time after the deadline day.</summary>
    public static DateTimeOffset LateFrom(Period period, int deadlineDays) =>
        new(period.Deadline(deadlineDays).AddDays(1).ToDateTime(TimeOnly.MinValue), ChinaOffset);

    /// <summary>A time as a clerk in China reads it: <c>2026-12-03 14:05</c>.</summary>
    public static string ChinaTime(DateTimeOffset at) =>
        at.ToOffset(ChinaOffset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
