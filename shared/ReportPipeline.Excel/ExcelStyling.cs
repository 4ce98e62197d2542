using System.Drawing;
using OfficeOpenXml;
using OfficeOpenXml.Style;

namespace ReportPipeline.Excel;

/// <summary>Fonts, fills and widths shared by the workbooks. Fonts are ones that exist on Windows and in WPS.</summary>
internal static class ExcelStyling
{
    public const string BodyFont = "宋体";
    public const string TitleFont = "黑体";

    public static readonly Color HeaderFill = Color.FromArgb(0xD9, 0xE1, 0xF2);
    public static readonly Color SectionFill = Color.FromArgb(0xED, 0xED, 0xED);
    public static readonly Color PrefilledFill = Color.FromArgb(0xD9, 0xD9, 0xD9);
    public static readonly Color CarriedFill = Color.FromArgb(0xFF, 0xF2, 0xCC);
    public static readonly Color DerivedFill = Color.FromArgb(0xDD, 0xEB, 0xF7);
    public static readonly Color SubtotalFill = Color.FromArgb(0xE2, 0xEF, 0xDA);
    public static readonly Color TotalFill = Color.FromArgb(0xC6, 0xE0, 0xB4);
    public static readonly Color MissingFont = Color.FromArgb(0xC0, 0x00, 0x00);

    /// <summary>Sets the workbook's Normal style so every cell, including empty ones, uses a CJK font.</summary>
    public static void UseChineseFont(ExcelPackage package)
    {
        var normal = package.Workbook.Styles.NamedStyles.FirstOrDefault(s => s.Name == "Normal");
        if (normal is not null)
        {
            normal.Style.Font.Name = BodyFont;
            normal.Style.Font.Size = 11;
        }
    }

    public static void Fill(ExcelRange range, Color color)
    {
        range.Style.Fill.PatternType = ExcelFillStyle.Solid;
        range.Style.Fill.BackgroundColor.SetColor(color);
    }

    public static void Border(ExcelRange range)
    {
        var border = range.Style.Border;
        border.Top.Style = border.Bottom.Style = border.Left.Style = border.Right.Style = ExcelBorderStyle.Thin;
    }

    public static void Title(ExcelRange range, float size)
    {
        range.Merge = true;
        range.Style.Font.Name = TitleFont;
        range.Style.Font.Size = size;
        range.Style.Font.Bold = true;
        range.Style.HorizontalAlignment = ExcelHorizontalAlignment.Center;
        range.Style.VerticalAlignment = ExcelVerticalAlignment.Center;
    }

    /// <summary>
    /// A column width for text: CJK characters take about two width units, ASCII one; AutoFit needs GDI+, which is
    /// absent on Linux.
    /// </summary>
    public static double WidthFor(IEnumerable<string?> texts, double min, double max)
    {
        var widest = texts.Where(t => t is not null).Select(t => DisplayWidth(t!)).DefaultIfEmpty(0).Max();
        return Math.Clamp(widest + 2, min, max);
    }

    public static double DisplayWidth(string text)
    {
        double width = 0;
        foreach (var c in text)
        {
            width += c > 0x2E7F ? 2.1 : 1.1;
        }

        return width;
    }
}
