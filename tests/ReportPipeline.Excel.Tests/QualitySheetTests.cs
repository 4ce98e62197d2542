using OfficeOpenXml;
using OfficeOpenXml.Style;
using ReportPipeline.Domain.Quality;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Excel.Tests.Consolidation;

namespace ReportPipeline.Excel.Tests;

public sealed class QualitySheetTests
{
    private const int FirstDataRow = 6;
    private const string QualityFill = "FFFFC7CE";

    private static readonly QualityFlag Jump = new(
        "500103001002", "领事巷社区", "七星岗街道", "population_registered", "户籍人口", "人", 9000, 1000,
        ValidationCodes.QualityChange, "“户籍人口”（人）本期为9000人，上期为1000人，增加8000人（+800%），超过允许的变化幅度±10%，请核实", "新建安置小区整体迁入");

    private static readonly QualityFlag Outlier = new(
        "500103001001", "金汤街社区", "七星岗街道", "dibao_households", "低保户数", "户", 480, null,
        ValidationCodes.QualityOutlier, "“低保户数”（户）为480户，与本乡镇（街道）6 个村（社区）相比明显异常", null);

    [Fact]
    public void The_quality_sheet_lists_every_flagged_cell_with_last_period_reason_and_explanation()
    {
        var report = new ConsolidationScenario().Build("500103001000") with { Quality = [Outlier, Jump] };

        using var workbook = new OpenXmlWorkbook(new ReportWorkbookWriter().Write(report));
        var cells = workbook.Cells(ReportWorkbookWriter.QualitySheet);

        Assert.Equal("村（社区）", cells["C3"].Text);
        Assert.Equal(("金汤街社区", "500103001001", "低保户数"), (cells["C4"].Text, cells["D4"].Text, cells["E4"].Text));
        Assert.Equal(480m, workbook.Number(ReportWorkbookWriter.QualitySheet, "G4"));
        Assert.False(cells.ContainsKey("H4") && cells["H4"].Text is not null, "no last period value for the outlier");
        Assert.Null(cells.GetValueOrDefault("J4").Text);
        Assert.Equal(("领事巷社区", "户籍人口", "人"), (cells["C5"].Text, cells["E5"].Text, cells["F5"].Text));
        Assert.Equal(9000m, workbook.Number(ReportWorkbookWriter.QualitySheet, "G5"));
        Assert.Equal(1000m, workbook.Number(ReportWorkbookWriter.QualitySheet, "H5"));
        Assert.Equal(Jump.Reason, cells["I5"].Text);
        Assert.Equal("新建安置小区整体迁入", cells["J5"].Text);
        Assert.Contains("2 处数据需要核实", cells["A2"].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flagged_cell_is_filled_where_its_village_appears_and_its_neighbours_are_not()
    {
        var report = new ConsolidationScenario().Build("500103001000") with { Quality = [Jump] };
        var row = FirstDataRow + report.Main.Rows.ToList().FindIndex(r => r.OrgCode == Jump.OrgCode);
        var column = 2 + 1 + report.Template.Columns.ToList().FindIndex(c => c.FieldId == Jump.FieldId);

        using var package = new ExcelPackage(new MemoryStream(new ReportWorkbookWriter().Write(report)));
        var sheet = package.Workbook.Worksheets[ReportWorkbookWriter.MainSheet];

        Assert.Equal(ExcelFillStyle.Solid, sheet.Cells[row, column].Style.Fill.PatternType);
        Assert.Equal(QualityFill, sheet.Cells[row, column].Style.Fill.BackgroundColor.Rgb);
        Assert.Equal(ExcelFillStyle.None, sheet.Cells[row, column + 1].Style.Fill.PatternType);
        Assert.Equal(ExcelFillStyle.None, sheet.Cells[row - 1, column].Style.Fill.PatternType);
    }

    [Fact]
    public void A_report_without_findings_has_no_quality_sheet_and_no_highlight()
    {
        using var workbook = new OpenXmlWorkbook(new ReportWorkbookWriter().Write(new ConsolidationScenario().Build("500103000000")));

        Assert.DoesNotContain(workbook.Sheets, s => s.Name == ReportWorkbookWriter.QualitySheet);
    }
}
