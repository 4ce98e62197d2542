using System.Drawing;
using OfficeOpenXml;
using OfficeOpenXml.Style;

namespace ReportPipeline.Excel;

/// <summary>One combination of cell formatting, from the default (Normal) style.</summary>
internal readonly record struct CellFormat(
    bool Bold = false,
    Color? Fill = null,
    Color? FontColor = null,
    ExcelHorizontalAlignment? Horizontal = null,
    bool VerticalCenter = false,
    bool Wrap = false,
    bool Ruled = false,
    string? NumberFormat = null,
    string? FontName = null,
    float? FontSize = null);

/// <summary>
/// The style ids of a workbook, one per <see cref="CellFormat"/>. EPPlus recomputes a cell's style for every property
/// set on every cell of a range, so a ruled table of n cells with four borders, a fill and a font costs several passes
/// of style lookups per cell. Here each combination is built once on one cell with the Style API, and every other cell
/// just takes its id (<see cref="ExcelRangeBase.StyleID"/>), a plain assignment. Ids are workbook-wide, so the detail
/// sheets reuse the main sheet's.
/// </summary>
internal sealed class CellFormats
{
    private readonly Dictionary<CellFormat, int> _ids = [];

    /// <summary>Gives the range <paramref name="format"/>; the first time, its top-left cell is where the style is made.</summary>
    public void Apply(ExcelWorksheet ws, int fromRow, int fromColumn, int toRow, int toColumn, CellFormat format)
    {
        if (!_ids.TryGetValue(format, out var id))
        {
            var prototype = ws.Cells[fromRow, fromColumn];
            prototype.StyleID = 0;
            Build(prototype.Style, format);
            id = _ids[format] = prototype.StyleID;
        }

        ws.Cells[fromRow, fromColumn, toRow, toColumn].StyleID = id;
    }

    public void Apply(ExcelWorksheet ws, int row, int column, CellFormat format) => Apply(ws, row, column, row, column, format);

    private static void Build(ExcelStyle style, CellFormat format)
    {
        if (format.FontName is { } name)
        {
            style.Font.Name = name;
        }

        if (format.FontSize is { } size)
        {
            style.Font.Size = size;
        }

        if (format.Bold)
        {
            style.Font.Bold = true;
        }

        if (format.FontColor is { } color)
        {
            style.Font.Color.SetColor(color);
        }

        if (format.Horizontal is { } horizontal)
        {
            style.HorizontalAlignment = horizontal;
        }

        if (format.VerticalCenter)
        {
            style.VerticalAlignment = ExcelVerticalAlignment.Center;
        }

        if (format.Wrap)
        {
            style.WrapText = true;
        }

        if (format.Fill is { } fill)
        {
            style.Fill.PatternType = ExcelFillStyle.Solid;
            style.Fill.BackgroundColor.SetColor(fill);
        }

        if (format.Ruled)
        {
            var border = style.Border;
            border.Top.Style = border.Bottom.Style = border.Left.Style = border.Right.Style = ExcelBorderStyle.Thin;
        }

        if (format.NumberFormat is { } numberFormat)
        {
            style.Numberformat.Format = numberFormat;
        }
    }
}
