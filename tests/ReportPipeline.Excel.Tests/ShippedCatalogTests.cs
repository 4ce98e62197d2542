using System.Globalization;
using OfficeOpenXml;
using ReportPipeline.Domain.Burden;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Forms;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Values;
using ReportPipeline.Excel.Tests.Consolidation;
using ReportPipeline.Storage.Files;

namespace ReportPipeline.Excel.Tests;

/// <summary>The workbooks for the catalog and sample city that ship with the product, not only the hand-made test data.</summary>
public sealed class ShippedCatalogTests
{
    private static readonly CatalogBundle Bundle = FileCatalogSource.Shipped.LoadBundle();
    private static readonly OrgRegistry City = FileOrgRegistry.LoadSampleCity();
    private static readonly Period Period = Period.Month(2026, 11);
    private static readonly DateTimeOffset At = new(2026, 12, 3, 10, 0, 0, TimeSpan.FromHours(8));

    /// <summary>Canonical form of a synthetic raw text, enough for these tests (the real normaliser lives elsewhere).</summary>
    private static FieldValue Canonical(FieldDefinition field, string text) => new(field.Type, field.Type switch
    {
        FieldType.Enum => field.Options.First(o => o.Label == text || o.Code == text).Code,
        FieldType.Boolean => text == "是" ? "true" : "false",
        FieldType.Integer or FieldType.Decimal => decimal.Parse(text, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        _ => text,
    });

    private static OrgValues ValuesOf(Org village, int seed)
    {
        var prefilled = SyntheticValues.GeneratePrefilled(Bundle.Catalog, village, Period, seed);
        var values = SyntheticValues.Generate(Bundle.Catalog, village, Period, seed).ToDictionary(
            kv => kv.Key,
            kv => new StoredValue(
                Canonical(Bundle.Catalog[kv.Key], kv.Value),
                prefilled.ContainsKey(kv.Key) ? ValueOrigin.Prefilled : ValueOrigin.Typed,
                "sub-" + village.Code,
                At),
            StringComparer.Ordinal);
        return new OrgValues(village.Code, Period, values);
    }

    [Fact]
    public void Every_field_of_a_filled_form_comes_back_from_its_own_row()
    {
        var village = City.Villages(City.Root.Code).First();
        var values = ValuesOf(village, 7);
        var prefilled = values.Values.Where(v => v.Value.Origin == ValueOrigin.Prefilled).ToDictionary(v => v.Key, v => v.Value);
        var form = new FormWorkbookWriter().Write(new FormWorkbookModel
        {
            Catalog = Bundle.Catalog,
            Org = village,
            OrgPathNames = [.. City.Ancestors(village.Code).Reverse().Select(o => o.Name), village.Name],
            Period = Period,
            Current = prefilled,
            GeneratedAt = At,
        });
        var typed = SyntheticValues.Generate(Bundle.Catalog, village, Period, 7)
            .Where(kv => !prefilled.ContainsKey(kv.Key) && Bundle.Catalog[kv.Key].Frequency == Period.Kind)
            .ToDictionary();

        using var package = new ExcelPackage(new MemoryStream(form));
        var ws = package.Workbook.Worksheets[FormMetadata.FormSheet];
        var rows = Enumerable.Range(1, ws.Dimension.End.Row)
            .Where(r => ws.Cells[r, FormWorkbookWriter.IdColumn].Value is string id && Bundle.Catalog.Contains(id))
            .ToDictionary(r => (string)ws.Cells[r, FormWorkbookWriter.IdColumn].Value, r => r);
        foreach (var (id, text) in typed)
        {
            ws.Cells[rows[id], FormWorkbookWriter.ValueColumn].Value = text;
        }

        var result = new FormWorkbookReader().Read(new MemoryStream(package.GetAsByteArray()));

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Empty(result.CheckMatches(village.Code, Period, Bundle.Catalog.Version));
        var read = result.Values.ToDictionary(v => v.FieldId);
        foreach (var (id, text) in typed)
        {
            Assert.Equal(text, read[id].Text);
            Assert.Equal("D" + rows[id].ToString(CultureInfo.InvariantCulture), read[id].Cell);
        }
    }

    [Fact]
    public void Every_template_builds_a_valid_workbook_for_every_audience_level_of_the_sample_city()
    {
        var villages = City.Villages(City.Root.Code).ToList();
        var values = villages.Where((_, i) => i % 7 != 3).Select((v, i) => ValuesOf(v, i)).ToDictionary(v => v.OrgCode, StringComparer.Ordinal);
        var receipts = values.Keys.ToDictionary(code => code, code => new MergeReceipt
        {
            SubmissionId = "sub-" + code,
            OrgCode = code,
            Period = Period,
            ReceivedAt = At,
            FirstReportedAt = At,
            LastReportedAt = At,
            Changed = 1,
            Unchanged = 0,
            ConfirmedPrefill = 0,
        }, StringComparer.Ordinal);
        var burden = BurdenCalculator.Compute(Bundle, City, City.Root.Code, Period, values);
        var written = 0;

        foreach (var template in Bundle.Templates)
        {
            foreach (var level in template.AudienceLevels)
            {
                var org = City.ByLevel(level).First();
                var report = ProductionInputs.Build(template, Bundle.Catalog, City, org.Code, Period, values, receipts, At, At)
                    with { Burden = level == OrgLevel.City ? burden : null };
                var bytes = new ReportWorkbookWriter().Write(report);

                using var independent = new OpenXmlWorkbook(bytes);
                Assert.All(independent.Sheets, s => Assert.Equal(ReportWorkbookWriter.SafeSheetName(s.Name!.Value!), s.Name.Value));
                var merges = independent.MergedRanges(ReportWorkbookWriter.MainSheet);
                var covered = new HashSet<(int, int)>();
                foreach (var merge in merges)
                {
                    var address = new ExcelAddress(merge);
                    for (var r = address.Start.Row; r <= address.End.Row; r++)
                    {
                        for (var c = address.Start.Column; c <= address.End.Column; c++)
                        {
                            Assert.True(covered.Add((r, c)), $"{template.Id}: {merge} overlaps another merge");
                        }
                    }
                }

                var total = report.Main.Rows[^1];
                var cells = independent.Cells(ReportWorkbookWriter.MainSheet);
                var totalRow = 3 + Math.Max(1, template.HeaderRowCount) + report.Main.Rows.Count;
                for (var c = 0; c < total.Cells.Count; c++)
                {
                    if (total.Cells[c].Number is { } n)
                    {
                        var stored = cells[ExcelCellBase.GetAddress(totalRow, 3 + c)];
                        Assert.Equal((double)n, double.Parse(stored.Text!, CultureInfo.InvariantCulture), 6);
                    }
                }

                written++;
            }
        }

        Assert.True(written >= Bundle.Templates.Count);
        Assert.True(burden.EntriesAskedSeparately > burden.EntriesTyped);
    }
}
