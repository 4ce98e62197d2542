using System.Globalization;

namespace ReportPipeline.Domain.Periods;

/// <summary>
/// The one clock people read: every time shown in a workbook, a form, an approval message or a conflict is written in the
/// zone of <c>Pipeline__TimeZone</c> (the zone the reporting calendar judges lateness in), which the composition root sets
/// once at start-up (<see cref="Use"/>). China Standard Time until then (it has no daylight saving).
/// </summary>
public static class DisplayClock
{
    private static TimeZoneInfo s_zone = Consolidation.ReportingCalendar.China;

    public static TimeZoneInfo Zone => Volatile.Read(ref s_zone);

    public static void Use(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        Volatile.Write(ref s_zone, zone);
    }

    /// <summary>The zone's IANA name, which a browser understands (<c>Asia/Shanghai</c>), also when the setting named a Windows zone.</summary>
    public static string IanaId => Zone.HasIanaId ? Zone.Id : TimeZoneInfo.TryConvertWindowsIdToIanaId(Zone.Id, out var iana) ? iana : Zone.Id;

    /// <summary>What the zone is called beside a time: 北京时间 for China, else the zone's id.</summary>
    public static string Label => Zone.Id is "Asia/Shanghai" or "China Standard Time" or "Asia/Chongqing" ? "北京时间" : Zone.Id;

    /// <summary>A time as a person reads it in the configured zone: <c>2026-12-03 14:05</c>.</summary>
    public static string Format(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, Zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The same, saying which time it is: <c>2026-12-03 14:05（北京时间）</c>.</summary>
    public static string FormatWithZone(DateTimeOffset at) => $"{Format(at)}（{Label}）";
}
