using OfficeOpenXml;
using OfficeOpenXml.Style;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Excel.Tests.Consolidation;

namespace ReportPipeline.Excel.Tests;

/// <summary>
/// What an office sees before reading a number: headers, subtotals, totals and 未报 cells stand out, numbers carry the
/// template's formats, and the table is ruled. Every cell of every table is checked, so styling whole ranges at once
/// cannot leave a cell behind or bleed into a neighbour.
/// </summary>
public sealed class ReportWorkbookStyleTests
{
    private const int HeaderTop = 4;
    private const int FirstDataRow = 6;
    private const string HeaderFill = "FFD9E1F2";
    private const string SubtotalFill = "FFE2EFDA";
    private const string TotalFill = "FFC6E0B4";
    private const string MissingFont = "FFC00000";

    private readonly ConsolidationScenario _scenario = new();

    [Theory]
    [InlineData("500103001000")]
    [InlineData("500103000000")]
    [InlineData("500000000000")]
    public void Every_table_cell_is_styled_by_its_row_kind_and_column(string orgCode)
    {
        var report = _scenario.Build(orgCode);
        using var package = new ExcelPackage(new MemoryStream(new ReportWorkbookWriter().Write(report)));

        var sections = new[] { (Sheet: ReportWorkbookWriter.MainSheet, Section: report.Main, Fixed: 2) }
            .Concat(report.Details.Select(d => (Sheet: d.Title, Section: d, Fixed: 3)));
        var columns = report.Template.Columns;
        foreach (var (sheet, section, fixedColumns) in sections)
        {
            var ws = package.Workbook.Worksheets[sheet];
            var lastColumn = fixedColumns + columns.Count;
            for (var r = HeaderTop; r < FirstDataRow; r++)
            {
                for (var c = 1; c <= lastColumn; c++)
                {
                    var style = ws.Cells[r, c].Style;
                    var at = $"{sheet}!{ExcelCellBase.GetAddress(r, c)}";
                    Assert.True(style.Font.Bold, at);
                    Assert.Equal(HeaderFill, style.Fill.BackgroundColor.Rgb);
                    Assert.Equal(ExcelHorizontalAlignment.Center, style.HorizontalAlignment);
                    Assert.Equal(ExcelVerticalAlignment.Center, style.VerticalAlignment);
                    Assert.True(style.WrapText, at);
                    AssertRuled(style, at);
                }
            }

            for (var i = 0; i < section.Rows.Count; i++)
            {
                var row = section.Rows[i];
                var r = FirstDataRow + i;
                for (var c = 1; c <= lastColumn; c++)
                {
                    var style = ws.Cells[r, c].Style;
                    var at = $"{sheet}!{ExcelCellBase.GetAddress(r, c)}";
                    AssertRuled(style, at);
                    Assert.Equal(row.Kind != ReportRowKind.Unit, style.Font.Bold);
                    switch (row.Kind)
                    {
                        case ReportRowKind.Subtotal:
                            Assert.Equal(ExcelFillStyle.Solid, style.Fill.PatternType);
                            Assert.Equal(SubtotalFill, style.Fill.BackgroundColor.Rgb);
                            break;
                        case ReportRowKind.Total:
                            Assert.Equal(ExcelFillStyle.Solid, style.Fill.PatternType);
                            Assert.Equal(TotalFill, style.Fill.BackgroundColor.Rgb);
                            break;
                        default:
                            Assert.Equal(ExcelFillStyle.None, style.Fill.PatternType);
                            break;
                    }

                    var valueColumn = c - fixedColumns - 1;
                    var missing = valueColumn >= 0 && row.Kind == ReportRowKind.Unit && !row.IsReported;
                    Assert.Equal(missing ? MissingFont : null, NullIfEmpty(style.Font.Color.Rgb));
                    Assert.Equal(missing ? ExcelHorizontalAlignment.Center : ExcelHorizontalAlignment.General, style.HorizontalAlignment);
                    Assert.Equal(valueColumn >= 0 ? columns[valueColumn].NumberFormat : "General", style.Numberformat.Format);
                }
            }

            Assert.Equal("黑体", ws.Cells[1, 1].Style.Font.Name);
            Assert.Equal(16, ws.Cells[1, 1].Style.Font.Size);
            Assert.Equal(ExcelHorizontalAlignment.Center, ws.Cells[1, 1].Style.HorizontalAlignment);
            Assert.Equal(ExcelBorderStyle.None, ws.Cells[1, 1].Style.Border.Bottom.Style);
        }
    }

    [Fact]
    public void The_completeness_sheet_marks_late_and_missing_villages_in_red_inside_a_ruled_table()
    {
        var report = _scenario.Build("500000000000");
        using var package = new ExcelPackage(new MemoryStream(new ReportWorkbookWriter().Write(report)));

        var ws = package.Workbook.Worksheets[ReportWorkbookWriter.CompletenessSheet];
        for (var c = 1; c <= 9; c++)
        {
            Assert.True(ws.Cells[3, c].Style.Font.Bold);
            Assert.Equal(HeaderFill, ws.Cells[3, c].Style.Fill.BackgroundColor.Rgb);
            AssertRuled(ws.Cells[3, c].Style, ExcelCellBase.GetAddress(3, c));
        }

        for (var i = 0; i < report.Completeness.Count; i++)
        {
            var row = report.Completeness[i];
            for (var c = 1; c <= 9; c++)
            {
                var style = ws.Cells[4 + i, c].Style;
                AssertRuled(style, ExcelCellBase.GetAddress(4 + i, c));
                Assert.False(style.Font.Bold);
                var red = c == 6 && row.Status != ReportingStatus.Reported;
                Assert.Equal(red ? MissingFont : null, NullIfEmpty(style.Font.Color.Rgb));
            }
        }

        Assert.Contains(report.Completeness, c => c.Status == ReportingStatus.Missing);
        Assert.Contains(report.Completeness, c => c.Status == ReportingStatus.Late);
    }

    private static void AssertRuled(ExcelStyle style, string at)
    {
        Assert.True(style.Border.Top.Style == ExcelBorderStyle.Thin, $"{at} top");
        Assert.True(style.Border.Bottom.Style == ExcelBorderStyle.Thin, $"{at} bottom");
        Assert.True(style.Border.Left.Style == ExcelBorderStyle.Thin, $"{at} left");
        Assert.True(style.Border.Right.Style == ExcelBorderStyle.Thin, $"{at} right");
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
