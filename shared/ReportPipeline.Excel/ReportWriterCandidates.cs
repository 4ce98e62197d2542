using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Excel.Layout;

namespace ReportPipeline.Excel;

/// <summary>The libraries that can write a consolidated report, measured against each other by <c>bench --writers</c>.</summary>
public enum ReportWriterKind
{
    /// <summary>EPPlus 4.5.3.3, today's writer.</summary>
    Epplus,
    /// <summary>DocumentFormat.OpenXml's streaming <c>OpenXmlWriter</c>: everything EPPlus writes, print setup and properties included.</summary>
    OpenXmlWriter,
    /// <summary>SpreadCheetah: no page setup, print titles or custom properties (the library has no API for them).</summary>
    SpreadCheetah,
}

/// <summary>
/// One report laid out once and written by each candidate library, so that a measurement compares the libraries on
/// exactly the same cells, formats, formulas with cached values, merges and print setup.
/// </summary>
public static class ReportWriterCandidates
{
    /// <summary>The writer-neutral layout of a report (an opaque object for <see cref="Render"/>).</summary>
    public static object Lay(ConsolidatedReport report) => ReportWorkbookWriter.Lay(report);

    public static byte[] Render(ReportWriterKind kind, object layout)
    {
        var workbook = (WorkbookLayout)layout;
        return kind switch
        {
            ReportWriterKind.Epplus => EpplusLayoutRenderer.Render(workbook),
            ReportWriterKind.OpenXmlWriter => OpenXmlLayoutRenderer.Render(workbook),
            ReportWriterKind.SpreadCheetah => SpreadCheetahLayoutRenderer.Render(workbook),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }
}
