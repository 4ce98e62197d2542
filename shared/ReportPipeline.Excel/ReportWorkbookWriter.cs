using ReportPipeline.Domain.Periods;
using System.Globalization;
using System.Text;
using OfficeOpenXml.Style;
using ReportPipeline.Excel.Layout;
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
    /// <summary>The header of the review-state column on unit rows and in 填报情况.</summary>
    public const string ApprovalHeader = "审核状态";
    public const string DefinitionsSheet = "指标说明";
    public const string ProvenanceSheet = "_provenance";
    public const string BurdenSheet = "减负统计";
    public const string QualitySheet = "数据质量";

    /// <summary>The fill of a flagged cell (数据质量): a light red, distinct from the subtotal, total and header fills.</summary>
    public static readonly System.Drawing.Color QualityFill = System.Drawing.Color.FromArgb(0xFF, 0xC7, 0xCE);
    public const string NotReported = "未报";

    /// <summary>Rows above the header: title, org and period, times and counts.</summary>
    private const int TitleRows = 3;
    private const int MaxCellText = 32_000;

    /// <summary>
    /// Written with the Open XML SDK's streaming writer: on the same laid-out workbook it keeps everything EPPlus
    /// wrote (formats, cached formula values, merges, print setup and titles, custom properties) at a fraction of
    /// EPPlus' allocations (<c>bench --writers</c>); SpreadCheetah, faster still, cannot write page setup, print titles
    /// or custom properties. EPPlus stays for the village form (protection, validations).
    /// </summary>
    public byte[] Write(ConsolidatedReport report) => OpenXmlLayoutRenderer.Render(Lay(report));

    /// <summary>The workbook the report becomes, whichever library writes it.</summary>
    internal static WorkbookLayout Lay(ConsolidatedReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var layout = new WorkbookLayout();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var fixedMain = 2;
        WriteSection(layout, Unique(names, MainSheet), report, report.Main, withGroup: false, fixedMain);
        foreach (var detail in report.Details)
        {
            WriteSection(layout, Unique(names, detail.Title), report, detail, withGroup: true, fixedMain + 1);
        }

        WriteCompleteness(layout.AddSheet(Unique(names, CompletenessSheet), report.Completeness.Any(c => c.Approval is not null) ? 10 : 9), report);
        WriteDefinitions(layout.AddSheet(Unique(names, DefinitionsSheet), 6), report);
        if (report.Burden is { } burden)
        {
            WriteBurden(layout.AddSheet(Unique(names, BurdenSheet), 7), burden);
        }

        if (report.Quality.Count > 0)
        {
            // Like 减负统计, only when there is something to say: a clean report keeps the sheets offices know.
            WriteQuality(layout.AddSheet(Unique(names, QualitySheet), QualityHeaders.Length), report);
        }

        var provenance = layout.AddSheet(Unique(names, ProvenanceSheet), 7);
        WriteProvenance(provenance, report);
        provenance.Hidden = true;

        layout.Title = $"{report.Org.Name} {report.Template.Title} {report.Period.ToDisplayString()}";
        layout.Author = report.Template.DepartmentName;
        layout.Created = report.GeneratedAt.UtcDateTime;
        layout.CustomProperties.Add(("RP_Template", report.Template.Id));
        layout.CustomProperties.Add(("RP_OrgCode", report.Org.Code));
        layout.CustomProperties.Add(("RP_Period", report.Period.ToString()));
        layout.CustomProperties.Add(("RP_Watermark", report.Watermark.ToString()));
        return layout;
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

    private static void WriteSection(WorkbookLayout layout, string name, ConsolidatedReport report, ReportSection section, bool withGroup, int fixedColumns)
    {
        var template = report.Template;
        var columns = template.Columns;
        // 审核状态 after the template's columns, when the report carries review states.
        var approvalColumn = section.Rows.Any(r => r.Approval is not null) ? fixedColumns + columns.Count + 1 : 0;
        var lastColumn = Math.Max(fixedColumns + columns.Count, approvalColumn);
        var ws = layout.AddSheet(name, lastColumn);
        var headers = columns.Select(c => HeaderTexts(c)).ToList();
        var headerRows = Math.Max(1, headers.Max(h => h.Count));
        var headerTop = TitleRows + 1;
        var headerBottom = headerTop + headerRows - 1;

        // Widths first: the print setup, and with it how far the title is centred, depends on them.
        if (withGroup)
        {
            ws.ColumnWidths[1] = ExcelStyling.WidthFor(section.Rows.Select(r => r.GroupName), 10, 24);
        }

        ws.ColumnWidths[fixedColumns - 1] = ExcelStyling.WidthFor(section.Rows.Select(r => r.Label).Append(section.UnitHeader), 12, 48);
        ws.ColumnWidths[fixedColumns] = 14;
        for (var i = 0; i < columns.Count; i++)
        {
            ws.ColumnWidths[fixedColumns + 1 + i] = ValueColumnWidth(columns[i], headers[i][^1], section.Rows, i);
        }

        if (approvalColumn > 0)
        {
            ws.ColumnWidths[approvalColumn] = ExcelStyling.WidthFor(section.Rows.Select(r => r.Approval).Append(ApprovalHeader), 9, 12);
        }

        var pageTitle = withGroup ? $"{template.DepartmentName}　{template.Title}（{section.Title}）" : $"{template.DepartmentName}　{template.Title}";
        var print = PrintFit.Choose(ws.ColumnWidths, fixedColumns, (headerTop, headerBottom), landscapeOnly: true,
            PageHeader($"{report.Org.Name}　{template.Title}　{report.Period.ToDisplayString()}"));
        var asOf = report.DataAsOf ?? report.Watermark.Latest;
        var unitLine = $"填报单位：{report.Org.Name}（{report.Org.Code}）　　统计期：{report.Period.ToDisplayString()}";
        var countsLine = string.Create(CultureInfo.InvariantCulture,
            $"生成时间：{DisplayClock.Format(report.GeneratedAt)}　　数据截至：{(asOf is { } a ? DisplayClock.Format(a) : "暂无数据")}　　应报{report.ExpectedUnits}个村（社区），已报{report.ExpectedUnits - report.MissingUnits}个，未报{report.MissingUnits}个，迟报{report.LateUnits}个");
        if (!print.FitToWidth)
        {
            // Pages across: every page says what it is in its header and footer; the title rows stay on screen only.
            print = print with
            {
                PrintFromRow = headerTop,
                // Two centred lines (a left part would run into a centred title), the counts left and page numbers right.
                HeaderCenter = "&\"黑体,Bold\"&12" + PageHeader(pageTitle) + "\n&\"宋体,Regular\"&9" + PageHeader(unitLine),
                FooterLeft = "&9" + PageHeader(countsLine),
                FooterCenter = null,
                FooterRight = PrintFit.PageNumbers,
            };
        }

        ws.Print = print;
        // The title and the two information lines centre over what the first page shows; later pages carry the title
        // in their page header, and the header rows and unit columns repeat.
        var titleColumns = Math.Max(print.FirstPageLastColumn, fixedColumns);
        Title(ws, titleColumns, pageTitle, 16);
        ws.RowHeights[1] = 30;

        InfoLine(ws, 2, titleColumns, unitLine);
        InfoLine(ws, 3, titleColumns, countsLine);

        // Fixed columns span every header row.
        string[] fixedHeaders = withGroup ? ["所属", section.UnitHeader, "行政区划代码"] : [section.UnitHeader, "行政区划代码"];
        var headerCells = new List<HeaderCell>();
        for (var c = 0; c < fixedHeaders.Length; c++)
        {
            headerCells.Add(new HeaderCell(0, c + 1, headerRows - 1, c + 1, fixedHeaders[c]));
        }

        headerCells.AddRange(HeaderCells(headers, headerRows, fixedColumns)
            .Select(h => h.FromColumn == h.ToColumn && h.FromColumn > fixedColumns ? h with { Text = HeaderLines(h.Text, ws.ColumnWidths[h.FromColumn]) } : h));
        if (approvalColumn > 0)
        {
            headerCells.Add(new HeaderCell(0, approvalColumn, headerRows - 1, approvalColumn, ApprovalHeader));
        }

        foreach (var cell in headerCells)
        {
            ws.Set(headerTop + cell.Level, cell.FromColumn, cell.Text);
            if (cell.ToLevel > cell.Level || cell.ToColumn > cell.FromColumn)
            {
                ws.Merge(headerTop + cell.Level, cell.FromColumn, headerTop + cell.ToLevel, cell.ToColumn);
            }
        }

        SizeHeaderRows(ws, headerCells, headerTop, headerRows);

        var row = headerBottom;
        var groupStart = headerBottom + 1;
        foreach (var data in section.Rows)
        {
            row++;
            if (withGroup)
            {
                ws.Set(row, 1, data.Kind == ReportRowKind.Total ? "" : data.GroupName);
            }

            ws.Set(row, fixedColumns - 1, data.Label);
            ws.Set(row, fixedColumns, data.OrgCode);
            var (from, to) = data.Kind switch
            {
                ReportRowKind.Subtotal => (groupStart, row - 1),
                _ => (headerBottom + 1, row - 1),
            };
            for (var i = 0; i < columns.Count; i++)
            {
                WriteCell(ws, row, fixedColumns + 1 + i, data, data.Cells[i], columns[i], from, to);
            }

            if (approvalColumn > 0 && data.Kind == ReportRowKind.Unit)
            {
                ws.Set(row, approvalColumn, data.Approval);
            }

            if (data.Kind == ReportRowKind.Subtotal)
            {
                groupStart = row + 1;
            }
        }

        var lastRow = Math.Max(row, headerBottom);
        StyleTable(ws, section, columns, fixedColumns, lastColumn, headerTop, headerBottom, lastRow);
        Highlight(ws, report, section, columns, fixedColumns, headerBottom + 1);
        if (lastRow > headerBottom)
        {
            ws.AutoFilter = (headerBottom, 1, lastRow, lastColumn);
        }

        ws.Freeze = (headerBottom + 1, fixedColumns + 1);
    }

    /// <summary>
    /// A column's header texts, one per header row, with a text repeated in the row below it given once: the template
    /// says 户数 above 户数 to fill both header rows, and the sheet shows one 户数 spanning both.
    /// </summary>
    private static List<string> HeaderTexts(TemplateColumn column)
    {
        var texts = new List<string>(column.Headers.Count);
        foreach (var text in column.Headers)
        {
            if (texts.Count == 0 || !string.Equals(texts[^1], text, StringComparison.Ordinal))
            {
                texts.Add(text);
            }
        }

        if (texts.Count == 0)
        {
            texts.Add(column.Id);
        }

        return texts;
    }

    /// <summary>
    /// The narrowest width that shows the column's values and wraps its header into at most three lines without a
    /// line of punctuation alone (a lone "）") or a bracket split over lines where avoidable.
    /// </summary>
    private static double ValueColumnWidth(TemplateColumn column, string header, IReadOnlyList<ReportRow> rows, int index)
    {
        double data = TextMetrics.Width(NotReported);
        foreach (var row in rows)
        {
            if (!row.IsReported)
            {
                continue;
            }

            var cell = row.Cells[index];
            var text = cell.Number is { } n ? FormatNumber((double)n, column.NumberFormat) : cell.Text;
            if (text is not null)
            {
                // Bold (subtotal and total) digits are a little wider.
                data = Math.Max(data, TextMetrics.Width(text) * (row.Kind == ReportRowKind.Unit ? 1 : 1.1));
            }
        }

        var min = Math.Max(8, Math.Ceiling(data + 1.5));
        if (TrailingUnit(header) is { } unit)
        {
            // The unit goes on a line of its own (see HeaderLines); the column is at least as wide as the unit with
            // room to spare, since renderers differ a little in how much fits on a line.
            min = Math.Max(min, Math.Ceiling(TextMetrics.Width(unit) * 1.15 + 1.5));
        }

        return TextMetrics.WidthForWrapped(HeaderLines(header, min), min, Math.Max(min, 16), maxLines: 3);
    }

    /// <summary>A trailing bracketed unit such as "（万元）", or null.</summary>
    private static string? TrailingUnit(string header)
    {
        var open = header.LastIndexOf('（');
        return open > 0 && header.EndsWith('）') && header.IndexOf('）', open) == header.Length - 1 ? header[open..] : null;
    }

    /// <summary>
    /// The header as it is written: when it will not fit on one line, a trailing unit starts a line of its own
    /// ("林地" / "（亩）"). Excel, WPS and LibreOffice do not all keep a closing bracket with its text when they wrap,
    /// and a line holding only "）" is what their own breaking produced.
    /// </summary>
    private static string HeaderLines(string header, double width) =>
        TrailingUnit(header) is { } unit && TextMetrics.Width(header) > width - 1
            ? header[..^unit.Length] + "\n" + unit
            : header;

    private static string FormatNumber(double value, string format)
    {
        try
        {
            return value.ToString(format, CultureInfo.InvariantCulture);
        }
        catch (FormatException)
        {
            return value.ToString("#,##0.##", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Page header text: the characters Excel reads as codes (&amp;) escaped.</summary>
    private static string PageHeader(string text) => text.Replace("&", "&&", StringComparison.Ordinal);

    private static void WriteCell(SheetLayout ws, int sheetRow, int sheetColumn, ReportRow row, ReportCell value, TemplateColumn column, int from, int to)
    {
        if (!row.IsReported)
        {
            ws.Set(sheetRow, sheetColumn, NotReported);
            return;
        }

        if (value.Number is { } number)
        {
            var additive = column.Expression?.IsAdditive ?? column.FieldId is not null;
            if (row.Kind != ReportRowKind.Unit && additive && to >= from)
            {
                var address = OfficeOpenXml.ExcelCellBase.GetAddress(from, sheetColumn, to, sheetColumn);
                ws.SetFormula(sheetRow, sheetColumn, $"SUBTOTAL(9,{address})", (double)number);
            }
            else
            {
                ws.Set(sheetRow, sheetColumn, (double)number);
            }
        }
        else if (value.Text is { } text)
        {
            ws.Set(sheetRow, sheetColumn, text);
        }
    }

    /// <summary>
    /// The header and body formats: every body cell takes its column's plain format (ruled, the column's number
    /// format), then the rows that differ — subtotals, the total, units that have not reported — take theirs.
    /// </summary>
    private static void StyleTable(SheetLayout ws, ReportSection section, IReadOnlyList<TemplateColumn> columns, int fixedColumns, int lastColumn, int headerTop, int headerBottom, int lastRow)
    {
        ws.Format(headerTop, 1, headerBottom, lastColumn, HeaderFormat with { Ruled = true });
        if (lastRow <= headerBottom)
        {
            return;
        }

        var bodyTop = headerBottom + 1;
        string? NumberFormat(int sheetColumn) => sheetColumn > fixedColumns && sheetColumn <= fixedColumns + columns.Count ? columns[sheetColumn - fixedColumns - 1].NumberFormat : null;
        for (var i = 0; i < section.Rows.Count; i++)
        {
            var data = section.Rows[i];
            var row = bodyTop + i;
            for (var c = 1; c <= lastColumn; c++)
            {
                ws.Format(row, c, data.Kind switch
                {
                    ReportRowKind.Subtotal => new CellFormat(Bold: true, Fill: ExcelStyling.SubtotalFill, Ruled: true, NumberFormat: NumberFormat(c)),
                    ReportRowKind.Total => new CellFormat(Bold: true, Fill: ExcelStyling.TotalFill, Ruled: true, NumberFormat: NumberFormat(c)),
                    _ when !data.IsReported && c > fixedColumns => new CellFormat(
                        FontColor: ExcelStyling.MissingFont, Horizontal: ExcelHorizontalAlignment.Center, Ruled: true, NumberFormat: NumberFormat(c)),
                    // 审核状态 (after the template's columns) is centred, clear of the numbers beside it.
                    _ when c > fixedColumns + columns.Count => new CellFormat(Horizontal: ExcelHorizontalAlignment.Center, Ruled: true),
                    _ => new CellFormat(Ruled: true, NumberFormat: NumberFormat(c)),
                });
            }
        }
    }

    /// <summary>One header text and the header rows and sheet columns it spans (levels are 0-based header rows).</summary>
    private sealed record HeaderCell(int Level, int FromColumn, int ToLevel, int ToColumn, string Text);

    /// <summary>
    /// Multi-row headers: a group text spanning equal neighbours is merged horizontally; a column with fewer header rows
    /// has its last text merged down to the bottom header row. The two kinds never overlap: a cell is a group cell above
    /// its column's last header text and a leaf cell from there down.
    /// </summary>
    private static List<HeaderCell> HeaderCells(List<List<string>> headers, int rows, int offset)
    {
        var cells = new List<HeaderCell>();
        for (var level = 0; level < rows; level++)
        {
            var c = 0;
            while (c < headers.Count)
            {
                var texts = headers[c];
                var depth = texts.Count;
                if (level < depth - 1)
                {
                    var end = c;
                    while (end + 1 < headers.Count && headers[end + 1].Count - 1 > level && SamePrefix(texts, headers[end + 1], level))
                    {
                        end++;
                    }

                    cells.Add(new HeaderCell(level, offset + 1 + c, level, offset + 1 + end, texts[level]));
                    c = end + 1;
                    continue;
                }

                if (level == depth - 1)
                {
                    cells.Add(new HeaderCell(level, offset + 1 + c, rows - 1, offset + 1 + c, texts[level]));
                }

                c++;
            }
        }

        return cells;
    }

    /// <summary>
    /// Header rows tall enough for their wrapped texts: a cell within one row sets that row's lines; a cell merged down
    /// over several rows adds to the last of them what the rows above do not already give it.
    /// </summary>
    private static void SizeHeaderRows(SheetLayout ws, List<HeaderCell> cells, int top, int rows)
    {
        double Width(HeaderCell cell)
        {
            double w = 0;
            for (var c = cell.FromColumn; c <= cell.ToColumn; c++)
            {
                w += ws.ColumnWidths[c];
            }

            return w;
        }

        // Bold text is a little wider than the metrics' regular weight.
        int Lines(HeaderCell cell) => TextMetrics.Wrap(cell.Text, Width(cell) / 1.05).Count;
        var lines = new int[rows];
        foreach (var cell in cells.Where(c => c.ToLevel == c.Level))
        {
            lines[cell.Level] = Math.Max(lines[cell.Level], Lines(cell));
        }

        for (var level = 0; level < rows; level++)
        {
            lines[level] = Math.Max(1, lines[level]);
        }

        foreach (var cell in cells.Where(c => c.ToLevel > c.Level))
        {
            var have = 0;
            for (var level = cell.Level; level <= cell.ToLevel; level++)
            {
                have += lines[level];
            }

            lines[cell.ToLevel] += Math.Max(0, Lines(cell) - have);
        }

        for (var level = 0; level < rows; level++)
        {
            ws.RowHeights[top + level] = Math.Max(20, TextMetrics.LinesHeight(lines[level]));
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

    private static void InfoLine(SheetLayout ws, int row, int lastColumn, string text)
    {
        // The text sits in the top-left cell only, as Excel keeps it for a merged range.
        ws.Merge(row, 1, row, Math.Max(lastColumn, 2));
        ws.Set(row, 1, text);
    }

    private static readonly CellFormat HeaderFormat = new(
        Bold: true, Fill: ExcelStyling.HeaderFill, Horizontal: ExcelHorizontalAlignment.Center, VerticalCenter: true, Wrap: true);

    private static void Title(SheetLayout ws, int lastColumn, string text, float size)
    {
        ws.Merge(1, 1, 1, lastColumn);
        ws.Set(1, 1, text);
        ws.Format(1, 1, 1, lastColumn, new CellFormat(
            Bold: true, Horizontal: ExcelHorizontalAlignment.Center, VerticalCenter: true, FontName: ExcelStyling.TitleFont, FontSize: size));
    }

    /// <summary>A header row; <paramref name="ruled"/> when the table below it is ruled.</summary>
    private static void Table(SheetLayout ws, int headerRow, string[] headers, double[] widths, bool ruled)
    {
        for (var i = 0; i < headers.Length; i++)
        {
            ws.Set(headerRow, i + 1, headers[i]);
            ws.ColumnWidths[i + 1] = widths[i];
        }

        ws.Format(headerRow, 1, headerRow, headers.Length, new CellFormat(
            Bold: true, Fill: ExcelStyling.HeaderFill, Horizontal: ExcelHorizontalAlignment.Center, Ruled: ruled));
        ws.Freeze = (headerRow + 1, 1);
        ws.Print = PrintFit.Choose(ws.ColumnWidths, 0, (headerRow, headerRow), landscapeOnly: false, pageHeader: null);
    }

    private static void WriteCompleteness(SheetLayout ws, ConsolidatedReport report)
    {
        var withApproval = report.Completeness.Any(c => c.Approval is not null);
        string[] headers = withApproval
            ? ["序号", "区县", "乡镇（街道）", "村（社区）", "行政区划代码", "状态", "填报时间", "填报编号", "渠道", ApprovalHeader]
            : ["序号", "区县", "乡镇（街道）", "村（社区）", "行政区划代码", "状态", "填报时间", "填报编号", "渠道"];
        Title(ws, headers.Length, $"{report.Template.Title}　填报情况（{report.Period.ToDisplayString()}）", 14);
        InfoLine(ws, 2, headers.Length, string.Create(CultureInfo.InvariantCulture,
            $"{report.Org.Name}：应报{report.ExpectedUnits}个，已报{report.ExpectedUnits - report.MissingUnits}个（其中迟报{report.LateUnits}个），未报{report.MissingUnits}个。截止时间：{report.Deadline:yyyy-MM-dd} 24:00"));
        var ruled = report.Completeness.Count > 0;
        Table(ws, 3, headers, withApproval ? [7, 12, 18, 22, 15, 8, 18, 38, 8, 10] : [7, 12, 18, 22, 15, 8, 18, 38, 8], ruled);
        var row = 3;
        foreach (var c in report.Completeness)
        {
            row++;
            ws.Set(row, 1, row - 3);
            ws.Set(row, 2, c.DistrictName);
            ws.Set(row, 3, c.TownshipName);
            ws.Set(row, 4, c.Name);
            ws.Set(row, 5, c.OrgCode);
            ws.Set(row, 6, c.Status switch
            {
                ReportingStatus.Reported => "已报",
                ReportingStatus.Late => "迟报",
                _ => NotReported,
            });
            ws.Set(row, 7, c.ReceivedAt is { } at ? DisplayClock.Format(at) : null);
            ws.Set(row, 8, c.SubmissionId);
            ws.Set(row, 9, c.Channel);
            if (withApproval)
            {
                ws.Set(row, 10, c.Approval);
            }
        }

        if (ruled)
        {
            ws.Format(4, 1, row, headers.Length, new CellFormat(Ruled: true));
            for (var i = 0; i < report.Completeness.Count; i++)
            {
                if (report.Completeness[i].Status != ReportingStatus.Reported)
                {
                    ws.Format(4 + i, 6, new CellFormat(FontColor: ExcelStyling.MissingFont, Ruled: true));
                }
            }

            ws.AutoFilter = (3, 1, row, headers.Length);
        }
    }

    /// <summary>A flagged village's cell takes the quality fill wherever its row appears (a township's main sheet, a district's detail sheet).</summary>
    private static void Highlight(SheetLayout ws, ConsolidatedReport report, ReportSection section, IReadOnlyList<TemplateColumn> columns, int fixedColumns, int bodyTop)
    {
        if (report.Quality.Count == 0)
        {
            return;
        }

        var flagged = report.Quality.Select(q => (q.OrgCode, q.FieldId)).ToHashSet();
        for (var i = 0; i < section.Rows.Count; i++)
        {
            var data = section.Rows[i];
            if (data.Kind != ReportRowKind.Unit || !data.IsReported || data.OrgCode is not { } code)
            {
                continue;
            }

            for (var c = 0; c < columns.Count; c++)
            {
                if (columns[c].FieldId is { } fieldId && flagged.Contains((code, fieldId)))
                {
                    ws.Format(bodyTop + i, fixedColumns + 1 + c, new CellFormat(Fill: QualityFill, Ruled: true, NumberFormat: columns[c].NumberFormat));
                }
            }
        }
    }

    private static readonly string[] QualityHeaders = ["序号", "乡镇（街道）", "村（社区）", "行政区划代码", "指标", "单位", "本期数值", "上期数值", "原因", "填报人说明"];

    /// <summary>
    /// 数据质量: every flagged cell — outside the field's soft range, changed beyond its threshold against last period, or
    /// a robust outlier among its township's villages — with the clerk's explanation when one was given.
    /// </summary>
    private static void WriteQuality(SheetLayout ws, ConsolidatedReport report)
    {
        double[] widths = [7, 18, 22, 15, 22, 8, 12, 12, 70, 40];
        Title(ws, QualityHeaders.Length, $"{report.Template.Title}　数据质量（{report.Period.ToDisplayString()}）", 14);
        InfoLine(ws, 2, QualityHeaders.Length, string.Create(CultureInfo.InvariantCulture,
            $"{report.Org.Name}：{report.Quality.Count} 处数据需要核实（超出合理范围、较上期变化过大，或与本乡镇（街道）其他村（社区）相比明显异常），其中 {report.Quality.Count(q => q.Explanation is not null)} 处已由填报人说明；这些单元格在汇总表中以浅红色标出。"));
        Table(ws, 3, QualityHeaders, widths, ruled: true);
        var row = 3;
        foreach (var q in report.Quality)
        {
            row++;
            ws.Set(row, 1, row - 3);
            ws.Set(row, 2, q.TownshipName);
            ws.Set(row, 3, q.OrgName);
            ws.Set(row, 4, q.OrgCode);
            ws.Set(row, 5, q.FieldName);
            ws.Set(row, 6, q.Unit);
            ws.Set(row, 7, (double)q.Value);
            if (q.Previous is { } previous)
            {
                ws.Set(row, 8, (double)previous);
            }

            ws.Set(row, 9, Clip(q.Reason));
            ws.Set(row, 10, q.Explanation is null ? null : Clip(q.Explanation));
            ws.RowHeights[row] = TextMetrics.HeightFor(q.Reason, widths[8]);
        }

        ws.Format(4, 1, row, QualityHeaders.Length, new CellFormat(Wrap: true, Ruled: true));
        ws.AutoFilter = (3, 1, row, QualityHeaders.Length);
    }

    private static string Clip(string text) => text.Length <= MaxCellText ? text : text[..MaxCellText];

    private static void WriteDefinitions(SheetLayout ws, ConsolidatedReport report)
    {
        string[] headers = ["列编号", "表头", "数据来源", "单位", "来源部门", "汇总方式"];
        double[] widths = [14, 26, 60, 8, 24, 30];
        Title(ws, headers.Length, $"{report.Template.Title}　指标说明", 14);
        InfoLine(ws, 2, headers.Length, $"数据取自一表通（指标版本 {report.CatalogVersion}）。未报单位显示为“未报”，不按 0 计，也不计入小计和合计；比例类指标由汇总后的分子、分母重新计算。");
        ws.RowHeights[2] = TextMetrics.HeightFor((string)ws.Row(2)![1].Value!, widths.Sum());
        ws.Format(2, 1, 2, headers.Length, new CellFormat(Wrap: true));
        var ruled = report.Definitions.Count > 0;
        Table(ws, 3, headers, widths, ruled);
        var row = 3;
        foreach (var d in report.Definitions)
        {
            row++;
            string[] texts = [d.ColumnId, d.Header, d.Source, d.Unit, d.Departments, d.Aggregation];
            for (var c = 0; c < texts.Length; c++)
            {
                ws.Set(row, c + 1, texts[c]);
            }

            // Wrapped cells do not grow their row by themselves in print: the height comes from the longest text.
            ws.RowHeights[row] = texts.Select((t, c) => TextMetrics.HeightFor(t ?? "", widths[c])).Max();
        }

        if (ruled)
        {
            ws.Format(4, 1, row, headers.Length, new CellFormat(Wrap: true, Ruled: true));
        }
    }

    private static void WriteProvenance(SheetLayout ws, ConsolidatedReport report)
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
            ws.Set(i + 1, 1, header[i].Item1);
            ws.Set(i + 1, 2, header[i].Item2);
        }

        var row = header.Length + 2;
        string[] columns = ["sheet", "row_label", "org", "reported", "expected", "latest_received_at", "submission_ids"];
        for (var i = 0; i < columns.Length; i++)
        {
            ws.Set(row, i + 1, columns[i]);
        }

        foreach (var section in new[] { report.Main }.Concat(report.Details))
        {
            foreach (var r in section.Rows)
            {
                row++;
                ws.Set(row, 1, section.Title);
                ws.Set(row, 2, r.Label);
                ws.Set(row, 3, r.OrgCode);
                ws.Set(row, 4, r.ReportedCount);
                ws.Set(row, 5, r.Expected);
                ws.Set(row, 6, r.LatestReceivedAt?.ToString("O", CultureInfo.InvariantCulture));
                var ids = string.Join(";", r.SubmissionIds);
                // An Excel cell holds 32,767 characters; the village rows below list every submission in full.
                ws.Set(row, 7, ids.Length <= MaxCellText ? ids : $"共{r.SubmissionIds.Count}份，见下方村级明细");
            }
        }

        row += 2;
        ws.Set(row, 1, "village");
        ws.Set(row, 2, "status");
        ws.Set(row, 3, "received_at");
        ws.Set(row, 4, "submission_id");
        foreach (var c in report.Completeness)
        {
            row++;
            ws.Set(row, 1, c.OrgCode);
            ws.Set(row, 2, c.Status.ToString());
            ws.Set(row, 3, c.ReceivedAt?.ToString("O", CultureInfo.InvariantCulture));
            ws.Set(row, 4, c.SubmissionId);
        }

        ws.ColumnWidths[1] = 20;
        ws.ColumnWidths[2] = 40;
        ws.ColumnWidths[3] = 28;
        ws.ColumnWidths[4] = 38;
        ws.ColumnWidths[5] = 10;
        ws.ColumnWidths[6] = 28;
        ws.ColumnWidths[7] = 60;
    }

    private static void WriteBurden(SheetLayout ws, BurdenFigures burden)
    {
        Title(ws, 7, $"一表通减负统计（{burden.Period}）", 14);
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
        Table(ws, 3, ["项目", "数值"], [36, 16], ruled: false);
        for (var i = 0; i < figures.Length; i++)
        {
            ws.Set(4 + i, 1, figures[i].Item1);
            ws.Set(4 + i, 2, figures[i].Item2);
            ws.Format(4 + i, 2, new CellFormat(NumberFormat: figures[i].Item2 is double ? "0.0%" : "#,##0"));
        }

        var top = 4 + figures.Length + 2;
        string[] headers = ["报表", "部门", "报表编号", "列数", "所需指标数", "预填列数", "由已有数据提供的列数"];
        for (var i = 0; i < headers.Length; i++)
        {
            ws.Set(top, i + 1, headers[i]);
        }

        var row = top;
        foreach (var t in burden.PerTemplate)
        {
            row++;
            ws.Set(row, 1, t.Title);
            ws.Set(row, 2, t.Department);
            ws.Set(row, 3, t.TemplateId);
            ws.Set(row, 4, t.Columns);
            ws.Set(row, 5, t.FieldsAsked);
            ws.Set(row, 6, t.ColumnsPrefilled);
            ws.Set(row, 7, t.ColumnsServedFromHeldData);
        }

        ws.Format(top, 1, top, headers.Length, new CellFormat(Bold: true, Fill: ExcelStyling.HeaderFill, Ruled: true));
        if (row > top)
        {
            ws.Format(top + 1, 1, row, headers.Length, new CellFormat(Ruled: true));
        }

        ws.ColumnWidths[1] = 36;
        ws.ColumnWidths[2] = 16;
        ws.ColumnWidths[3] = 20;
        for (var c = 4; c <= headers.Length; c++)
        {
            ws.ColumnWidths[c] = 14;
        }
    }
}
