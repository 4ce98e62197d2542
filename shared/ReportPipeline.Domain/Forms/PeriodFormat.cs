using System.Globalization;

namespace ReportPipeline.Domain.Forms;

/// <summary>Times as the workbooks show them: China Standard Time. Lateness itself is judged by ReportingCalendar only.</summary>
public static class PeriodFormat
{
    /// <summary>China Standard Time has no daylight saving, so a fixed offset is exact.</summary>
    public static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary>A time as a clerk in China reads it: <c>2026-12-03 14:05</c>.</summary>
    public static string ChinaTime(DateTimeOffset at) =>
        at.ToOffset(ChinaOffset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
