using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OfficeOpenXml;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// Where two parts of the product answer the same question they must give the same answer: /status and every workbook's
/// 填报情况 (reported, late, missing), and GET /burden and every city workbook's 减负统计.
/// </summary>
[Collection(PipelineHostCollection.Name)]
public sealed class ReportingAgreementTests(PipelineHostFixture host)
{
    /// <summary>A quarter no other test uses, long past: whatever is sent over HTTP now is late.</summary>
    private const string Quarter = "2012-Q3";

    [Fact]
    public async Task Status_and_every_quarterly_workbook_agree_on_reported_late_and_missing_villages()
    {
        var township = host.Townships()[0];
        var villages = host.Orgs.Villages(township.Code).OrderBy(v => v.Code, StringComparer.Ordinal).ToList();
        var period = Period.Parse(Quarter);
        var (onTime, late, monthOnly, prefilledOnly) = (villages[0], villages[1], villages[2], villages[3]);

        // On time: the quarter's report stored as received two days after the quarter ended (China time).
        await StoreAsync(onTime, period, ValueOrigin.Typed, new DateTimeOffset(2012, 10, 2, 10, 0, 0, TimeSpan.FromHours(8)));
        // Late: sent now, years after the deadline.
        await PostAsync(late, Quarter);
        // The quarter's last month reported, the quarter itself not: missing for the quarter.
        await PostAsync(monthOnly, "2012-09");
        // Values pushed down from above only: not a report, and no submission number or channel to show.
        await StoreAsync(prefilledOnly, period, ValueOrigin.Prefilled, DateTimeOffset.UtcNow);

        var status = await GetStatusAsync(township);
        var marks = status.GetProperty("units").EnumerateArray()
            .ToDictionary(u => u.GetProperty("org").GetString()!, u => u.GetProperty("status").GetString()!, StringComparer.Ordinal);
        Assert.Equal("reported", marks[onTime.Code]);
        Assert.Equal("late", marks[late.Code]);
        Assert.Equal("missing", marks[monthOnly.Code]);
        Assert.Equal("missing", marks[prefilledOnly.Code]);
        Assert.Equal(villages.Count - 2, status.GetProperty("missing").GetInt32());

        var templates = host.Bundle().Templates.Where(t => t.PeriodKind == PeriodKind.Quarter && t.AudienceLevels.Contains(OrgLevel.Township)).ToList();
        Assert.NotEmpty(templates);
        foreach (var template in templates)
        {
            using var build = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{township.Code}/reports/{Quarter}/{template.Id}/build", host.Token(host.Orgs.Root.Code, "admin"));
            Assert.True(build.IsSuccessStatusCode, $"{template.Id}: {build.StatusCode}");
            using var workbook = await DownloadAsync(township, Quarter, template.Id);
            var sheet = workbook.Workbook.Worksheets["填报情况"];

            var rows = Enumerable.Range(4, sheet.Dimension.End.Row - 3).Where(r => sheet.Cells[r, 5].Text.Length > 0).ToList();
            var shown = rows.ToDictionary(r => sheet.Cells[r, 5].Text, r => sheet.Cells[r, 6].Text, StringComparer.Ordinal);
            Assert.Equal(marks.ToDictionary(kv => kv.Key, kv => Mark(kv.Value), StringComparer.Ordinal), shown);
            var heading = sheet.Cells[2, 1].Text;
            var reported = status.GetProperty("reported").GetInt32();
            Assert.Contains($"已报{reported}个（其中迟报{status.GetProperty("late").GetInt32()}个），未报{status.GetProperty("missing").GetInt32()}个", heading, StringComparison.Ordinal);
            Assert.Contains($"截止时间：{status.GetProperty("deadline").GetString()}", heading, StringComparison.Ordinal);
            foreach (var row in rows.Where(r => sheet.Cells[r, 6].Text == "未报"))
            {
                Assert.Equal(("", ""), (sheet.Cells[row, 8].Text, sheet.Cells[row, 9].Text));
            }
        }
    }

