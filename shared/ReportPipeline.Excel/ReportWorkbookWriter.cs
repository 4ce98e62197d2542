using System.Globalization;
using System.Text;
using OfficeOpenXml;
using OfficeOpenXml.Style;
using ReportPipeline.Domain.Burden;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Forms;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Excel;

/// <summary>
/// Writes a consolidated report as an office expects it: the department's layout with multi-row headers, one row per
/// unit, subtotals and a total, plus 填报情况, 指标说明, a hidden _provenance sheet and, for the city, 减负统计.
/// Subtotal and total cells of additive columns carry a <c>SUBTOTAL(9, …)</c> formula so filtering works, and always
/// the computed value as well, so readers that do not calculate see the numbers.
/// </summary>
public sealed class ReportWorkbookWriter : IReportWorkbookWriter
{
    public const string MainSheet = "汇总表";
    public const string CompletenessSheet = "填报情况";
    public const string DefinitionsSheet = "指标说明";
    public const string ProvenanceSheet = "_provenance";
    public const string BurdenSheet = "减负统计";
    public const string NotReported = "未报";

    /// <summary>Rows above the header: title, org and period, times and counts.</summary>
    private const int TitleRows = 3;
    private const int MaxCellText = 32_000;

    public byte[] Write(ConsolidatedReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var package = new ExcelPackage();
        ExcelStyling.UseChineseFont(package);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        WriteSection(package.Workbook.Worksheets.Add(Unique(names, MainSheet)), report, report.Main, withGroup: false);
        foreach (var detail in report.Details)
        {
            WriteSection(package.Workbook.Worksheets.Add(Unique(names, detail.Title)), report, detail, withGroup: true);
        }

        WriteCompleteness(package.Workbook.Worksheets.Add(Unique(names, CompletenessSheet)), report);
        WriteDefinitions(package.Workbook.Worksheets.Add(Unique(names, DefinitionsSheet)), report);
        if (report.Burden is { } burden)
        {
            WriteBurden(package.Workbook.Worksheets.Add(Unique(names, BurdenSheet)), burden);
        }

        var provenance = package.Workbook.Worksheets.Add(Unique(names, ProvenanceSheet));
        WriteProvenance(provenance, report);
        provenance.Hidden = eWorkSheetHidden.Hidden;

        var properties = package.Workbook.Properties;
        properties.Title = $"{report.Org.Name} {report.Template.Title} {report.Period.ToDisplayString()}";
        properties.Author = report.Template.Department;
        properties.Created = report.GeneratedAt.UtcDateTime;
        properties.SetCustomPropertyValue("RP_Template", report.Template.Id);
        properties.SetCustomPropertyValue("RP_OrgCode", report.Org.Code);
        properties.SetCustomPropertyValue("RP_Period", report.Period.ToString());
        properties.SetCustomPropertyValue("RP_Watermark", report.Watermark.ToString());
        return package.GetAsByteArray();
    }

    /// <summary>A valid, unique sheet name: at most 31 characters, none of []:*?/\, not starting or ending with an apostrophe.</summary>
    public static string SafeSheetName(string name)
    {
        var cleaned = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            cleaned.Append(c is '[' or ']' or ':' or '*' or '?' or '/' or '\\' || char.IsControl(c) ? '_' : c);
        }

        var text = cleaned.ToString().Trim().Trim('\'');
        if (text.Length == 0)
        {
            text = "Sheet";
        }

