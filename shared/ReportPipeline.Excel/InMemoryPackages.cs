using OfficeOpenXml;

namespace ReportPipeline.Excel;

/// <summary>
/// Packages that live in memory only. They are never disposed: EPPlus 4's <c>ExcelPackage.Dispose</c> ends with
/// <c>GC.Collect()</c>, a full blocking collection per workbook (about half of the report writer's time, and a pause for
/// every other request of the host). Nothing here holds a file or a caller's stream, so the collector reclaims it all.
/// </summary>
internal static class InMemoryPackages
{
#pragma warning disable CA2000
    public static ExcelPackage Create() => new();

    public static ExcelPackage Open(MemoryStream content) => new(content);
#pragma warning restore CA2000
}
