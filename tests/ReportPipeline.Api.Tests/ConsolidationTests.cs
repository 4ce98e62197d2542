using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OfficeOpenXml;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Templates;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// Villages report over HTTP; the workbooks built for the township and the district are downloaded as an office would and
/// every number is checked against sums computed here from what was sent.
/// </summary>
[Collection(PipelineHostCollection.Name)]
public sealed class ConsolidationTests(PipelineHostFixture host)
{
    private const string NotReported = "未报";

    [Fact]
    public async Task Workbook_numbers_equal_independent_sums_and_missing_units_are_not_zero()
    {
        var period = UniqueMonth();
        var (template, column, columnIndex) = PickTemplate();
        var township = host.Townships()[0];
        var district = host.Orgs.Get(township.ParentCode!);
        var sent = await ReportAsync(period, skipLast: 2);
        var admin = host.Token(host.Orgs.Root.Code, "admin");

        foreach (var org in new[] { township, district })
        {
            using var build = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{org.Code}/reports/{period}/{template.Id}/build", admin);
            Assert.Equal(HttpStatusCode.OK, build.StatusCode);
        }

        // Township: one row per village, the sent number or 未报, and a total over reporting villages only.
        using (var sheet = await DownloadMainSheetAsync(township, period, template.Id))
        {
            var villages = host.Orgs.Villages(township.Code).ToList();
            foreach (var village in villages)
            {
                var cell = CellOf(sheet.Sheet, village.Code, columnIndex);
                if (sent.TryGetValue(village.Code, out var values))
                {
                    Assert.Equal(decimal.Parse(values[column.FieldId!], CultureInfo.InvariantCulture), Convert.ToDecimal(cell.Value, CultureInfo.InvariantCulture));
                }
                else
                {
                    Assert.Equal(NotReported, cell.Text);
                }
            }

            var expectedTotal = villages.Where(v => sent.ContainsKey(v.Code)).Sum(v => decimal.Parse(sent[v.Code][column.FieldId!], CultureInfo.InvariantCulture));
            Assert.Equal(expectedTotal, Convert.ToDecimal(TotalCell(sheet.Sheet, columnIndex).Value, CultureInfo.InvariantCulture));
            Assert.Contains("未报2", TotalLabel(sheet.Sheet), StringComparison.Ordinal);
        }

        // District: one row per township, each the sum of its reporting villages.
        using (var sheet = await DownloadMainSheetAsync(district, period, template.Id))
        {
            foreach (var t in host.Townships())
            {
                var expected = host.Orgs.Villages(t.Code).Where(v => sent.ContainsKey(v.Code))
                    .Sum(v => decimal.Parse(sent[v.Code][column.FieldId!], CultureInfo.InvariantCulture));
                Assert.Equal(expected, Convert.ToDecimal(CellOf(sheet.Sheet, t.Code, columnIndex).Value, CultureInfo.InvariantCulture));
            }
        }
    }

    [Fact]
    public async Task A_second_run_rebuilds_nothing_and_one_new_report_rebuilds_only_the_workbooks_above_it()
    {
        var period = Period.Parse(UniqueMonth());
        var scheduler = host.Services.GetRequiredService<ScheduledConsolidation>();
        var village = host.Townships()[1] is var t ? host.Orgs.Villages(t.Code).First() : null!;
        await ReportAsync(period.ToString(), skipLast: 0, only: host.Townships()[0]);

        var first = await scheduler.RunAsync([period], force: false, progress: null, CancellationToken.None);
        var second = await scheduler.RunAsync([period], force: false, progress: null, CancellationToken.None);
        await PostAsync(village, period.ToString(), seed: 99);
        var third = await scheduler.RunAsync([period], force: false, progress: null, CancellationToken.None);

        var jobs = await scheduler.PlanAsync([period], CancellationToken.None);
        var above = jobs.Count(j => host.Orgs.IsInSubtree(j.Org, village.Code));
        Assert.Equal(jobs.Count, first.Built);
        Assert.Equal(0, second.Built);
        Assert.Equal(jobs.Count, second.Skipped);
        Assert.Equal(above, third.Built);
        Assert.Equal(jobs.Count - above, third.Skipped);
        Assert.True(above < jobs.Count);
    }