        return text.Length > 31 ? text[..31] : text;
    }

    private static string Unique(HashSet<string> used, string name)
    {
        var candidate = SafeSheetName(name);
        for (var i = 2; !used.Add(candidate); i++)
        {
            var suffix = string.Create(CultureInfo.InvariantCulture, $"({i})");
            var stem = SafeSheetName(name);
            candidate = (stem.Length + suffix.Length > 31 ? stem[..(31 - suffix.Length)] : stem) + suffix;
        }

        return candidate;
    }

    private static void WriteSection(ExcelWorksheet ws, ConsolidatedReport report, ReportSection section, bool withGroup)
    {
        var template = report.Template;
        var columns = template.Columns;
        var fixedColumns = withGroup ? 3 : 2;
        var lastColumn = fixedColumns + columns.Count;
        var headerRows = Math.Max(1, template.HeaderRowCount);
        var headerTop = TitleRows + 1;
        var headerBottom = headerTop + headerRows - 1;

        var title = ws.Cells[1, 1, 1, lastColumn];
        title.Value = $"{template.Department}　{template.Title}";
        ExcelStyling.Title(title, 16);
        ws.Row(1).Height = 30;
        if (withGroup)
        {
            title.Value = $"{template.Department}　{template.Title}（{section.Title}）";
        }

        InfoLine(ws, 2, lastColumn, $"填报单位：{report.Org.Name}（{report.Org.Code}）　　统计期：{report.Period.ToDisplayString()}");
        var asOf = report.DataAsOf ?? report.Watermark.Latest;
        InfoLine(ws, 3, lastColumn, string.Create(CultureInfo.InvariantCulture,
            $"生成时间：{PeriodFormat.ChinaTime(report.GeneratedAt)}　　数据截至：{(asOf is { } a ? PeriodFormat.ChinaTime(a) : "暂无数据")}　　应报{report.ExpectedUnits}个村（社区），已报{report.ExpectedUnits - report.MissingUnits}个，未报{report.MissingUnits}个，迟报{report.LateUnits}个"));

        // Fixed columns span every header row.
        string[] fixedHeaders = withGroup ? ["所属", section.UnitHeader, "行政区划代码"] : [section.UnitHeader, "行政区划代码"];
        for (var c = 0; c < fixedHeaders.Length; c++)
        {
            var cell = ws.Cells[headerTop, c + 1, headerBottom, c + 1];
            cell.Merge = headerRows > 1;
            ws.Cells[headerTop, c + 1].Value = fixedHeaders[c];
        }

        WriteHeaders(ws, columns, headerTop, headerRows, fixedColumns);
        var header = ws.Cells[headerTop, 1, headerBottom, lastColumn];
        header.Style.Font.Bold = true;
        header.Style.HorizontalAlignment = ExcelHorizontalAlignment.Center;
        header.Style.VerticalAlignment = ExcelVerticalAlignment.Center;
        header.Style.WrapText = true;
        ExcelStyling.Fill(header, ExcelStyling.HeaderFill);

        var row = headerBottom;
        var groupStart = headerBottom + 1;
        var unitRowsOfSection = new List<int>();
        foreach (var data in section.Rows)
        {
            row++;
            if (withGroup)
            {
                ws.Cells[row, 1].Value = data.Kind == ReportRowKind.Total ? "" : data.GroupName;
            }

            ws.Cells[row, fixedColumns - 1].Value = data.Label;
            ws.Cells[row, fixedColumns].Value = data.OrgCode;
            var (from, to) = data.Kind switch
            {
                ReportRowKind.Subtotal => (groupStart, row - 1),
                _ => (headerBottom + 1, row - 1),
            };
            for (var i = 0; i < columns.Count; i++)
            {
                WriteCell(ws.Cells[row, fixedColumns + 1 + i], data, data.Cells[i], columns[i], from, to);
            }

            var range = ws.Cells[row, 1, row, lastColumn];
            switch (data.Kind)
            {
                case ReportRowKind.Subtotal:
                    range.Style.Font.Bold = true;
                    ExcelStyling.Fill(range, ExcelStyling.SubtotalFill);
                    groupStart = row + 1;
                    break;
                case ReportRowKind.Total:
                    range.Style.Font.Bold = true;
                    ExcelStyling.Fill(range, ExcelStyling.TotalFill);
                    break;
                default:
                    unitRowsOfSection.Add(row);
                    if (!data.IsReported)
                    {
                        var values = ws.Cells[row, fixedColumns + 1, row, lastColumn];
                        values.Style.Font.Color.SetColor(ExcelStyling.MissingFont);
                        values.Style.HorizontalAlignment = ExcelHorizontalAlignment.Center;
                    }

                    break;
            }
        }

        var lastRow = Math.Max(row, headerBottom);
        for (var i = 0; i < columns.Count && lastRow > headerBottom; i++)
        {
            ws.Cells[headerBottom + 1, fixedColumns + 1 + i, lastRow, fixedColumns + 1 + i].Style.Numberformat.Format = columns[i].NumberFormat;
        }

        ExcelStyling.Border(ws.Cells[headerTop, 1, lastRow, lastColumn]);
        if (lastRow > headerBottom)
        {
            ws.Cells[headerBottom, 1, lastRow, lastColumn].AutoFilter = true;
        }

        if (withGroup)
        {
            ws.Column(1).Width = ExcelStyling.WidthFor(section.Rows.Select(r => r.GroupName), 10, 24);
        }

        ws.Column(fixedColumns - 1).Width = ExcelStyling.WidthFor(section.Rows.Select(r => r.Label).Append(section.UnitHeader), 12, 48);
        ws.Column(fixedColumns).Width = 15;
        for (var i = 0; i < columns.Count; i++)
        {
            var leaf = columns[i].Headers.Count > 0 ? columns[i].Headers[^1] : columns[i].Id;
            ws.Column(fixedColumns + 1 + i).Width = Math.Clamp(ExcelStyling.DisplayWidth(leaf) + 2, 10, 18);
        }

        for (var r = headerTop; r <= headerBottom; r++)
        {
            ws.Row(r).Height = 30;
        }

        ws.View.FreezePanes(headerBottom + 1, fixedColumns + 1);
        var print = ws.PrinterSettings;
        print.Orientation = eOrientation.Landscape;
        print.PaperSize = ePaperSize.A4;
        print.FitToPage = true;
        print.FitToWidth = 1;
        print.FitToHeight = 0;
        print.RepeatRows = new ExcelAddress(string.Create(CultureInfo.InvariantCulture, $"${headerTop}:${headerBottom}"));
        ws.HeaderFooter.OddFooter.CenteredText = "第 &P 页，共 &N 页";
    }

    private static void WriteCell(ExcelRange cell, ReportRow row, ReportCell value, TemplateColumn column, int from, int to)
    {
        if (!row.IsReported)
        {
            cell.Value = NotReported;
            return;
        }

        if (value.Number is { } number)
        {
            var additive = column.Expression?.IsAdditive ?? column.FieldId is not null;
            if (row.Kind != ReportRowKind.Unit && additive && to >= from)
            {
                var address = ExcelCellBase.GetAddress(from, cell.Start.Column, to, cell.Start.Column);
                cell.Formula = $"SUBTOTAL(9,{address})";
            }

            // Set after the formula: the stored value is what non-calculating readers show.
            cell.Worksheet.SetValue(cell.Start.Row, cell.Start.Column, (double)number);
        }
        else if (value.Text is { } text)
        {
            cell.Value = text;
        }
    }

    /// <summary>
    /// Multi-row headers: a group text spanning equal neighbours is merged horizontally; a column with fewer header rows
    /// has its last text merged down to the bottom header row. The two kinds never overlap: a cell is a group cell above
    /// its column's last header text and a leaf cell from there down.
    /// </summary>
    private static void WriteHeaders(ExcelWorksheet ws, IReadOnlyList<TemplateColumn> columns, int top, int rows, int offset)
    {
        for (var level = 0; level < rows; level++)
        {
            var c = 0;
            while (c < columns.Count)
            {
                var headers = columns[c].Headers;
                var depth = Math.Max(1, headers.Count);
                var text = headers.Count > 0 ? headers[Math.Min(level, headers.Count - 1)] : columns[c].Id;
                var sheetColumn = offset + 1 + c;
                if (level < depth - 1)
                {
                    var end = c;
                    while (end + 1 < columns.Count && columns[end + 1].Headers.Count - 1 > level && SamePrefix(headers, columns[end + 1].Headers, level))
                    {
                        end++;
                    }

                    ws.Cells[top + level, sheetColumn].Value = text;
                    if (end > c)
                    {
                        ws.Cells[top + level, sheetColumn, top + level, offset + 1 + end].Merge = true;
                    }

                    c = end + 1;
                    continue;
                }

                if (level == depth - 1)
                {
                    ws.Cells[top + level, sheetColumn].Value = text;
                    if (rows - 1 > level)
                    {
                        ws.Cells[top + level, sheetColumn, top + rows - 1, sheetColumn].Merge = true;
                    }
                }

                c++;
            }
        }
    }

    private static bool SamePrefix(IReadOnlyList<string> a, IReadOnlyList<string> b, int level)
    {
        for (var i = 0; i <= level; i++)
        {
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static void InfoLine(ExcelWorksheet ws, int row, int lastColumn, string text)
    {
        var range = ws.Cells[row, 1, row, Math.Max(lastColumn, 2)];
        range.Merge = true;
        range.Value = text;
    }

    private static void Table(ExcelWorksheet ws, int headerRow, string[] headers, double[] widths)
    {
        for (var i = 0; i < headers.Length; i++)
        {
            ws.Cells[headerRow, i + 1].Value = headers[i];
            ws.Column(i + 1).Width = widths[i];
        }

        var range = ws.Cells[headerRow, 1, headerRow, headers.Length];
        range.Style.Font.Bold = true;
        range.Style.HorizontalAlignment = ExcelHorizontalAlignment.Center;
        ExcelStyling.Fill(range, ExcelStyling.HeaderFill);
        ws.View.FreezePanes(headerRow + 1, 1);
    }

    private static void WriteCompleteness(ExcelWorksheet ws, ConsolidatedReport report)
    {
        string[] headers = ["序号", "区县", "乡镇（街道）", "村（社区）", "行政区划代码", "状态", "填报时间", "填报编号", "渠道"];
        ws.Cells[1, 1, 1, headers.Length].Value = $"{report.Template.Title}　填报情况（{report.Period.ToDisplayString()}）";
        ExcelStyling.Title(ws.Cells[1, 1, 1, headers.Length], 14);
        InfoLine(ws, 2, headers.Length, string.Create(CultureInfo.InvariantCulture,
            $"{report.Org.Name}：应报{report.ExpectedUnits}个，已报{report.ExpectedUnits - report.MissingUnits}个（其中迟报{report.LateUnits}个），未报{report.MissingUnits}个。截止时间：{report.Period.Deadline(report.Template.DeadlineDays):yyyy-MM-dd} 24:00"));
        Table(ws, 3, headers, [7, 12, 18, 22, 15, 8, 18, 38, 8]);
        var row = 3;
        foreach (var c in report.Completeness)
        {
            row++;
            ws.Cells[row, 1].Value = row - 3;
            ws.Cells[row, 2].Value = c.DistrictName;
            ws.Cells[row, 3].Value = c.TownshipName;
            ws.Cells[row, 4].Value = c.Name;
            ws.Cells[row, 5].Value = c.OrgCode;
            ws.Cells[row, 6].Value = c.Status switch
            {
                ReportingStatus.Reported => "已报",
                ReportingStatus.Late => "迟报",
                _ => NotReported,
            };
            ws.Cells[row, 7].Value = c.ReceivedAt is { } at ? PeriodFormat.ChinaTime(at) : null;
            ws.Cells[row, 8].Value = c.SubmissionId;
            ws.Cells[row, 9].Value = c.Channel;
            if (c.Status != ReportingStatus.Reported)
            {
                ws.Cells[row, 6].Style.Font.Color.SetColor(ExcelStyling.MissingFont);
            }
        }

        if (row > 3)
        {
            ExcelStyling.Border(ws.Cells[3, 1, row, headers.Length]);
            ws.Cells[3, 1, row, headers.Length].AutoFilter = true;
        }
    }

    private static void WriteDefinitions(ExcelWorksheet ws, ConsolidatedReport report)
    {
        string[] headers = ["列编号", "表头", "数据来源", "单位", "来源部门", "汇总方式"];
        ws.Cells[1, 1, 1, headers.Length].Value = $"{report.Template.Title}　指标说明";
        ExcelStyling.Title(ws.Cells[1, 1, 1, headers.Length], 14);
        InfoLine(ws, 2, headers.Length, $"数据取自一表通（指标版本 {report.CatalogVersion}）。未报单位显示为“未报”，不按 0 计，也不计入小计和合计；比例类指标由汇总后的分子、分母重新计算。");
        Table(ws, 3, headers, [14, 26, 60, 8, 24, 30]);
        var row = 3;
        foreach (var d in report.Definitions)
        {
            row++;
            ws.Cells[row, 1].Value = d.ColumnId;
            ws.Cells[row, 2].Value = d.Header;
            ws.Cells[row, 3].Value = d.Source;
            ws.Cells[row, 4].Value = d.Unit;
            ws.Cells[row, 5].Value = d.Departments;
            ws.Cells[row, 6].Value = d.Aggregation;
        }

        if (row > 3)
        {
            ws.Cells[4, 1, row, headers.Length].Style.WrapText = true;
            ExcelStyling.Border(ws.Cells[3, 1, row, headers.Length]);
        }
    }

    private static void WriteProvenance(ExcelWorksheet ws, ConsolidatedReport report)
    {
        (string, string)[] header =
        [
            ("template", report.Template.Id),
            ("org", report.Org.Code),
            ("period", report.Period.ToString()),
            ("catalog_version", report.CatalogVersion),
            ("generated_at", report.GeneratedAt.ToString("O", CultureInfo.InvariantCulture)),
            ("data_as_of", report.DataAsOf?.ToString("O", CultureInfo.InvariantCulture) ?? ""),
            ("watermark", report.Watermark.ToString()),
        ];
        for (var i = 0; i < header.Length; i++)
        {
            ws.Cells[i + 1, 1].Value = header[i].Item1;
            ws.Cells[i + 1, 2].Value = header[i].Item2;
        }

        var row = header.Length + 2;
        string[] columns = ["sheet", "row_label", "org", "reported", "expected", "latest_received_at", "submission_ids"];
        for (var i = 0; i < columns.Length; i++)
        {
            ws.Cells[row, i + 1].Value = columns[i];
        }

        foreach (var section in new[] { report.Main }.Concat(report.Details))
        {
            foreach (var r in section.Rows)
            {
                row++;
                ws.Cells[row, 1].Value = section.Title;
                ws.Cells[row, 2].Value = r.Label;
                ws.Cells[row, 3].Value = r.OrgCode;
                ws.Cells[row, 4].Value = r.ReportedCount;
                ws.Cells[row, 5].Value = r.Expected;
                ws.Cells[row, 6].Value = r.LatestReceivedAt?.ToString("O", CultureInfo.InvariantCulture);
                var ids = string.Join(";", r.SubmissionIds);
                // An Excel cell holds 32,767 characters; the village rows below list every submission in full.
                ws.Cells[row, 7].Value = ids.Length <= MaxCellText ? ids : $"共{r.SubmissionIds.Count}份，见下方村级明细";
            }
        }

        row += 2;
        ws.Cells[row, 1].Value = "village";
        ws.Cells[row, 2].Value = "status";
        ws.Cells[row, 3].Value = "received_at";
        ws.Cells[row, 4].Value = "submission_id";
        foreach (var c in report.Completeness)
        {
            row++;
            ws.Cells[row, 1].Value = c.OrgCode;
            ws.Cells[row, 2].Value = c.Status.ToString();
            ws.Cells[row, 3].Value = c.ReceivedAt?.ToString("O", CultureInfo.InvariantCulture);
            ws.Cells[row, 4].Value = c.SubmissionId;
        }

        ws.Column(1).Width = 20;
        ws.Column(2).Width = 40;
        ws.Column(3).Width = 28;
        ws.Column(4).Width = 38;
        ws.Column(5).Width = 10;
        ws.Column(6).Width = 28;
        ws.Column(7).Width = 60;
    }

    private static void WriteBurden(ExcelWorksheet ws, BurdenFigures burden)
    {
        ws.Cells[1, 1, 1, 7].Value = $"一表通减负统计（{burden.Period}）";
        ExcelStyling.Title(ws.Cells[1, 1, 1, 7], 14);
        (string, object)[] figures =
        [
            ("涉及报表数", burden.Templates),
            ("村（社区）数", burden.Villages),
            ("纳入统计的村（社区）数", burden.VillagesCounted),
            ("每村分别填报需填项数", burden.EntriesAskedSeparatelyPerVillage),
            ("一表通去重后指标数", burden.DistinctFields),
            ("分别填报合计项数", burden.EntriesAskedSeparately),
            ("村（社区）实际填写项数", burden.EntriesTyped),
            ("预填或上期带入项数", burden.EntriesPrefilled),
            ("减负比例（1−实际填写÷分别填报）", (double)burden.ReductionRatio),
            ("去重节省比例", (double)burden.DeduplicationRatio),
            ("预填占比", (double)burden.PrefilledShare),
        ];
        Table(ws, 3, ["项目", "数值"], [36, 16]);
        for (var i = 0; i < figures.Length; i++)
        {
            ws.Cells[4 + i, 1].Value = figures[i].Item1;
            ws.Cells[4 + i, 2].Value = figures[i].Item2;
            ws.Cells[4 + i, 2].Style.Numberformat.Format = figures[i].Item2 is double ? "0.0%" : "#,##0";
        }

        var top = 4 + figures.Length + 2;
        string[] headers = ["报表", "部门", "报表编号", "列数", "所需指标数", "预填列数", "由已有数据提供的列数"];
        for (var i = 0; i < headers.Length; i++)
        {
            ws.Cells[top, i + 1].Value = headers[i];
        }

        var header = ws.Cells[top, 1, top, headers.Length];
        header.Style.Font.Bold = true;
        ExcelStyling.Fill(header, ExcelStyling.HeaderFill);
        var row = top;
        foreach (var t in burden.PerTemplate)
        {
            row++;
            ws.Cells[row, 1].Value = t.Title;
            ws.Cells[row, 2].Value = t.Department;
            ws.Cells[row, 3].Value = t.TemplateId;
            ws.Cells[row, 4].Value = t.Columns;
            ws.Cells[row, 5].Value = t.FieldsAsked;
            ws.Cells[row, 6].Value = t.ColumnsPrefilled;
            ws.Cells[row, 7].Value = t.ColumnsServedFromHeldData;
        }

        ExcelStyling.Border(ws.Cells[top, 1, row, headers.Length]);
        ws.Column(1).Width = 36;
        ws.Column(2).Width = 16;
        ws.Column(3).Width = 20;
        for (var c = 4; c <= headers.Length; c++)
        {
            ws.Column(c).Width = 14;
        }
    }
}
