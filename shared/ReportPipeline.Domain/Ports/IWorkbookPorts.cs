using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Forms;

namespace ReportPipeline.Domain.Ports;

/// <summary>Writes the one-table form workbook (填报表) a village clerk downloads, fills and uploads.</summary>
public interface IFormWorkbookWriter
{
    byte[] Write(FormWorkbookModel model);
}

/// <summary>
/// Reads an uploaded form workbook into raw values with the cell each came from. Structural problems (not an xlsx,
/// not our form, metadata missing) are returned as errors, never thrown; checking the org, period and catalog version
/// against the upload's route is the caller's job, with <see cref="FormReadResult.CheckMatches"/>.
/// </summary>
public interface IFormWorkbookReader
{
    FormReadResult Read(Stream workbook);
}

/// <summary>Writes a consolidated department report (汇总表) for an upper-level org.</summary>
public interface IReportWorkbookWriter
{
    byte[] Write(ConsolidatedReport report);
}
