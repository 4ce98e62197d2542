namespace ReportPipeline.Excel.Layout;

/// <summary>
/// How a table prints on A4 without becoming unreadable. Scaling to one page width is used only while the body text
/// stays at least <see cref="MinimumPoints"/>; a wider table prints at the largest scale that needs no more pages
/// across than the legible minimum, with the unit columns and the header rows repeated on every page, and pages
/// running across before down, so a unit's whole row is on consecutive pages that can be laid side by side.
/// </summary>
internal static class PrintFit
{
    public const double BodyPoints = 11;
    public const double MinimumPoints = 8;
    public const string PageNumbers = "第 &P 页 共 &N 页";

    /// <summary>A4 (8.27 × 11.69 in) less the left and right margins, in points.</summary>
    public static double PrintableWidth(bool landscape) =>
        ((landscape ? 11.69 : 8.27) - 2 * PrintSetup.MarginLeftRight) * 72;

    /// <summary>The smallest scale (percent) at which 11 pt text still prints at the legible minimum.</summary>
    public static int MinimumScale => (int)Math.Ceiling(MinimumPoints / BodyPoints * 100);

    /// <summary>The point size the body text prints at with <paramref name="setup"/> on a sheet of these column widths.</summary>
    public static double EffectivePoints(PrintSetup setup, IReadOnlyList<double> widths)
    {
        var scale = setup.FitToWidth
            ? Math.Min(1, PrintableWidth(setup.Landscape) / TotalPoints(widths, 1, widths.Count - 1))
            : setup.Scale / 100.0;
        return BodyPoints * scale;
    }

    /// <param name="widths">Column widths, index 1..n (index 0 unused).</param>
    /// <param name="repeatColumns">Columns that identify a row (repeated on every page when the table runs across pages).</param>
    /// <param name="repeatRows">Header rows repeated on every page.</param>
    /// <param name="landscapeOnly">Tables that are conventionally printed landscape (statistical reports).</param>
    public static PrintSetup Choose(IReadOnlyList<double> widths, int repeatColumns, (int From, int To)? repeatRows, bool landscapeOnly, string? pageHeader)
    {
        var total = TotalPoints(widths, 1, widths.Count - 1);
        foreach (var landscape in landscapeOnly ? new[] { true } : [false, true])
        {
            if (BodyPoints * Math.Min(1, PrintableWidth(landscape) / total) >= MinimumPoints)
            {
                return new PrintSetup
                {
                    Landscape = landscape,
                    FitToWidth = true,
                    RepeatRows = repeatRows,
                    CenterHorizontally = true,
                    HeaderCenter = pageHeader,
                    FooterCenter = PageNumbers,
                    FirstPageLastColumn = widths.Count - 1,
                };
            }
        }

        var fewest = PagesAcross(widths, repeatColumns, MinimumScale, out _);
        var scale = MinimumScale;
        for (var s = 100; s > MinimumScale; s--)
        {
            if (PagesAcross(widths, repeatColumns, s, out _) == fewest)
            {
                scale = s;
                break;
            }
        }

        PagesAcross(widths, repeatColumns, scale, out var firstPageLast);
        return new PrintSetup
        {
            Landscape = true,
            FitToWidth = false,
            Scale = scale,
            RepeatRows = repeatRows,
            RepeatColumnsTo = repeatColumns > 0 ? repeatColumns : null,
            OverThenDown = true,
            HeaderCenter = pageHeader,
            FooterCenter = PageNumbers,
            FirstPageLastColumn = firstPageLast,
        };
    }

    /// <summary>Pages across at <paramref name="scale"/> percent, breaking as Excel does: a page takes whole columns while they fit.</summary>
    public static int PagesAcross(IReadOnlyList<double> widths, int repeatColumns, int scale, out int firstPageLastColumn)
    {
        var page = PrintableWidth(landscape: true) * 100 / scale;
        var repeated = TotalPoints(widths, 1, repeatColumns);
        var pages = 1;
        var used = repeated;
        firstPageLastColumn = widths.Count - 1;
        for (var c = repeatColumns + 1; c < widths.Count; c++)
        {
            var w = TextMetrics.ColumnPoints(widths[c]);
            if (used + w > page && used > repeated)
            {
                if (pages == 1)
                {
                    firstPageLastColumn = c - 1;
                }

                pages++;
                used = repeated;
            }

            used += w;
        }

        return pages;
    }

    public static double TotalPoints(IReadOnlyList<double> widths, int from, int to)
    {
        double sum = 0;
        for (var c = from; c <= to; c++)
        {
            sum += TextMetrics.ColumnPoints(widths[c]);
        }

        return sum;
    }
}
