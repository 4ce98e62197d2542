using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Domain.Ports;

/// <summary>One row of a table as read: its 1-based row number in the sheet or file, and its cells' raw texts.</summary>
public sealed record TableRow(int Line, IReadOnlyList<string?> Cells);

/// <summary>
/// Reads the first worksheet of an .xlsx as a table of texts (numbers invariant, dates yyyy-MM-dd), row by row, as a
/// department's pre-fill workbook is laid out: a header row, then one row per org.
/// </summary>
public interface ISheetTableReader
{
    /// <summary>Null when the package can be read; otherwise why not (not an .xlsx, damaged, inflating too far).</summary>
    ValidationError? Check(ReadOnlyMemory<byte> workbook);

    /// <summary>The rows with any text, in order; call <see cref="Check"/> first.</summary>
    IEnumerable<TableRow> ReadRows(ReadOnlyMemory<byte> workbook);
}
