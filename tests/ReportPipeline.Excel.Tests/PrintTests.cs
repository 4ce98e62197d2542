using System.Globalization;
using DocumentFormat.OpenXml.Spreadsheet;
using OfficeOpenXml;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Forms;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Values;
using ReportPipeline.Excel.Tests.Consolidation;
using ReportPipeline.Excel.Layout;
using ReportPipeline.Storage.Files;

namespace ReportPipeline.Excel.Tests;

/// <summary>
/// How the workbooks print, read back from the file with the Open XML SDK: the body text never prints below 8 pt, a
/// table too wide for that runs over pages with its header rows and unit columns repeated, headers are not repeated
/// down two rows, and the form's wrapped notes get rows tall enough for them.
/// </summary>
public sealed class PrintTests
{
    private static readonly CatalogBundle Bundle = FileCatalogSource.Shipped.LoadBundle();
    private static readonly OrgRegistry City = FileOrgRegistry.LoadSampleCity();
    private static readonly Period Period = Period.Month(2026, 11);
    private static readonly DateTimeOffset At = new(2026, 12, 3, 10, 0, 0, TimeSpan.FromHours(8));

    /// <summary>A4 less 0.5 in margins left and right, in points; independent of the writer's own constants.</summary>
    private static double Printable(bool landscape) => ((landscape ? 11.69 : 8.27) - 1.0) * 72;

    private static double Points(double width) => Math.Truncate(width * 7 + 5) * 0.75;

    private static ConsolidatedReport TownshipReport(string templateId)
    {
        var template = Bundle.FindTemplate(templateId)!;
        var township = City.ByLevel(OrgLevel.Township).First();
        var values = new Dictionary<string, OrgValues>(StringComparer.Ordinal);
        var receipts = new Dictionary<string, MergeReceipt>(StringComparer.Ordinal);
        var seed = 0;
        foreach (var village in City.Villages(township.Code))
        {
            seed++;
            var typed = SyntheticValues.Generate(Bundle.Catalog, village, Period, seed)
                .Where(kv => Bundle.Catalog[kv.Key].IsNumeric)
                .ToDictionary(kv => kv.Key, kv => new StoredValue(
                    new FieldValue(Bundle.Catalog[kv.Key].Type, decimal.Parse(kv.Value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)),
                    ValueOrigin.Typed, "sub-" + village.Code, At), StringComparer.Ordinal);
            values[village.Code] = new OrgValues(village.Code, Period, typed);
            receipts[village.Code] = new MergeReceipt
            {
                SubmissionId = "sub-" + village.Code, OrgCode = village.Code, Period = Period, ReceivedAt = At, FirstReportedAt = At, LastReportedAt = At, Changed = 1, Unchanged = 0, ConfirmedPrefill = 0,
            };
        }

        return ProductionInputs.Build(template, Bundle.Catalog, City, township.Code, Period, values, receipts, At, At);
    }

    /// <summary>The point size 11 pt body text prints at, from the file's page setup and column widths.</summary>
    private static double EffectivePoints(Worksheet ws)
    {
        var setup = ws.GetFirstChild<PageSetup>()!;
        var fits = ws.GetFirstChild<SheetProperties>()?.PageSetupProperties?.FitToPage?.Value == true;
        if (!fits)
        {
            return 11 * (setup.Scale?.Value ?? 100) / 100.0;
        }

        var total = ws.Descendants<Column>()
            .SelectMany(c => Enumerable.Repeat(c.Width!.Value, (int)(c.Max!.Value - c.Min!.Value + 1)))
            .Sum(Points);
        return 11 * Math.Min(1, Printable(setup.Orientation?.Value == OrientationValues.Landscape) / total);
    }

