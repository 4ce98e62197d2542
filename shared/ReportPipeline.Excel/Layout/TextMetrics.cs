namespace ReportPipeline.Excel.Layout;

/// <summary>
/// Text sizes in Excel's units, computed from character counts because nothing can measure fonts here (EPPlus'
/// AutoFit needs GDI+, absent on Linux). A column width unit is the width of one digit of the 11 pt body font
/// (7 px at 96 dpi); a CJK character of that font is about two units, ASCII about one. Wrapping is simulated the way
/// Excel and WPS break CJK text: anywhere, except that a line may not start with closing punctuation.
/// </summary>
internal static class TextMetrics
{
    /// <summary>Points per line of 11 pt text (Excel's default row height for the body font).</summary>
    public const double LinePoints = 14.25;

    private const string Closing = "）)」』】〕〉》，。、；：！？%％";
    private const string Opening = "（(「『【〔〈《";

    /// <summary>Width of a character in column units at 11 pt.</summary>
    public static double CharWidth(char c) => c > 0x2E7F ? 2.0 : c is 'W' or 'M' or 'm' or 'w' or '%' ? 1.3 : 1.0;

    public static double Width(string text)
    {
        double width = 0;
        foreach (var c in text)
        {
            width += CharWidth(c);
        }

        return width;
    }

    /// <summary>The printed width in points of a column of width <paramref name="width"/> units (Excel's pixel rounding).</summary>
    public static double ColumnPoints(double width) => Math.Truncate(width * 7 + 5) * 0.75;

    /// <summary>Usable text width of a column in units: the cell's padding takes about half a unit.</summary>
    private static double Capacity(double columnWidth, double fontPoints) => (columnWidth - 0.6) * 11 / fontPoints;

    /// <summary>The lines <paramref name="text"/> wraps into in a column <paramref name="columnWidth"/> wide.</summary>
    public static List<string> Wrap(string text, double columnWidth, double fontPoints = 11)
    {
        var capacity = Math.Max(1, Capacity(columnWidth, fontPoints));
        var lines = new List<string>();
        foreach (var paragraph in text.Split('\n'))
        {
            var start = 0;
            double used = 0;
            for (var i = 0; i < paragraph.Length; i++)
            {
                var w = CharWidth(paragraph[i]);
                if (used + w > capacity && i > start)
                {
                    var cut = i;
                    // Line-breaking rules: no line starts with closing punctuation, none ends with an opening one.
                    while (cut > start + 1 && (Closing.Contains(paragraph[cut]) || Opening.Contains(paragraph[cut - 1])))
                    {
                        cut--;
                    }

                    // ASCII words stay whole when the line has room to give them up.
                    var word = cut;
                    while (word > start + 1 && IsWordChar(paragraph[word]) && IsWordChar(paragraph[word - 1]))
                    {
                        word--;
                    }

                    if (word > start + 1 && IsWordChar(paragraph[cut]))
                    {
                        cut = word;
                    }

                    lines.Add(paragraph[start..cut]);
                    start = cut;
                    used = Width(paragraph[start..i]);
                }

                used += w;
            }

            lines.Add(paragraph[start..]);
        }

        return lines;
    }

    /// <summary>A line made of punctuation alone, such as a lone "）": what a badly chosen width leaves.</summary>
    public static bool IsStrandedPunctuation(string line) =>
        line.Length > 0 && line.All(c => Punctuation.Contains(c) || char.IsWhiteSpace(c));

    /// <summary>Brackets and sentence punctuation; a unit such as "（%）" on its own line is fine, a lone "）" is not.</summary>
    private const string Punctuation = "）)」』】〕〉》，。、；：！？（(「『【〔〈《";

    /// <summary>
    /// The narrowest width in [<paramref name="min"/>, <paramref name="max"/>] at which <paramref name="text"/> wraps into at
    /// most <paramref name="maxLines"/> lines with no line of punctuation alone and no bracketed part split over lines
    /// when a width exists that keeps it whole; <paramref name="max"/> when none does.
    /// </summary>
    public static double WidthForWrapped(string text, double min, double max, int maxLines, double fontPoints = 11)
    {
        double? fallback = null;
        for (var width = min; width <= max; width += 0.5)
        {
            var lines = Wrap(text, width, fontPoints);
            if (lines.Count > maxLines || lines.Any(IsStrandedPunctuation))
            {
                continue;
            }

            if (!lines.Any(SplitsBrackets))
            {
                return width;
            }

            fallback ??= width;
        }

        return fallback ?? max;
    }

    /// <summary>Row height in points for text wrapped in a column.</summary>
    public static double HeightFor(string text, double columnWidth, double fontPoints = 11) =>
        LinesHeight(Wrap(text, columnWidth, fontPoints).Count, fontPoints);

    public static double LinesHeight(int lines, double fontPoints = 11) =>
        Math.Ceiling(Math.Max(1, lines) * LinePoints * fontPoints / 11 + 3);

    private static bool IsWordChar(char c) => c < 0x80 && char.IsLetterOrDigit(c);

    /// <summary>A line that opens a bracket without closing it, or closes one it did not open.</summary>
    private static bool SplitsBrackets(string line)
    {
        var depth = 0;
        foreach (var c in line)
        {
            if (Opening.Contains(c))
            {
                depth++;
            }
            else if (c is '）' or ')' or '」' or '』' or '】' or '〕' or '〉' or '》')
            {
                if (depth == 0)
                {
                    return true;
                }

                depth--;
            }
        }

        return depth != 0;
    }
}
