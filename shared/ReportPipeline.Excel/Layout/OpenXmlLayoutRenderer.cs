using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.CustomProperties;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using DocumentFormat.OpenXml.VariantTypes;
using OfficeOpenXml.Style;
using X = DocumentFormat.OpenXml.Spreadsheet;

namespace ReportPipeline.Excel.Layout;

/// <summary>
/// Writes a <see cref="WorkbookLayout"/> with the Open XML SDK's streaming <see cref="OpenXmlWriter"/>: the same cells,
/// formats, merges, sizes, print setup, print titles and properties as the EPPlus renderer, without a cell object model.
/// </summary>
internal static class OpenXmlLayoutRenderer
{
    private const string Fmtid = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}";

    public static byte[] Render(WorkbookLayout layout)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbookPart = document.AddWorkbookPart();
            workbookPart.AddNewPart<WorkbookStylesPart>().Stylesheet = Stylesheet(layout);
            var sheets = new Sheets();
            var names = new DefinedNames();
            for (var i = 0; i < layout.Sheets.Count; i++)
            {
                var sheet = layout.Sheets[i];
                var part = workbookPart.AddNewPart<WorksheetPart>();
                WriteSheet(part, sheet);
                sheets.Append(new Sheet
                {
                    Name = sheet.Name,
                    SheetId = (uint)(i + 1),
                    Id = workbookPart.GetIdOfPart(part),
                    State = sheet.Hidden ? SheetStateValues.Hidden : null,
                });
                AddNames(names, sheet, (uint)i);
            }

            var workbook = new Workbook(sheets);
            if (names.HasChildren)
            {
                workbook.Append(names);
            }

            workbookPart.Workbook = workbook;
            WriteCoreProperties(document.AddCoreFilePropertiesPart(), layout);
            if (layout.CustomProperties.Count > 0)
            {
                var properties = new Properties();
                var id = 2;
                foreach (var (name, value) in layout.CustomProperties)
                {
                    properties.Append(new CustomDocumentProperty(new VTLPWSTR(value)) { FormatId = Fmtid, PropertyId = id++, Name = name });
                }

                document.AddCustomFilePropertiesPart().Properties = properties;
            }
        }

        return stream.ToArray();
    }

    /// <summary>docProps/core.xml written as a part, where Excel, WPS and EPPlus read the title and author.</summary>
    private static void WriteCoreProperties(CoreFilePropertiesPart part, WorkbookLayout layout)
    {
        using var stream = part.GetStream(FileMode.Create);
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false));
        writer.Write(string.Create(CultureInfo.InvariantCulture,
            $"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{System.Security.SecurityElement.Escape(layout.Title)}</dc:title><dc:creator>{System.Security.SecurityElement.Escape(layout.Author)}</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">{layout.Created:yyyy-MM-ddTHH:mm:ssZ}</dcterms:created></cp:coreProperties>"""));
    }

    private static void AddNames(DefinedNames names, SheetLayout sheet, uint index)
    {
        var quoted = "'" + sheet.Name.Replace("'", "''", StringComparison.Ordinal) + "'";
        if (sheet.AutoFilter is { } f)
        {
            names.Append(new DefinedName($"{quoted}!{Absolute(f.FromRow, f.FromColumn)}:{Absolute(f.ToRow, f.ToColumn)}")
            { Name = "_xlnm._FilterDatabase", LocalSheetId = index, Hidden = true });
        }

        if (sheet.Print is not { } print)
        {
            return;
        }

        var titles = new List<string>();
        if (print.RepeatColumnsTo is { } columns)
        {
            titles.Add($"{quoted}!$A:${ColumnName(columns)}");
        }

        if (print.RepeatRows is { } rows)
        {
            titles.Add(string.Create(CultureInfo.InvariantCulture, $"{quoted}!${rows.From}:${rows.To}"));
        }

        if (titles.Count > 0)
        {
            names.Append(new DefinedName(string.Join(",", titles)) { Name = "_xlnm.Print_Titles", LocalSheetId = index });
        }

        if (print.PrintFromRow > 1)
        {
            names.Append(new DefinedName($"{quoted}!{Absolute(print.PrintFromRow, 1)}:{Absolute(Math.Max(sheet.RowCount, print.PrintFromRow), sheet.ColumnCount)}")
            { Name = "_xlnm.Print_Area", LocalSheetId = index });
        }
    }

    private static void WriteSheet(WorksheetPart part, SheetLayout sheet)
    {
        using var writer = OpenXmlWriter.Create(part);
        writer.WriteStartElement(new Worksheet());
        if (sheet.Print is { FitToWidth: true })
        {
            writer.WriteElement(new SheetProperties(new PageSetupProperties { FitToPage = true }));
        }

        if (sheet.Freeze is { } freeze)
        {
            var topLeft = Address(freeze.Row, freeze.Column);
            var pane = new Pane
            {
                TopLeftCell = topLeft,
                State = PaneStateValues.Frozen,
                VerticalSplit = freeze.Column > 1 ? freeze.Column - 1 : null,
                HorizontalSplit = freeze.Row > 1 ? freeze.Row - 1 : null,
                ActivePane = freeze.Column > 1 ? PaneValues.BottomRight : PaneValues.BottomLeft,
            };
            writer.WriteElement(new SheetViews(new SheetView(pane, new Selection { Pane = pane.ActivePane, ActiveCell = topLeft, SequenceOfReferences = new ListValue<StringValue>([topLeft]) })
            { WorkbookViewId = 0 }));
        }

        var columns = new Columns();
        for (var c = 1; c <= sheet.ColumnCount; c++)
        {
            if (sheet.ColumnWidths[c] > 0)
            {
                columns.Append(new Column { Min = (uint)c, Max = (uint)c, Width = sheet.ColumnWidths[c], CustomWidth = true });
            }
        }

        if (columns.HasChildren)
        {
            writer.WriteElement(columns);
        }

        writer.WriteStartElement(new SheetData());
        // One element of each kind serves as the tag for every row and cell: the writer reads only its name, so the
        // per-cell cost is the text written, not an object tree.
        var rowTag = new Row();
        var cellTag = new Cell();
        var valueTag = new CellValue();
        var formulaTag = new CellFormula();
        var inlineTag = new InlineString();
        var textTag = new Text();
        OpenXmlAttribute[] preserve = [new("xml:space", "http://www.w3.org/XML/1998/namespace", "preserve")];
        var rowAttributes = new List<OpenXmlAttribute>(3);
        var cellAttributes = new List<OpenXmlAttribute>(3);
        for (var r = 1; r <= sheet.RowCount; r++)
        {
            var cells = sheet.Row(r);
            var hasHeight = sheet.RowHeights.TryGetValue(r, out var height);
            if (cells is null && !hasHeight)
            {
                continue;
            }

            rowAttributes.Clear();
            rowAttributes.Add(new OpenXmlAttribute("r", "", r.ToString(CultureInfo.InvariantCulture)));
            if (hasHeight)
            {
                rowAttributes.Add(new OpenXmlAttribute("ht", "", height.ToString(CultureInfo.InvariantCulture)));
                rowAttributes.Add(new OpenXmlAttribute("customHeight", "", "1"));
            }

            writer.WriteStartElement(rowTag, rowAttributes);
            for (var c = 1; cells is not null && c <= sheet.ColumnCount; c++)
            {
                var cell = cells[c];
                if (cell.Value is null && cell.Formula is null && cell.Format == 0)
                {
                    continue;
                }

                cellAttributes.Clear();
                cellAttributes.Add(new OpenXmlAttribute("r", "", Address(r, c)));
                if (cell.Format != 0)
                {
                    cellAttributes.Add(new OpenXmlAttribute("s", "", cell.Format.ToString(CultureInfo.InvariantCulture)));
                }

                if (cell.Value is string)
                {
                    cellAttributes.Add(new OpenXmlAttribute("t", "", "inlineStr"));
                }

                writer.WriteStartElement(cellTag, cellAttributes);
                if (cell.Formula is { } formula)
                {
                    writer.WriteStartElement(formulaTag);
                    writer.WriteString(formula);
                    writer.WriteEndElement();
                }

                switch (cell.Value)
                {
                    case string text:
                        writer.WriteStartElement(inlineTag);
                        writer.WriteStartElement(textTag, preserve);
                        writer.WriteString(text);
                        writer.WriteEndElement();
                        writer.WriteEndElement();
                        break;
                    case double number:
                        writer.WriteStartElement(valueTag);
                        writer.WriteString(number.ToString("R", CultureInfo.InvariantCulture));
                        writer.WriteEndElement();
                        break;
                }

                writer.WriteEndElement();
            }

            writer.WriteEndElement();
        }

        writer.WriteEndElement();

        if (sheet.AutoFilter is { } f)
        {
            writer.WriteElement(new AutoFilter { Reference = $"{Address(f.FromRow, f.FromColumn)}:{Address(f.ToRow, f.ToColumn)}" });
        }

        if (sheet.Merges.Count > 0)
        {
            writer.WriteStartElement(new MergeCells { Count = (uint)sheet.Merges.Count });
            foreach (var (fromRow, fromColumn, toRow, toColumn) in sheet.Merges)
            {
                writer.WriteElement(new MergeCell { Reference = $"{Address(fromRow, fromColumn)}:{Address(toRow, toColumn)}" });
            }

            writer.WriteEndElement();
        }

        if (sheet.Print is { } print)
        {
            if (print.CenterHorizontally)
            {
                writer.WriteElement(new PrintOptions { HorizontalCentered = true });
            }

            writer.WriteElement(new PageMargins
            {
                Left = PrintSetup.MarginLeftRight,
                Right = PrintSetup.MarginLeftRight,
                Top = PrintSetup.MarginTop,
                Bottom = PrintSetup.MarginBottom,
                Header = PrintSetup.MarginHeaderFooter,
                Footer = PrintSetup.MarginHeaderFooter,
            });
            writer.WriteElement(new PageSetup
            {
                PaperSize = 9,
                Orientation = print.Landscape ? OrientationValues.Landscape : OrientationValues.Portrait,
                PageOrder = print.OverThenDown ? PageOrderValues.OverThenDown : null,
                Scale = print.FitToWidth ? null : (uint)print.Scale,
                FitToWidth = print.FitToWidth ? 1u : null,
                FitToHeight = print.FitToWidth ? 0u : null,
            });
            var header = HeaderFooterText(print.HeaderLeft, print.HeaderCenter, print.HeaderRight);
            var footer = HeaderFooterText(print.FooterLeft, print.FooterCenter, print.FooterRight);
            var headerFooter = new HeaderFooter();
            if (header.Length > 0)
            {
                headerFooter.Append(new OddHeader(header));
            }

            if (footer.Length > 0)
            {
                headerFooter.Append(new OddFooter(footer));
            }

            writer.WriteElement(headerFooter);
        }

        writer.WriteEndElement();
    }

    private static string HeaderFooterText(string? left, string? center, string? right) =>
        (left is null ? "" : "&L" + left) + (center is null ? "" : "&C" + center) + (right is null ? "" : "&R" + right);

    private static Stylesheet Stylesheet(WorkbookLayout layout)
    {
        var fonts = new List<Font>();
        var fontIds = new Dictionary<(string, double, bool, string?), uint>();
        var fills = new List<Fill> { new(new PatternFill { PatternType = PatternValues.None }), new(new PatternFill { PatternType = PatternValues.Gray125 }) };
        var fillIds = new Dictionary<string, uint>();
        var numberFormats = new List<NumberingFormat>();
        var numberFormatIds = new Dictionary<string, uint>(StringComparer.Ordinal);
        var formats = new List<X.CellFormat>();

        uint FontId(CellFormat f)
        {
            var key = (f.FontName ?? ExcelStyling.BodyFont, (double)(f.FontSize ?? 11), f.Bold, f.FontColor is { } c ? Argb(c) : null);
            if (!fontIds.TryGetValue(key, out var id))
            {
                var font = new Font();
                if (key.Item3)
                {
                    font.Append(new Bold());
                }

                font.Append(new FontSize { Val = key.Item2 });
                if (key.Item4 is { } color)
                {
                    font.Append(new Color { Rgb = color });
                }

                font.Append(new FontName { Val = key.Item1 });
                font.Append(new FontCharSet { Val = 134 });
                id = fontIds[key] = (uint)fonts.Count;
                fonts.Add(font);
            }

            return id;
        }

        FontId(default);
        foreach (var f in layout.Formats)
        {
            var xf = new X.CellFormat { FontId = FontId(f), BorderId = f.Ruled ? 1u : 0u, FillId = 0u, NumberFormatId = 0u };
            if (f.Fill is { } fill)
            {
                var rgb = Argb(fill);
                if (!fillIds.TryGetValue(rgb, out var fillId))
                {
                    fillId = fillIds[rgb] = (uint)fills.Count;
                    fills.Add(new Fill(new PatternFill(new ForegroundColor { Rgb = rgb }, new BackgroundColor { Indexed = 64 }) { PatternType = PatternValues.Solid }));
                }

                xf.FillId = fillId;
                xf.ApplyFill = true;
            }

            if (f.NumberFormat is { } code)
            {
                if (!numberFormatIds.TryGetValue(code, out var numberFormatId))
                {
                    numberFormatId = numberFormatIds[code] = code switch
                    {
                        "0" => 1u,
                        "0.00" => 2u,
                        "#,##0" => 3u,
                        "#,##0.00" => 4u,
                        "0%" => 9u,
                        "0.00%" => 10u,
                        _ => 164u + (uint)numberFormats.Count,
                    };
                    if (numberFormatId >= 164)
                    {
                        numberFormats.Add(new NumberingFormat { NumberFormatId = numberFormatId, FormatCode = code });
                    }
                }

                xf.NumberFormatId = numberFormatId;
                xf.ApplyNumberFormat = true;
            }

            if (f.Horizontal is not null || f.VerticalCenter || f.Wrap)
            {
                xf.Append(new Alignment
                {
                    Horizontal = f.Horizontal switch
                    {
                        ExcelHorizontalAlignment.Center => HorizontalAlignmentValues.Center,
                        ExcelHorizontalAlignment.Left => HorizontalAlignmentValues.Left,
                        ExcelHorizontalAlignment.Right => HorizontalAlignmentValues.Right,
                        _ => null,
                    },
                    Vertical = f.VerticalCenter ? VerticalAlignmentValues.Center : null,
                    WrapText = f.Wrap ? true : null,
                });
                xf.ApplyAlignment = true;
            }

            formats.Add(xf);
        }

        X.Border Thin() => new(
            new LeftBorder { Style = BorderStyleValues.Thin },
            new RightBorder { Style = BorderStyleValues.Thin },
            new TopBorder { Style = BorderStyleValues.Thin },
            new BottomBorder { Style = BorderStyleValues.Thin },
            new DiagonalBorder());
        var stylesheet = new Stylesheet();
        if (numberFormats.Count > 0)
        {
            stylesheet.Append(new NumberingFormats(numberFormats) { Count = (uint)numberFormats.Count });
        }

        stylesheet.Append(
            new Fonts(fonts) { Count = (uint)fonts.Count },
            new Fills(fills) { Count = (uint)fills.Count },
            new Borders(new X.Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder()), Thin()) { Count = 2 },
            new CellStyleFormats(new X.CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0 }) { Count = 1 },
            new X.CellFormats(formats) { Count = (uint)formats.Count },
            new CellStyles(new CellStyle { Name = "Normal", FormatId = 0, BuiltinId = 0 }) { Count = 1 });
        return stylesheet;
    }

    private static string Argb(System.Drawing.Color color) => color.ToArgb().ToString("X8", CultureInfo.InvariantCulture);

    private static string ColumnName(int column)
    {
        var name = "";
        for (var c = column; c > 0; c = (c - 1) / 26)
        {
            name = (char)('A' + (c - 1) % 26) + name;
        }

        return name;
    }

    private static string Address(int row, int column) => ColumnName(column) + row.ToString(CultureInfo.InvariantCulture);

    private static string Absolute(int row, int column) => "$" + ColumnName(column) + "$" + row.ToString(CultureInfo.InvariantCulture);
}
