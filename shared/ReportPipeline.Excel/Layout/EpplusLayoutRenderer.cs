using System.Globalization;
using OfficeOpenXml;

namespace ReportPipeline.Excel.Layout;

/// <summary>Writes a <see cref="WorkbookLayout"/> with EPPlus.</summary>
internal static class EpplusLayoutRenderer
{
    public static byte[] Render(WorkbookLayout layout)
    {
        var package = InMemoryPackages.Create();
        ExcelStyling.UseChineseFont(package);
        var formats = new CellFormats();
        foreach (var sheet in layout.Sheets)
        {
            RenderSheet(package.Workbook.Worksheets.Add(sheet.Name), sheet, layout, formats);
        }

        var properties = package.Workbook.Properties;
        properties.Title = layout.Title;
        properties.Author = layout.Author;
        properties.Created = layout.Created;
        foreach (var (name, value) in layout.CustomProperties)
        {
            properties.SetCustomPropertyValue(name, value);
        }

        return package.GetAsByteArray();
    }

    private static void RenderSheet(ExcelWorksheet ws, SheetLayout sheet, WorkbookLayout layout, CellFormats formats)
    {
        for (var r = 1; r <= sheet.RowCount; r++)
        {
            if (sheet.Row(r) is not { } cells)
            {
                continue;
            }

            for (var c = 1; c <= sheet.ColumnCount; c++)
            {
                var cell = cells[c];
                if (cell.Formula is { } formula)
                {
                    ws.Cells[r, c].Formula = formula;
                }

                // Set after the formula: the stored value is what non-calculating readers show.
                if (cell.Value is not null)
                {
                    ws.SetValue(r, c, cell.Value);
                }
            }

            // Neighbouring cells with one format take it as one range.
            var start = 1;
            while (start <= sheet.ColumnCount)
            {
                var end = start;
                while (end < sheet.ColumnCount && cells[end + 1].Format == cells[start].Format)
                {
                    end++;
                }

                if (cells[start].Format != 0)
                {
                    formats.Apply(ws, r, start, r, end, layout.Formats[cells[start].Format]);
                }

                start = end + 1;
            }
        }

        foreach (var (fromRow, fromColumn, toRow, toColumn) in sheet.Merges)
        {
            ws.Cells[fromRow, fromColumn, toRow, toColumn].Merge = true;
        }

        for (var c = 1; c <= sheet.ColumnCount; c++)
        {
            if (sheet.ColumnWidths[c] > 0)
            {
                ws.Column(c).Width = sheet.ColumnWidths[c];
            }
        }

        foreach (var (row, height) in sheet.RowHeights)
        {
            ws.Row(row).Height = height;
        }

        if (sheet.AutoFilter is { } filter)
        {
            ws.Cells[filter.FromRow, filter.FromColumn, filter.ToRow, filter.ToColumn].AutoFilter = true;
        }

        if (sheet.Freeze is { } freeze)
        {
            ws.View.FreezePanes(freeze.Row, freeze.Column);
        }

        if (sheet.Print is { } print)
        {
            ApplyPrint(ws, print);
            if (print.PrintFromRow > 1)
            {
                ws.PrinterSettings.PrintArea = ws.Cells[print.PrintFromRow, 1, Math.Max(sheet.RowCount, print.PrintFromRow), sheet.ColumnCount];
            }
        }

        if (sheet.Hidden)
        {
            ws.Hidden = eWorkSheetHidden.Hidden;
        }
    }

    public static void ApplyPrint(ExcelWorksheet ws, PrintSetup print)
    {
        var settings = ws.PrinterSettings;
        settings.PaperSize = ePaperSize.A4;
        settings.Orientation = print.Landscape ? eOrientation.Landscape : eOrientation.Portrait;
        settings.LeftMargin = settings.RightMargin = (decimal)PrintSetup.MarginLeftRight;
        settings.TopMargin = (decimal)PrintSetup.MarginTop;
        settings.BottomMargin = (decimal)PrintSetup.MarginBottom;
        settings.HeaderMargin = settings.FooterMargin = (decimal)PrintSetup.MarginHeaderFooter;
        settings.HorizontalCentered = print.CenterHorizontally;
        settings.PageOrder = print.OverThenDown ? ePageOrder.OverThenDown : ePageOrder.DownThenOver;
        if (print.FitToWidth)
        {
            settings.FitToPage = true;
            settings.FitToWidth = 1;
            settings.FitToHeight = 0;
        }
        else
        {
            settings.FitToPage = false;
            settings.Scale = print.Scale;
        }

        if (print.RepeatRows is { } rows)
        {
            settings.RepeatRows = new ExcelAddress(string.Create(CultureInfo.InvariantCulture, $"${rows.From}:${rows.To}"));
        }

        if (print.RepeatColumnsTo is { } columns)
        {
            settings.RepeatColumns = new ExcelAddress($"$A:${ExcelCellBase.GetAddressCol(columns)}");
        }

        var header = ws.HeaderFooter.OddHeader;
        var footer = ws.HeaderFooter.OddFooter;
        (header.LeftAlignedText, header.CenteredText, header.RightAlignedText) = (print.HeaderLeft, print.HeaderCenter, print.HeaderRight);
        (footer.LeftAlignedText, footer.CenteredText, footer.RightAlignedText) = (print.FooterLeft, print.FooterCenter, print.FooterRight);
    }
}
