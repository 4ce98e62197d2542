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
        var package = InMemoryPackages.Create();
        ExcelStyling.UseChineseFont(package);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var formats = new CellFormats();
        WriteSection(package.Workbook.Worksheets.Add(Unique(names, MainSheet)), formats, report, report.Main, withGroup: false);
        foreach (var detail in report.Details)
        {
            WriteSection(package.Workbook.Worksheets.Add(Unique(names, detail.Title)), formats, report, detail, withGroup: true);
        }

        WriteCompleteness(package.Workbook.Worksheets.Add(Unique(names, CompletenessSheet)), formats, report);
        WriteDefinitions(package.Workbook.Worksheets.Add(Unique(names, DefinitionsSheet)), formats, report);
        if (report.Burden is { } burden)
        {
            WriteBurden(package.Workbook.Worksheets.Add(Unique(names, BurdenSheet)), formats, burden);
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

    private static void WriteSection(ExcelWorksheet ws, CellFormats formats, ConsolidatedReport report, ReportSection section, bool withGroup)
    {
        var template = report.Template;
        var columns = template.Columns;
        var fixedColumns = withGroup ? 3 : 2;
        var lastColumn = fixedColumns + columns.Count;
        var headerRows = Math.Max(1, template.HeaderRowCount);
        var headerTop = TitleRows + 1;
        var headerBottom = headerTop + headerRows - 1;

        Title(ws, formats, lastColumn, withGroup ? $"{template.Department}　{template.Title}（{section.Title}）" : $"{template.Department}　{template.Title}", 16);
        ws.Row(1).Height = 30;

        InfoLine(ws, 2, lastColumn, $"填报单位：{report.Org.Name}（{report.Org.Code}）　　统计期：{report.Period.ToDisplayString()}");
        var asOf = report.DataAsOf ?? report.Watermark.Latest;
        InfoLine(ws, 3, lastColumn, string.Create(CultureInfo.InvariantCulture,
            $"生成时间：{PeriodFormat.ChinaTime(report.GeneratedAt)}　　数据截至：{(asOf is { } a ? PeriodFormat.ChinaTime(a) : "暂无数据")}　　应报{report.ExpectedUnits}个村（社区），已报{report.ExpectedUnits - report.MissingUnits}个，未报{report.MissingUnits}个，迟报{report.LateUnits}个"));

        // Fixed columns span every header row.
        string[] fixedHeaders = withGroup ? ["所属", section.UnitHeader, "行政区划代码"] : [section.UnitHeader, "行政区划代码"];
        for (var c = 0; c < fixedHeaders.Length; c++)
        {
            if (headerRows > 1)
            {
                ws.Cells[headerTop, c + 1, headerBottom, c + 1].Merge = true;
            }

            ws.SetValue(headerTop, c + 1, fixedHeaders[c]);
        }

        WriteHeaders(ws, columns, headerTop, headerRows, fixedColumns);

        var row = headerBottom;
        var groupStart = headerBottom + 1;
        foreach (var data in section.Rows)
        {
            row++;
            if (withGroup)
            {
                ws.SetValue(row, 1, data.Kind == ReportRowKind.Total ? "" : data.GroupName);
            }

            ws.SetValue(row, fixedColumns - 1, data.Label);
            ws.SetValue(row, fixedColumns, data.OrgCode);
            var (from, to) = data.Kind switch
            {
                ReportRowKind.Subtotal => (groupStart, row - 1),
                _ => (headerBottom + 1, row - 1),
            };
            for (var i = 0; i < columns.Count; i++)
            {
                WriteCell(ws, row, fixedColumns + 1 + i, data, data.Cells[i], columns[i], from, to);
            }

            if (data.Kind == ReportRowKind.Subtotal)
            {
                groupStart = row + 1;
            }
        }

        var lastRow = Math.Max(row, headerBottom);
        StyleTable(ws, formats, section, columns, fixedColumns, headerTop, headerBottom, lastRow);
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

    private static void WriteCell(ExcelWorksheet ws, int sheetRow, int sheetColumn, ReportRow row, ReportCell value, TemplateColumn column, int from, int to)
    {
        if (!row.IsReported)
        {
            ws.SetValue(sheetRow, sheetColumn, NotReported);
            return;
        }

        if (value.Number is { } number)
        {
            var additive = column.Expression?.IsAdditive ?? column.FieldId is not null;
            if (row.Kind != ReportRowKind.Unit && additive && to >= from)
            {
                var address = ExcelCellBase.GetAddress(from, sheetColumn, to, sheetColumn);
                ws.Cells[sheetRow, sheetColumn].Formula = $"SUBTOTAL(9,{address})";
            }

            // Set after the formula: the stored value is what non-calculating readers show.
            ws.SetValue(sheetRow, sheetColumn, (double)number);
        }
        else if (value.Text is { } text)
        {
            ws.SetValue(sheetRow, sheetColumn, text);
        }
    }

    /// <summary>
    /// The header and body formats, whole columns at a time: every body cell first takes its column's plain format (ruled,
    /// the column's number format), then the few rows that differ — subtotals, the total, units that have not reported —
    /// take theirs, a cell or a run of cells with one format at a time.
    /// </summary>
    private static void StyleTable(ExcelWorksheet ws, CellFormats formats, ReportSection section, IReadOnlyList<TemplateColumn> columns, int fixedColumns, int headerTop, int headerBottom, int lastRow)
    {
        var lastColumn = fixedColumns + columns.Count;
        formats.Apply(ws, headerTop, 1, headerBottom, lastColumn, HeaderFormat with { Ruled = true });
        if (lastRow <= headerBottom)
        {
            return;
        }

        var bodyTop = headerBottom + 1;
        string? NumberFormat(int sheetColumn) => sheetColumn > fixedColumns ? columns[sheetColumn - fixedColumns - 1].NumberFormat : null;
        for (var c = 1; c <= lastColumn; c++)
        {
            formats.Apply(ws, bodyTop, c, lastRow, c, new CellFormat(Ruled: true, NumberFormat: NumberFormat(c)));
        }

        for (var i = 0; i < section.Rows.Count; i++)
        {
            var data = section.Rows[i];
            var row = bodyTop + i;
            CellFormat? Special(int sheetColumn) => data.Kind switch
            {
                ReportRowKind.Subtotal => new CellFormat(Bold: true, Fill: ExcelStyling.SubtotalFill, Ruled: true, NumberFormat: NumberFormat(sheetColumn)),
                ReportRowKind.Total => new CellFormat(Bold: true, Fill: ExcelStyling.TotalFill, Ruled: true, NumberFormat: NumberFormat(sheetColumn)),
                _ when !data.IsReported && sheetColumn > fixedColumns => new CellFormat(
                    FontColor: ExcelStyling.MissingFont, Horizontal: ExcelHorizontalAlignment.Center, Ruled: true, NumberFormat: NumberFormat(sheetColumn)),
                _ => null,
            };

            // Neighbouring cells with the same format (the fixed columns, columns sharing a number format) in one range.
            var c = 1;
            while (c <= lastColumn)
            {
                var format = Special(c);
                var end = c;
                while (end < lastColumn && Special(end + 1) == format)
                {
                    end++;
                }

                if (format is { } f)
                {
                    formats.Apply(ws, row, c, row, end, f);
                }

                c = end + 1;
            }
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

                    ws.SetValue(top + level, sheetColumn, text);
                    if (end > c)
                    {
                        ws.Cells[top + level, sheetColumn, top + level, offset + 1 + end].Merge = true;
                    }

                    c = end + 1;
                    continue;
                }

                if (level == depth - 1)
                {
                    ws.SetValue(top + level, sheetColumn, text);
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
        // The text sits in the top-left cell only, as Excel keeps it for a merged range.
        ws.Cells[row, 1, row, Math.Max(lastColumn, 2)].Merge = true;
        ws.SetValue(row, 1, text);
    }

    private static readonly CellFormat HeaderFormat = new(
        Bold: true, Fill: ExcelStyling.HeaderFill, Horizontal: ExcelHorizontalAlignment.Center, VerticalCenter: true, Wrap: true);

    private static void Title(ExcelWorksheet ws, CellFormats formats, int lastColumn, string text, float size)
    {
        ws.Cells[1, 1, 1, lastColumn].Merge = true;
        ws.SetValue(1, 1, text);
        formats.Apply(ws, 1, 1, 1, lastColumn, new CellFormat(
            Bold: true, Horizontal: ExcelHorizontalAlignment.Center, VerticalCenter: true, FontName: ExcelStyling.TitleFont, FontSize: size));
    }

    /// <summary>A header row; <paramref name="ruled"/> when the table below it is ruled.</summary>
    private static void Table(ExcelWorksheet ws, CellFormats formats, int headerRow, string[] headers, double[] widths, bool ruled)
    {
        for (var i = 0; i < headers.Length; i++)
        {
            ws.SetValue(headerRow, i + 1, headers[i]);
            ws.Column(i + 1).Width = widths[i];
        }

        formats.Apply(ws, headerRow, 1, headerRow, headers.Length, new CellFormat(
            Bold: true, Fill: ExcelStyling.HeaderFill, Horizontal: ExcelHorizontalAlignment.Center, Ruled: ruled));
        ws.View.FreezePanes(headerRow + 1, 1);
    }

    private static void WriteCompleteness(ExcelWorksheet ws, CellFormats formats, ConsolidatedReport report)
    {
        string[] headers = ["序号", "区县", "乡镇（街道）", "村（社区）", "行政区划代码", "状态", "填报时间", "填报编号", "渠道"];
        Title(ws, formats, headers.Length, $"{report.Template.Title}　填报情况（{report.Period.ToDisplayString()}）", 14);
        InfoLine(ws, 2, headers.Length, string.Create(CultureInfo.InvariantCulture,
            $"{report.Org.Name}：应报{report.ExpectedUnits}个，已报{report.ExpectedUnits - report.MissingUnits}个（其中迟报{report.LateUnits}个），未报{report.MissingUnits}个。截止时间：{report.Deadline:yyyy-MM-dd} 24:00"));
        var ruled = report.Completeness.Count > 0;
        Table(ws, formats, 3, headers, [7, 12, 18, 22, 15, 8, 18, 38, 8], ruled);
        var row = 3;
        foreach (var c in report.Completeness)
        {
            row++;
            ws.SetValue(row, 1, row - 3);
            ws.SetValue(row, 2, c.DistrictName);
            ws.SetValue(row, 3, c.TownshipName);
            ws.SetValue(row, 4, c.Name);
            ws.SetValue(row, 5, c.OrgCode);
            ws.SetValue(row, 6, c.Status switch
            {
                ReportingStatus.Reported => "已报",
                ReportingStatus.Late => "迟报",
                _ => NotReported,
            });
            ws.SetValue(row, 7, c.ReceivedAt is { } at ? PeriodFormat.ChinaTime(at) : null);
            ws.SetValue(row, 8, c.SubmissionId);
            ws.SetValue(row, 9, c.Channel);
        }

        if (ruled)
        {
            formats.Apply(ws, 4, 1, row, headers.Length, new CellFormat(Ruled: true));
            for (var i = 0; i < report.Completeness.Count; i++)
            {
                if (report.Completeness[i].Status != ReportingStatus.Reported)
                {
                    formats.Apply(ws, 4 + i, 6, new CellFormat(FontColor: ExcelStyling.MissingFont, Ruled: true));
                }
            }

            ws.Cells[3, 1, row, headers.Length].AutoFilter = true;
        }
    }

    private static void WriteDefinitions(ExcelWorksheet ws, CellFormats formats, ConsolidatedReport report)
    {
        string[] headers = ["列编号", "表头", "数据来源", "单位", "来源部门", "汇总方式"];
        Title(ws, formats, headers.Length, $"{report.Template.Title}　指标说明", 14);
        InfoLine(ws, 2, headers.Length, $"数据取自一表通（指标版本 {report.CatalogVersion}）。未报单位显示为“未报”，不按 0 计，也不计入小计和合计；比例类指标由汇总后的分子、分母重新计算。");
        var ruled = report.Definitions.Count > 0;
        Table(ws, formats, 3, headers, [14, 26, 60, 8, 24, 30], ruled);
        var row = 3;
        foreach (var d in report.Definitions)
        {
            row++;
            ws.SetValue(row, 1, d.ColumnId);
            ws.SetValue(row, 2, d.Header);
            ws.SetValue(row, 3, d.Source);
            ws.SetValue(row, 4, d.Unit);
            ws.SetValue(row, 5, d.Departments);
            ws.SetValue(row, 6, d.Aggregation);
        }

        if (ruled)
        {
            formats.Apply(ws, 4, 1, row, headers.Length, new CellFormat(Wrap: true, Ruled: true));
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
            ws.SetValue(i + 1, 1, header[i].Item1);
            ws.SetValue(i + 1, 2, header[i].Item2);
        }

        var row = header.Length + 2;
        string[] columns = ["sheet", "row_label", "org", "reported", "expected", "latest_received_at", "submission_ids"];
        for (var i = 0; i < columns.Length; i++)
        {
            ws.SetValue(row, i + 1, columns[i]);
        }

        foreach (var section in new[] { report.Main }.Concat(report.Details))
        {
            foreach (var r in section.Rows)
            {
                row++;
                ws.SetValue(row, 1, section.Title);
                ws.SetValue(row, 2, r.Label);
                ws.SetValue(row, 3, r.OrgCode);
                ws.SetValue(row, 4, r.ReportedCount);
                ws.SetValue(row, 5, r.Expected);
                ws.SetValue(row, 6, r.LatestReceivedAt?.ToString("O", CultureInfo.InvariantCulture));
                var ids = string.Join(";", r.SubmissionIds);
                // An Excel cell holds 32,767 characters; the village rows below list every submission in full.
                ws.SetValue(row, 7, ids.Length <= MaxCellText ? ids : $"共{r.SubmissionIds.Count}份，见下方村级明细");
            }
        }

        row += 2;
        ws.SetValue(row, 1, "village");
        ws.SetValue(row, 2, "status");
        ws.SetValue(row, 3, "received_at");
        ws.SetValue(row, 4, "submission_id");
        foreach (var c in report.Completeness)
        {
            row++;
            ws.SetValue(row, 1, c.OrgCode);
            ws.SetValue(row, 2, c.Status.ToString());
            ws.SetValue(row, 3, c.ReceivedAt?.ToString("O", CultureInfo.InvariantCulture));
            ws.SetValue(row, 4, c.SubmissionId);
        }

        ws.Column(1).Width = 20;
        ws.Column(2).Width = 40;
        ws.Column(3).Width = 28;
        ws.Column(4).Width = 38;
        ws.Column(5).Width = 10;
        ws.Column(6).Width = 28;
        ws.Column(7).Width = 60;
    }

    private static void WriteBurden(ExcelWorksheet ws, CellFormats formats, BurdenFigures burden)
    {
        Title(ws, formats, 7, $"一表通减负统计（{burden.Period}）", 14);
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
        Table(ws, formats, 3, ["项目", "数值"], [36, 16], ruled: false);
        for (var i = 0; i < figures.Length; i++)
        {
            ws.SetValue(4 + i, 1, figures[i].Item1);
            ws.SetValue(4 + i, 2, figures[i].Item2);
            formats.Apply(ws, 4 + i, 2, new CellFormat(NumberFormat: figures[i].Item2 is double ? "0.0%" : "#,##0"));
        }

        var top = 4 + figures.Length + 2;
        string[] headers = ["报表", "部门", "报表编号", "列数", "所需指标数", "预填列数", "由已有数据提供的列数"];
        for (var i = 0; i < headers.Length; i++)
        {
            ws.SetValue(top, i + 1, headers[i]);
        }

        var row = top;
        foreach (var t in burden.PerTemplate)
        {
            row++;
            ws.SetValue(row, 1, t.Title);
            ws.SetValue(row, 2, t.Department);
            ws.SetValue(row, 3, t.TemplateId);
            ws.SetValue(row, 4, t.Columns);
            ws.SetValue(row, 5, t.FieldsAsked);
            ws.SetValue(row, 6, t.ColumnsPrefilled);
            ws.SetValue(row, 7, t.ColumnsServedFromHeldData);
        }

        formats.Apply(ws, top, 1, top, headers.Length, new CellFormat(Bold: true, Fill: ExcelStyling.HeaderFill, Ruled: true));
        if (row > top)
        {
            formats.Apply(ws, top + 1, 1, row, headers.Length, new CellFormat(Ruled: true));
        }

        ws.Column(1).Width = 36;
        ws.Column(2).Width = 16;
        ws.Column(3).Width = 20;
        for (var c = 4; c <= headers.Length; c++)
        {
            ws.Column(c).Width = 14;
        }
    }
}
