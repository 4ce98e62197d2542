using System.Globalization;
using DocumentFormat.OpenXml.Spreadsheet;
using OfficeOpenXml;
using ReportPipeline.Domain.Burden;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Excel.Tests.Consolidation;

namespace ReportPipeline.Excel.Tests;

public sealed class ReportWorkbookTests
{
    private readonly ConsolidationScenario _scenario = new();

    private byte[] Write(string orgCode, BurdenFigures? burden = null) =>
        new ReportWorkbookWriter().Write(_scenario.Build(orgCode) with { Burden = burden });

    /// <summary>First data row: three title rows, then the template's two header rows.</summary>
    private const int FirstDataRow = 6;

    private static string Column(int index) => ExcelCellBase.GetAddressCol(index);

    [Theory]
    [InlineData("500103001000", 2)]
    [InlineData("500103000000", 2)]
    [InlineData("500000000000", 2)]
    public void Every_number_is_stored_in_the_file_and_equals_the_model_without_calculation(string orgCode, int fixedColumns)
    {
        var report = _scenario.Build(orgCode);
        var bytes = new ReportWorkbookWriter().Write(report);

        using var independent = new OpenXmlWorkbook(bytes);
        using var package = new ExcelPackage(new MemoryStream(bytes));
        var sections = new[] { (ReportWorkbookWriter.MainSheet, report.Main, fixedColumns) }
            .Concat(report.Details.Select(d => (d.Title, d, fixedColumns + 1)));
        var checkedCells = 0;
        foreach (var (sheet, section, offset) in sections)
        {
            var stored = independent.Cells(sheet);
            var epplus = package.Workbook.Worksheets[sheet];
            for (var i = 0; i < section.Rows.Count; i++)
            {
                var row = section.Rows[i];
                var r = FirstDataRow + i;
                Assert.Equal(row.Label, stored[$"{Column(offset - 1)}{r}"].Text);
                for (var c = 0; c < row.Cells.Count; c++)
                {
                    var address = $"{Column(offset + 1 + c)}{r}";
                    var cell = row.Cells[c];
                    if (!row.IsReported)
                    {
                        Assert.Equal(ReportWorkbookWriter.NotReported, stored[address].Text);
                        Assert.False(stored[address].IsNumber);
                    }
                    else if (cell.Number is { } n)
                    {
                        Assert.True(stored[address].IsNumber, $"{sheet}!{address} is not a number");
                        Assert.Equal((double)n, double.Parse(stored[address].Text!, CultureInfo.InvariantCulture), 9);
                        Assert.Equal((double)n, Convert.ToDouble(epplus.Cells[address].Value, CultureInfo.InvariantCulture), 9);
                        checkedCells++;
                    }
                    else if (cell.Text is { } text)
                    {
                        Assert.Equal(text, stored[address].Text);
                    }
                }
            }
        }

        Assert.True(checkedCells > 20);
    }

    [Fact]
    public void Subtotal_and_total_cells_carry_a_subtotal_formula_and_its_value()
    {
        var bytes = Write("500103000000");

        using var independent = new OpenXmlWorkbook(bytes);
        var detail = _scenario.Build("500103000000").Details[0];
        var cells = independent.Cells(detail.Title);
        var totalRow = FirstDataRow + detail.Rows.Count - 1;
        var partyColumn = Column(3 + 1 + 2);
        var total = cells[$"{partyColumn}{totalRow}"];
        Assert.StartsWith("SUBTOTAL(9,", total.Formula, StringComparison.Ordinal);
        Assert.Equal(_scenario.SumUnder("500103000000", "party_members").ToString(CultureInfo.InvariantCulture), total.Text);
        var shareTotal = cells[$"{Column(3 + 1 + 3)}{totalRow}"];
        Assert.Null(shareTotal.Formula);
    }

    [Fact]
    public void A_missing_village_reads_as_not_reported_in_the_file_never_as_zero()
    {
        var bytes = Write("500103001000");

        using var independent = new OpenXmlWorkbook(bytes);
        var cells = independent.Cells(ReportWorkbookWriter.MainSheet);
        var row = cells.Single(c => c.Value.Text == "500103001003").Key[1..];
        Assert.All(Enumerable.Range(3, TestData.Template().Columns.Count), c => Assert.Equal("未报", cells[Column(c) + row].Text));
        Assert.Contains(cells.Values, c => c.Text == "合计（应报3，已报2，未报1）");
        var status = independent.Cells(ReportWorkbookWriter.CompletenessSheet);
        Assert.Contains(status.Values, c => c.Text == "未报");
    }