    [Fact]
    public async Task Offices_download_only_their_own_area_and_an_unbuilt_workbook_is_404_with_a_reason()
    {
        var period = UniqueMonth();
        var (template, _, _) = PickTemplate();
        var (mine, other) = (host.Townships()[0], host.Townships()[1]);
        using var notYet = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{mine.Code}/reports/{period}/{template.Id}", host.Token(mine.Code, "viewer"));
        using var build = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{mine.Code}/reports/{period}/{template.Id}/build", host.Token(mine.Code, "viewer"));
        await ReportAsync(period, skipLast: 0, only: mine);
        using var built = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{mine.Code}/reports/{period}/{template.Id}/build", host.Token(host.Orgs.Root.Code, "admin"));
        using var own = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{mine.Code}/reports/{period}/{template.Id}", host.Token(mine.Code, "viewer"));
        using var cityView = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{mine.Code}/reports/{period}/{template.Id}", host.Token(host.Orgs.Root.Code, "viewer"));
        using var neighbour = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{mine.Code}/reports/{period}/{template.Id}", host.Token(other.Code, "viewer"));

        Assert.Equal(HttpStatusCode.NotFound, notYet.StatusCode);
        Assert.Contains("尚未生成", (await ReadJsonAsync(notYet)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, build.StatusCode);
        Assert.Equal(HttpStatusCode.OK, built.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Contains("filename*=UTF-8''", own.Content.Headers.GetValues("Content-Disposition").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, cityView.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, neighbour.StatusCode);
    }

    [Fact]
    public async Task Status_lists_reported_and_missing_villages_of_the_subtree()
    {
        var period = UniqueMonth();
        var township = host.Townships()[2];
        var sent = await ReportAsync(period, skipLast: 3, only: township);

        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/status/{period}", host.Token(township.Code, "viewer"));
        var status = await ReadJsonAsync(response);

        var villages = host.Orgs.Villages(township.Code).ToList();
        Assert.Equal(villages.Count, status.GetProperty("expected").GetInt32());
        Assert.Equal(sent.Count, status.GetProperty("reported").GetInt32());
        Assert.Equal(3, status.GetProperty("missing").GetInt32());
        var missing = status.GetProperty("units").EnumerateArray().Where(u => u.GetProperty("status").GetString() == "missing").Select(u => u.GetProperty("org").GetString());
        Assert.Equal(villages.TakeLast(3).Select(v => v.Code), missing);
    }

    [Fact]
    public async Task Values_pushed_down_from_upper_levels_do_not_make_a_village_reported_and_do_not_hide_its_report()
    {
        var period = UniqueMonth();
        var township = host.Townships()[1];
        var villages = host.Orgs.Villages(township.Code).ToList();
        var (onlyPrefilled, reportedThenPrefilled) = (villages[0], villages[1]);
        var (template, _, _) = PickTemplate();
        await PostAsync(reportedThenPrefilled, period, seed: 7);
        foreach (var village in new[] { onlyPrefilled, reportedThenPrefilled })
        {
            await PrefillAsync(village, period);
        }

        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/status/{period}", host.Token(township.Code, "viewer"));
        var units = (await ReadJsonAsync(response)).GetProperty("units").EnumerateArray().ToDictionary(u => u.GetProperty("org").GetString()!, u => u.GetProperty("status").GetString());
        using var build = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{township.Code}/reports/{period}/{template.Id}/build", host.Token(host.Orgs.Root.Code, "admin"));
        using var sheet = await DownloadMainSheetAsync(township, period, template.Id);

        Assert.Equal("missing", units[onlyPrefilled.Code]);
        Assert.Equal("reported", units[reportedThenPrefilled.Code]);
        Assert.Contains("已报1", TotalLabel(sheet.Sheet), StringComparison.Ordinal);
    }

    private async Task PrefillAsync(Org village, string period)
    {
        var parsed = Period.Parse(period);
        var catalog = host.Bundle().Catalog;
        var raw = SyntheticValues.GeneratePrefilled(catalog, village, parsed, seed: 3);
        var values = new SubmissionValidator(catalog).Validate([.. raw.Select(kv => new RawValue(kv.Key, kv.Value))], new Dictionary<string, FieldValue>(), parsed.Kind).Values;
        await host.Services.GetRequiredService<IFieldValueStore>().MergeAsync(new MergeRequest(
            village.Code, parsed, "PREFILL-" + village.Code, ValueOrigin.Prefilled, values, ContentHash.Compute(values), null, "seed", DateTimeOffset.UtcNow));
    }

    private (ReportTemplate Template, TemplateColumn Column, int ColumnIndex) PickTemplate()
    {
        var bundle = host.Bundle();
        foreach (var template in bundle.Templates.Where(t => t.PeriodKind == PeriodKind.Month
                     && t.AudienceLevels.Contains(OrgLevel.Township) && t.AudienceLevels.Contains(OrgLevel.District)))
        {
            for (var i = 0; i < template.Columns.Count; i++)
            {
                if (template.Columns[i].FieldId is { } id && bundle.Catalog.Find(id) is { Source: FieldSource.Typed, Type: FieldType.Integer, Frequency: PeriodKind.Month })
                {
                    return (template, template.Columns[i], i);
                }
            }
        }

        throw new InvalidOperationException("The catalog has no monthly template with a typed integer column for townships and districts.");
    }

    /// <summary>Every village (of one township, or all) except the last <paramref name="skipLast"/> of each township reports.</summary>
    private async Task<Dictionary<string, Dictionary<string, string>>> ReportAsync(string period, int skipLast, Org? only = null)
    {
        var sent = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var township in host.Townships().Where(t => only is null || t.Code == only.Code))
        {
            var villages = host.Orgs.Villages(township.Code).ToList();
            foreach (var (village, index) in villages.Take(villages.Count - skipLast).Select((v, i) => (v, i)))
            {
                sent[village.Code] = await PostAsync(village, period, seed: index + 1);
            }
        }

        return sent;
    }

    private async Task<Dictionary<string, string>> PostAsync(Org village, string period, int seed)
    {
        var values = host.TypedValues(village, period, seed);
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code), Json(new { values }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return values;
    }

    private async Task<OpenedSheet> DownloadMainSheetAsync(Org org, string period, string template)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{org.Code}/reports/{period}/{template}", host.Token(org.Code, "viewer"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var package = new ExcelPackage(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        return new OpenedSheet(package, package.Workbook.Worksheets["汇总表"]);
    }

    // Layout: column A the unit (or 合计), column B its code, the template's columns from C.
    private static ExcelRange CellOf(ExcelWorksheet sheet, string code, int columnIndex)
    {
        for (var row = 1; row <= sheet.Dimension.End.Row; row++)
        {
            if (sheet.Cells[row, 2].Text == code)
            {
                return sheet.Cells[row, 3 + columnIndex];
            }
        }

        throw new Xunit.Sdk.XunitException($"No row for {code}");
    }

    private static int TotalRow(ExcelWorksheet sheet) =>
        Enumerable.Range(1, sheet.Dimension.End.Row).Last(r => sheet.Cells[r, 1].Text.StartsWith("合计", StringComparison.Ordinal));

    private static ExcelRange TotalCell(ExcelWorksheet sheet, int columnIndex) => sheet.Cells[TotalRow(sheet), 3 + columnIndex];

    private static string TotalLabel(ExcelWorksheet sheet) => sheet.Cells[TotalRow(sheet), 1].Text;

    private sealed record OpenedSheet(ExcelPackage Package, ExcelWorksheet Sheet) : IDisposable
    {
        public void Dispose() => Package.Dispose();
    }
}