    [Fact]
    public void Every_shipped_template_prints_its_table_at_eight_points_or_more()
    {
        foreach (var template in Bundle.Templates)
        {
            using var file = new OpenXmlWorkbook(new ReportWorkbookWriter().Write(TownshipReport(template.Id)));
            var ws = file.Worksheet(ReportWorkbookWriter.MainSheet);
            var points = EffectivePoints(ws);
            Assert.True(points >= 8, $"{template.Id}: body text prints at {points:0.0} pt");
            var setup = ws.GetFirstChild<PageSetup>()!;
            Assert.Equal(9u, setup.PaperSize!.Value);
            Assert.Equal(OrientationValues.Landscape, setup.Orientation!.Value);
            Assert.Contains("第 &P 页 共 &N 页", ws.GetFirstChild<HeaderFooter>()!.OddFooter!.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_table_too_wide_for_one_legible_page_runs_across_pages_with_its_headers_and_unit_columns_repeated()
    {
        var report = TownshipReport("tjj_basic_yearly");
        Assert.True(report.Template.Columns.Count > 30);

        using var file = new OpenXmlWorkbook(new ReportWorkbookWriter().Write(report));
        var ws = file.Worksheet(ReportWorkbookWriter.MainSheet);

        Assert.NotEqual(true, ws.GetFirstChild<SheetProperties>()?.PageSetupProperties?.FitToPage?.Value);
        var setup = ws.GetFirstChild<PageSetup>()!;
        Assert.InRange(setup.Scale!.Value, 73u, 100u);
        Assert.Equal(PageOrderValues.OverThenDown, setup.PageOrder!.Value);
        var titles = file.DefinedNames.Single(n => n.Name == "_xlnm.Print_Titles" && n.LocalSheetId!.Value == 0u).Text;
        Assert.Contains("$A:$B", titles, StringComparison.Ordinal);
        Assert.Contains("$4:$5", titles, StringComparison.Ordinal);
        // Every page names the report and the unit in its page header; the title rows, merged over the first page's
        // columns only, are left out of print rather than shown as fragments in the repeated columns of later pages.
        var header = ws.GetFirstChild<HeaderFooter>()!.OddHeader!.Text;
        Assert.Contains(report.Template.Title, header, StringComparison.Ordinal);
        Assert.Contains(report.Org.Name, header, StringComparison.Ordinal);
        var area = file.DefinedNames.Single(n => n.Name == "_xlnm.Print_Area" && n.LocalSheetId!.Value == 0u).Text;
        Assert.Contains("$A$4:", area, StringComparison.Ordinal);
    }

    [Fact]
    public void A_narrow_table_is_fitted_to_one_page_width_and_still_prints_at_eight_points_or_more()
    {
        using var file = new OpenXmlWorkbook(new ReportWorkbookWriter().Write(new Consolidation.ConsolidationScenario().Build("500103001000")));
        var ws = file.Worksheet(ReportWorkbookWriter.MainSheet);

        Assert.True(ws.GetFirstChild<SheetProperties>()!.PageSetupProperties!.FitToPage!.Value);
        Assert.Equal(1u, ws.GetFirstChild<PageSetup>()!.FitToWidth?.Value ?? 1u);
        Assert.Equal(0u, ws.GetFirstChild<PageSetup>()!.FitToHeight!.Value);
        Assert.True(EffectivePoints(ws) >= 8);
    }

    [Fact]
    public void A_header_repeated_in_the_row_below_is_written_once_and_merged_down()
    {
        var report = TownshipReport("nyncw_rural_quarterly");
        var index = report.Template.Columns.ToList().FindIndex(c => c.Headers is ["户数", "户数"]);
        Assert.True(index >= 0);
        var column = ExcelCellBase.GetAddressCol(3 + index);

        using var file = new OpenXmlWorkbook(new ReportWorkbookWriter().Write(report));
        var cells = file.Cells(ReportWorkbookWriter.MainSheet);

        Assert.Equal("户数", cells[$"{column}4"].Text);
        Assert.True(!cells.TryGetValue($"{column}5", out var below) || string.IsNullOrEmpty(below.Text));
        Assert.Contains($"{column}4:{column}5", file.MergedRanges(ReportWorkbookWriter.MainSheet));
        Assert.DoesNotContain(cells, c => c.Key.EndsWith('5') && c.Key.Length <= 3 && c.Value.Text == "户数");
    }

    [Fact]
    public void No_header_wraps_into_a_line_of_punctuation_alone()
    {
        foreach (var template in Bundle.Templates)
        {
            using var package = new ExcelPackage(new MemoryStream(new ReportWorkbookWriter().Write(TownshipReport(template.Id))));
            var ws = package.Workbook.Worksheets[ReportWorkbookWriter.MainSheet];
            for (var c = 3; c <= 2 + template.Columns.Count; c++)
            {
                for (var r = 4; r <= 5; r++)
                {
                    if (ws.Cells[r, c].Value is string text && !ws.Cells[r, c].Merge)
                    {
                        var lines = TextMetrics.Wrap(text, ws.Column(c).Width / 1.05);
                        Assert.False(lines.Any(TextMetrics.IsStrandedPunctuation), $"{template.Id} {text}: {string.Join(" | ", lines)}");
                        Assert.True(lines.Count * 14.25 <= ws.Row(r).Height + 1, $"{template.Id} {text}: {lines.Count} lines in {ws.Row(r).Height} pt");
                    }
                }
            }
        }
    }

    [Fact]
    public void A_header_that_wraps_puts_its_unit_on_a_line_of_its_own()
    {
        var report = TownshipReport("tjj_basic_yearly");
        var index = report.Template.Columns.ToList().FindIndex(c => c.Headers[^1] == "林地（亩）");
        Assert.True(index >= 0);

        using var file = new OpenXmlWorkbook(new ReportWorkbookWriter().Write(report));
        var texts = file.Cells(ReportWorkbookWriter.MainSheet).Where(c => c.Key.EndsWith('4') || c.Key.EndsWith('5')).Select(c => c.Value.Text).ToList();

        Assert.Contains("林地\n（亩）", texts);
        Assert.DoesNotContain("林地（亩）", texts);
    }

    [Fact]
    public void Wrapping_keeps_a_closing_bracket_with_its_text()
    {
        // At this width a plain break leaves "）" alone on the third line.
        var width = TextMetrics.WidthForWrapped("救助资金合计（万元）", 8, 16, maxLines: 3);

        var lines = TextMetrics.Wrap("救助资金合计（万元）", width);

        Assert.DoesNotContain(lines, TextMetrics.IsStrandedPunctuation);
        Assert.DoesNotContain(TextMetrics.Wrap("户籍人口（人）", 9.5), l => l.StartsWith('）'));
    }

    private static byte[] ShippedForm(out FormWorkbookModel model)
    {
        var village = City.Villages(City.Root.Code).First();
        model = new FormWorkbookModel
        {
            Catalog = Bundle.Catalog,
            Org = village,
            OrgPathNames = [.. City.Ancestors(village.Code).Reverse().Select(o => o.Name), village.Name],
            Period = Period,
            // Pre-filled values carry the longest notes (who filled them, when, how to correct them).
            Current = SyntheticValues.GeneratePrefilled(Bundle.Catalog, village, Period, 3).ToDictionary(
                kv => kv.Key,
                kv => new StoredValue(new FieldValue(Bundle.Catalog[kv.Key].Type, kv.Value), ValueOrigin.Prefilled, "gongan-2026-11", At),
                StringComparer.Ordinal),
            GeneratedAt = At,
        };
        return new FormWorkbookWriter().Write(model);
    }

    [Fact]
    public void The_form_shows_the_chinese_name_first_and_the_id_in_a_narrow_grey_column()
    {
        using var package = new ExcelPackage(new MemoryStream(ShippedForm(out _)));
        var ws = package.Workbook.Worksheets[FormMetadata.FormSheet];

        Assert.Equal("指标", ws.Cells[FormWorkbookWriter.HeaderRow, 1].Text);
        Assert.Equal("编号", ws.Cells[FormWorkbookWriter.HeaderRow, FormWorkbookWriter.IdColumn].Text);
        Assert.True(ws.Column(FormWorkbookWriter.IdColumn).Width < ws.Column(1).Width);
        var firstField = Bundle.Catalog.Fields[0];
        var row = Enumerable.Range(FormWorkbookWriter.HeaderRow + 1, 40).First(r => ws.Cells[r, FormWorkbookWriter.IdColumn].Text == firstField.Id);
        Assert.StartsWith(firstField.Name, ws.Cells[row, 1].Text, StringComparison.Ordinal);
        Assert.Equal("FF696969", ws.Cells[row, FormWorkbookWriter.IdColumn].Style.Font.Color.Rgb);
    }

    [Fact]
    public void Every_wrapped_note_on_the_form_has_a_row_tall_enough_for_its_lines()
    {
        var form = ShippedForm(out _);

        using var package = new ExcelPackage(new MemoryStream(form));
        var ws = package.Workbook.Worksheets[FormMetadata.FormSheet];
        var noteWidth = ws.Column(FormWorkbookWriter.NoteColumn).Width;
        var wrapped = 0;
        for (var r = FormWorkbookWriter.HeaderRow + 1; r <= ws.Dimension.End.Row; r++)
        {
            if (ws.Cells[r, FormWorkbookWriter.IdColumn].Value is not string || ws.Cells[r, FormWorkbookWriter.NoteColumn].Value is not string note)
            {
                continue;
            }

            // Independent of the writer's metrics: CJK characters two units, others one, half a unit of padding.
            var units = note.Sum(ch => ch > 0x2E7F ? 2.0 : 1.0);
            var lines = (int)Math.Ceiling(units / (noteWidth - 0.6));
            if (lines > 1)
            {
                wrapped++;
                Assert.True(ws.Row(r).Height >= lines * 14.25 - 0.5, $"row {r}: {lines} lines of note in {ws.Row(r).Height} pt");
                Assert.True(ws.Row(r).CustomHeight, $"row {r}");
            }
        }

        Assert.True(wrapped > 0);
    }

    [Fact]
    public void The_form_prints_on_a4_portrait_at_eight_points_or_more_with_its_header_row_repeated()
    {
        using var file = new OpenXmlWorkbook(ShippedForm(out _));
        var ws = file.Worksheet(FormMetadata.FormSheet);

        var setup = ws.GetFirstChild<PageSetup>()!;
        Assert.Equal(9u, setup.PaperSize!.Value);
        Assert.Equal(OrientationValues.Portrait, setup.Orientation?.Value ?? OrientationValues.Portrait);
        Assert.True(EffectivePoints(ws) >= 8, $"{EffectivePoints(ws):0.0} pt");
        var titles = file.DefinedNames.Single(n => n.Name == "_xlnm.Print_Titles" && n.LocalSheetId!.Value == 0u).Text;
        Assert.EndsWith("$5:$5", titles, StringComparison.Ordinal);
        Assert.Contains("第 &P 页 共 &N 页", ws.GetFirstChild<HeaderFooter>()!.OddFooter!.Text, StringComparison.Ordinal);
    }
}
