using SpreadCheetah;
using SpreadCheetah.Styling;
using SpreadCheetah.Worksheets;
using OfficeOpenXml.Style;

namespace ReportPipeline.Excel.Layout;

/// <summary>
/// Writes a <see cref="WorkbookLayout"/> with SpreadCheetah, for measurement: cells, formats, formulas with cached
/// values, merges, widths, heights, frozen panes and filters. SpreadCheetah 1.28 has no API for page setup, print
/// titles or custom document properties, so those are not in its file.
/// </summary>
internal static class SpreadCheetahLayoutRenderer
{
    public static byte[] Render(WorkbookLayout layout)
    {
        using var stream = new MemoryStream();
        // The library is asynchronous throughout; into a MemoryStream every await completes synchronously.
        RenderAsync(layout, stream).AsTask().GetAwaiter().GetResult();
        return stream.ToArray();
    }

    private static async ValueTask RenderAsync(WorkbookLayout layout, Stream stream)
    {
        await using var spreadsheet = await Spreadsheet.CreateNewAsync(stream, new SpreadCheetahOptions
        {
            DefaultFont = new DefaultFont { Name = FontName(ExcelStyling.BodyFont), Size = 11 },
            DocumentProperties = new SpreadCheetah.Metadata.DocumentProperties { Title = layout.Title, Author = layout.Author },
        });
        var styles = new StyleId?[layout.Formats.Count];
        foreach (var sheet in layout.Sheets)
        {
            var options = new WorksheetOptions();
            for (var c = 1; c <= sheet.ColumnCount; c++)
            {
                if (sheet.ColumnWidths[c] > 0)
                {
                    options.Column(c).Width = sheet.ColumnWidths[c];
                }
            }

            if (sheet.Freeze is { } freeze)
            {
                options.FrozenRows = freeze.Row > 1 ? freeze.Row - 1 : null;
                options.FrozenColumns = freeze.Column > 1 ? freeze.Column - 1 : null;
            }

            if (sheet.AutoFilter is { } f)
            {
                options.AutoFilter = new AutoFilterOptions($"{SpreadsheetUtility.GetColumnName(f.FromColumn)}{f.FromRow}:{SpreadsheetUtility.GetColumnName(f.ToColumn)}{f.ToRow}");
            }

            if (sheet.Hidden)
            {
                options.Visibility = WorksheetVisibility.Hidden;
            }

            await spreadsheet.StartWorksheetAsync(sheet.Name, options);
            var buffer = new Cell[sheet.ColumnCount];
            for (var r = 1; r <= sheet.RowCount; r++)
            {
                var row = sheet.Row(r);
                var length = 0;
                for (var c = 1; row is not null && c <= sheet.ColumnCount; c++)
                {
                    var cell = row[c];
                    var style = cell.Format == 0 ? null : styles[cell.Format] ??= spreadsheet.AddStyle(Style(layout.Formats[cell.Format]));
                    buffer[c - 1] = (cell.Formula, cell.Value) switch
                    {
                        ({ } formula, double value) => new Cell(new Formula(formula), value, style),
                        (_, double value) => new Cell(value, style),
                        (_, string text) => new Cell(text, style),
                        _ => new Cell((string?)null, style),
                    };
                    if (cell.Value is not null || cell.Format != 0)
                    {
                        length = c;
                    }
                }

                var cells = new ReadOnlyMemory<Cell>(buffer, 0, length);
                if (sheet.RowHeights.TryGetValue(r, out var height))
                {
                    await spreadsheet.AddRowAsync(cells, new RowOptions { Height = height });
                }
                else
                {
                    await spreadsheet.AddRowAsync(cells);
                }
            }

            foreach (var (fromRow, fromColumn, toRow, toColumn) in sheet.Merges)
            {
                spreadsheet.MergeCells($"{SpreadsheetUtility.GetColumnName(fromColumn)}{fromRow}:{SpreadsheetUtility.GetColumnName(toColumn)}{toRow}");
            }
        }

        await spreadsheet.FinishAsync();
    }

    /// <summary>SpreadCheetah refuses font names under three characters, so 宋体 and 黑体 go by their English names.</summary>
    private static string FontName(string name) => name switch
    {
        "宋体" => "SimSun",
        "黑体" => "SimHei",
        _ => name,
    };

    private static Style Style(CellFormat f)
    {
        var style = new Style();
        style.Font.Bold = f.Bold;
        style.Font.Name = f.FontName is { } name ? FontName(name) : null;
        if (f.FontSize is { } size)
        {
            style.Font.Size = size;
        }

        if (f.FontColor is { } color)
        {
            style.Font.Color = color;
        }

        if (f.Fill is { } fill)
        {
            style.Fill.Color = fill;
        }

        if (f.Ruled)
        {
            style.Border.Left.BorderStyle = style.Border.Right.BorderStyle = style.Border.Top.BorderStyle = style.Border.Bottom.BorderStyle = BorderStyle.Thin;
        }

        style.Alignment.Horizontal = f.Horizontal switch
        {
            ExcelHorizontalAlignment.Center => HorizontalAlignment.Center,
            ExcelHorizontalAlignment.Left => HorizontalAlignment.Left,
            ExcelHorizontalAlignment.Right => HorizontalAlignment.Right,
            _ => HorizontalAlignment.None,
        };
        if (f.VerticalCenter)
        {
            style.Alignment.Vertical = VerticalAlignment.Center;
        }

        style.Alignment.WrapText = f.Wrap;
        if (f.NumberFormat is { } format)
        {
            style.Format = NumberFormat.Custom(format);
        }

        return style;
    }
}