    [Fact]
    public async Task Every_city_workbooks_burden_sheet_shows_the_figures_of_the_burden_route()
    {
        var period = UniqueMonth();
        var villages = host.Villages();
        foreach (var village in villages.Take(6))
        {
            await StoreAsync(village, Period.Parse(period), ValueOrigin.Prefilled, DateTimeOffset.UtcNow);
        }

        foreach (var village in villages.Skip(3).Take(8))
        {
            await PostAsync(village, period);
        }

        var city = host.Orgs.Root;
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{city.Code}/burden/{period}", host.Token(city.Code, "viewer"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var api = await ReadJsonAsync(response);
        Assert.True(api.GetProperty("entriesTyped").GetInt64() > 0);

        var templates = host.Bundle().Templates.Where(t => t.PeriodKind == PeriodKind.Month && t.AudienceLevels.Contains(OrgLevel.City)).Take(4).ToList();
        Assert.True(templates.Count >= 2);
        foreach (var template in templates)
        {
            using var build = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{city.Code}/reports/{period}/{template.Id}/build", host.Token(city.Code, "admin"));
            Assert.True(build.IsSuccessStatusCode, $"{template.Id}: {build.StatusCode}");
            using var workbook = await DownloadAsync(city, period, template.Id);
            var sheet = workbook.Workbook.Worksheets["减负统计"];
            var figures = Enumerable.Range(4, 11).ToDictionary(r => sheet.Cells[r, 1].Text, r => Convert.ToDecimal(sheet.Cells[r, 2].Value, CultureInfo.InvariantCulture), StringComparer.Ordinal);

            Assert.Equal(api.GetProperty("villagesCounted").GetInt32(), figures["纳入统计的村（社区）数"]);
            Assert.Equal(api.GetProperty("entriesAskedSeparately").GetInt64(), figures["分别填报合计项数"]);
            Assert.Equal(api.GetProperty("entriesTyped").GetInt64(), figures["村（社区）实际填写项数"]);
            Assert.Equal(api.GetProperty("entriesPrefilled").GetInt64(), figures["预填或上期带入项数"]);
            Assert.Equal(api.GetProperty("reductionRatio").GetDecimal(), figures["减负比例（1−实际填写÷分别填报）"]);
            Assert.Equal(api.GetProperty("prefilledShare").GetDecimal(), figures["预填占比"]);
        }
    }

    private static string Mark(string status) => status switch
    {
        "reported" => "已报",
        "late" => "迟报",
        _ => "未报",
    };

    private async Task<JsonElement> GetStatusAsync(Org org)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{org.Code}/status/{Quarter}", host.Token(org.Code, "viewer"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadJsonAsync(response);
    }

    private async Task PostAsync(Org village, string period)
    {
        var values = host.TypedValues(village, period, seed: 11);
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code), Json(new { values }));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{village.Code} {period}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Values written through the store port with a chosen receipt time, as a submission or a push-down at that time would be.</summary>
    private async Task StoreAsync(Org village, Period period, ValueOrigin origin, DateTimeOffset at)
    {
        var catalog = host.Bundle().Catalog;
        var raw = origin == ValueOrigin.Prefilled
            ? SyntheticValues.GeneratePrefilled(catalog, village, period, seed: 11)
            : host.TypedValues(village, period.ToString(), seed: 11);
        var values = new SubmissionValidator(catalog).Validate([.. raw.Select(kv => new RawValue(kv.Key, kv.Value))], new Dictionary<string, FieldValue>(), period.Kind).Values;
        Assert.NotEmpty(values);
        await host.Services.GetRequiredService<IFieldValueStore>().MergeAsync(new MergeRequest(
            village.Code, period, $"T-{origin}-{village.Code}", origin, values, ContentHash.Compute(values), null, origin == ValueOrigin.Prefilled ? "seed" : "json", at));
    }

    private async Task<ExcelPackage> DownloadAsync(Org org, string period, string template)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{org.Code}/reports/{period}/{template}", host.Token(org.Code, "viewer"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new ExcelPackage(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
    }
}
