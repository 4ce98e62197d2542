using OfficeOpenXml;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Excel.Tests;

public sealed class TemplateHeaderReaderTests
{
    /// <summary>
    /// A department's sheet as offices draw it: a title merged across the width, then two header rows where 单位 and
    /// 外出务工人数 span both rows and 户籍人口 spans 男/女/合计 — and a data row that must not be read as a header.
    /// </summary>
    internal static byte[] DepartmentSheet()
    {
        using var package = new ExcelPackage();
        var ws = package.Workbook.Worksheets.Add("报表");
        ws.Cells["A1"].Value = "某局村级情况月报";
        ws.Cells["A1:F1"].Merge = true;
        ws.Cells["A2"].Value = "单位";
        ws.Cells["A2:A3"].Merge = true;
        ws.Cells["B2"].Value = "户籍人口";
        ws.Cells["B2:D2"].Merge = true;
        ws.Cells["B3"].Value = "男";
        ws.Cells["C3"].Value = "女";
        ws.Cells["D3"].Value = "合计";
        ws.Cells["E2"].Value = "外出务工人数";
        ws.Cells["E2:E3"].Merge = true;
        ws.Cells["F2"].Value = "网吧数量";
        ws.Cells["F2:F3"].Merge = true;
        ws.Cells["A4"].Value = "某村";
        ws.Cells["B4"].Value = 520;
        return package.GetAsByteArray();
    }

    [Fact]
    public void Reads_the_leaf_under_each_merged_group_and_skips_the_title_and_data_rows()
    {
        var headers = new TemplateHeaderReader().ReadHeaders(new MemoryStream(DepartmentSheet()), null, 100);

        Assert.Equal(6, headers.Count);
        Assert.Equal(["单位"], headers[0]);
        Assert.Equal(["户籍人口", "男"], headers[1]);
        Assert.Equal(["户籍人口", "女"], headers[2]);
        Assert.Equal(["户籍人口", "合计"], headers[3]);
        Assert.Equal(["外出务工人数"], headers[4]);
        Assert.Equal(["网吧数量"], headers[5]);
    }

    [Fact]
    public void An_explicit_header_row_count_wins()
    {
        var headers = new TemplateHeaderReader().ReadHeaders(new MemoryStream(DepartmentSheet()), 1, 100);

        Assert.Equal(["户籍人口"], headers[1]);
        Assert.Equal(["户籍人口"], headers[3]);
    }

    [Fact]
    public void Too_many_columns_and_files_that_are_not_workbooks_are_refused_in_chinese()
    {
        Assert.Contains("上限", Assert.Throws<MalformedProposalException>(() => new TemplateHeaderReader().ReadHeaders(new MemoryStream(DepartmentSheet()), null, 3)).Message);
        Assert.Contains(".xlsx", Assert.Throws<MalformedProposalException>(() => new TemplateHeaderReader().ReadHeaders(new MemoryStream("单位,户籍人口"u8.ToArray()), null, 100)).Message);
    }
}