    [Fact]
    public void EPPlus_reads_the_labels_numbers_and_not_reported_cells_as_written()
    {
        var report = _scenario.Build("500103001000");

        using var package = new ExcelPackage(new MemoryStream(new ReportWorkbookWriter().Write(report)));

        var ws = package.Workbook.Worksheets[ReportWorkbookWriter.MainSheet];
        for (var i = 0; i < report.Main.Rows.Count; i++)
        {
            var row = report.Main.Rows[i];
            Assert.Equal(row.Label, ws.Cells[FirstDataRow + i, 1].Text);
            Assert.Equal(row.OrgCode, ws.Cells[FirstDataRow + i, 2].Text);
            if (!row.IsReported)
            {
                Assert.Equal(ReportWorkbookWriter.NotReported, ws.Cells[FirstDataRow + i, 3].Text);
            }
            else if (row.Cells[0].Number is { } n)
            {
                Assert.Equal((double)n, Convert.ToDouble(ws.Cells[FirstDataRow + i, 3].Value, CultureInfo.InvariantCulture), 9);
            }
        }

        Assert.Equal("500103001000", package.Workbook.Properties.GetCustomPropertyValue("RP_OrgCode"));
        Assert.Equal(report.Template.DepartmentName, package.Workbook.Properties.Author);
    }

    [Fact]
    public void Sheet_names_are_valid_and_the_provenance_sheet_is_hidden()
    {
        var burden = BurdenCalculator.Compute(TestData.Catalog(), [TestData.Template()], "500000000000", TestData.November,
            [.. TestData.Orgs().Where(o => o.Level == Domain.Orgs.OrgLevel.Village).Select(o => o.Code)], _scenario.Values);

        using var independent = new OpenXmlWorkbook(Write("500000000000", burden));

        var sheets = independent.Sheets;
        Assert.Equal(["汇总表", "分乡镇（街道）明细", "填报情况", "指标说明", "减负统计", "_provenance"], sheets.Select(s => s.Name!.Value!));
        Assert.All(sheets, s => Assert.True(s.Name!.Value!.Length <= 31 && s.Name.Value.IndexOfAny(['[', ']', ':', '*', '?', '/', '\\']) < 0));
        Assert.Equal(SheetStateValues.Hidden, sheets.Single(s => s.Name == "_provenance").State!.Value);
        Assert.All(independent.DefinedNames, n => Assert.DoesNotContain("#REF", n.Text, StringComparison.Ordinal));
        Assert.Contains(independent.DefinedNames, n => n.Name == "_xlnm.Print_Titles");
    }

    [Fact]
    public void Multi_row_headers_merge_equal_neighbours_and_shorter_columns_down_without_overlaps()
    {
        using var independent = new OpenXmlWorkbook(Write("500103001000"));

        var merges = independent.MergedRanges(ReportWorkbookWriter.MainSheet);
        Assert.Contains("C4:D4", merges);
        Assert.Contains("E4:F4", merges);
        Assert.Contains("G4:G5", merges);
        Assert.Contains("A4:A5", merges);
        var covered = new HashSet<(int, int)>();
        foreach (var merge in merges)
        {
            var address = new ExcelAddress(merge);
            for (var r = address.Start.Row; r <= address.End.Row; r++)
            {
                for (var c = address.Start.Column; c <= address.End.Column; c++)
                {
                    Assert.True(covered.Add((r, c)), $"{merge} overlaps another merge");
                }
            }
        }

        var cells = independent.Cells(ReportWorkbookWriter.MainSheet);
        Assert.Equal("人口情况", cells["C4"].Text);
        Assert.Equal("65岁以上", cells["D5"].Text);
        Assert.Equal("低保户数", cells["G4"].Text);
    }

    [Fact]
    public void The_sheet_is_set_up_for_print_with_frozen_headers_and_explicit_widths()
    {
        using var package = new ExcelPackage(new MemoryStream(Write("500103000000")));

        var ws = package.Workbook.Worksheets[ReportWorkbookWriter.MainSheet];
        Assert.Equal(eOrientation.Landscape, ws.PrinterSettings.Orientation);
        Assert.True(ws.PrinterSettings.FitToPage);
        Assert.Equal(1, ws.PrinterSettings.FitToWidth);
        Assert.EndsWith("!$4:$5", ws.PrinterSettings.RepeatRows.Address, StringComparison.Ordinal);
        Assert.All(Enumerable.Range(1, 2 + TestData.Template().Columns.Count), c => Assert.InRange(ws.Column(c).Width, 8, 60));
        Assert.True(ws.Cells["A1"].Style.Font.Bold);
        Assert.Contains("民政局", ws.Cells["A1"].Text, StringComparison.Ordinal);
        Assert.Contains("渝中区", ws.Cells["A2"].Text, StringComparison.Ordinal);
        Assert.Contains("2026年11月", ws.Cells["A2"].Text, StringComparison.Ordinal);
        Assert.Contains("数据截至：2026-12-06 09:00", ws.Cells["A3"].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Panes_are_frozen_below_the_header_and_right_of_the_unit_columns()
    {
        using var independent = new OpenXmlWorkbook(Write("500103000000"));

        var pane = independent.Worksheet(ReportWorkbookWriter.MainSheet).Descendants<Pane>().Single();
        Assert.Equal(PaneStateValues.Frozen, pane.State!.Value);
        Assert.Equal("C6", pane.TopLeftCell!.Value);
    }
}
