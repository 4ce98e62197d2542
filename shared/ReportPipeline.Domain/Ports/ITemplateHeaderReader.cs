namespace ReportPipeline.Domain.Ports;

/// <summary>
/// Reads the header block of a department's proposed report workbook: per column, the header texts top to bottom
/// (merged cells read from their top-left cell), so that the last is the leaf. At most <paramref name="maxColumns"/>
/// columns; <paramref name="headerRows"/> null means detect the block from its merged cells.
/// </summary>
public interface ITemplateHeaderReader
{
    /// <exception cref="ReportPipeline.Domain.Templates.MalformedProposalException">Not a readable .xlsx, no header, or too many columns.</exception>
    IReadOnlyList<IReadOnlyList<string>> ReadHeaders(Stream workbook, int? headerRows, int maxColumns);
}
