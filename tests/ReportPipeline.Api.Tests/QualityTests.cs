using System.Globalization;
using System.Net;
using System.Text.Json;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Quality;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

/// <summary>Quality checks that warn: the receipt's warnings, the clerk's explanations, and GET …/quality/{period}.</summary>
[Collection(PipelineHostCollection.Name)]
public sealed class QualityTests(PipelineHostFixture host)
{
    private const string Field = "pop_resident";
    private const string Explanation = "本月辖区新建安置小区，整体迁入约三百户";

    /// <summary>Two consecutive months (the collection runs its tests one at a time, so nobody takes a month in between).</summary>
    private static (string Previous, string Current) TwoMonths()
    {
        var previous = UniqueMonth();
        var current = UniqueMonth();
        Assert.Equal(Period.Parse(previous), Period.Parse(current).Previous());
        return (previous, current);
    }

    /// <summary>Last month's values, then this month's with <see cref="Field"/> up by half (its threshold is ±20 %).</summary>
    private async Task<(Org Village, string Period, Dictionary<string, string> Values, decimal Last)> JumpAsync(int villageIndex)
    {
        var village = host.Villages()[villageIndex];
        var (previous, current) = TwoMonths();
        var last = host.TypedValues(village, previous, seed: 31);
        using (var first = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{previous}", host.Token(village.Code), Json(new { values = last })))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        var lastValue = decimal.Parse(last[Field], CultureInfo.InvariantCulture);
        var values = host.TypedValues(village, current, seed: 31);
        values[Field] = Math.Max(lastValue + 10, Math.Round(lastValue * 1.5m)).ToString(CultureInfo.InvariantCulture);
        return (village, current, values, lastValue);
    }

    private static JsonElement? WarningOn(JsonElement body, string field, string code) =>
        body.GetProperty("warnings").EnumerateArray()
            .Where(w => w.GetProperty("field").GetString() == field && w.GetProperty("code").GetString() == code)
            .Select(w => (JsonElement?)w)
            .FirstOrDefault();

    [Fact]
    public async Task A_jump_against_last_period_is_accepted_with_a_warning_naming_both_values_and_the_explanation_is_kept()
    {
        var (village, period, values, last) = await JumpAsync(villageIndex: 3);
        var path = $"/api/orgs/{village.Code}/submissions/{period}";

        using var warned = await host.SendAsync(HttpMethod.Post, path, host.Token(village.Code), Json(new { values }));
        using var explained = await host.SendAsync(HttpMethod.Post, path, host.Token(village.Code),
            Json(new { values, explanations = new Dictionary<string, string> { [Field] = Explanation } }));

        Assert.Equal(HttpStatusCode.Created, warned.StatusCode);
        var warning = WarningOn(await ReadJsonAsync(warned), Field, "quality_change") ?? throw new Xunit.Sdk.XunitException("no quality_change warning");
        Assert.Contains(values[Field], warning.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(last.ToString(CultureInfo.InvariantCulture), warning.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(!warning.TryGetProperty("explanation", out var none) || none.ValueKind == JsonValueKind.Null);

        // Same numbers, now with an explanation: new content, stored, and the receipt says which warning it answers.
        Assert.Equal(HttpStatusCode.Created, explained.StatusCode);
        var confirmed = await ReadJsonAsync(explained);
        Assert.False(confirmed.GetProperty("replay").GetBoolean());
        Assert.Equal(Explanation, WarningOn(confirmed, Field, "quality_change")!.Value.GetProperty("explanation").GetString());

        var township = village.ParentCode!;
        using var quality = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township}/quality/{period}", host.Token(township, "viewer"));
        Assert.Equal(HttpStatusCode.OK, quality.StatusCode);
        var flag = (await ReadJsonAsync(quality)).GetProperty("flags").EnumerateArray()
            .Single(f => f.GetProperty("org").GetString() == village.Code && f.GetProperty("field").GetString() == Field && f.GetProperty("code").GetString() == "quality_change");
        Assert.Equal(decimal.Parse(values[Field], CultureInfo.InvariantCulture), flag.GetProperty("value").GetDecimal());
        Assert.Equal(last, flag.GetProperty("previous").GetDecimal());
        Assert.Equal(Explanation, flag.GetProperty("explanation").GetString());
    }

    /// <summary>
    /// A quarterly workbook reads 户籍人口 (a monthly field) at the quarter's end; its change rule must compare it with the
    /// previous quarter's end (June against September), not with the previous quarter's own partition, which holds no
    /// monthly field — the flag the monthly workbook raises for the same value.
    /// </summary>
    [Fact]
    public async Task A_quarterly_workbook_flags_a_jump_in_a_monthly_field_against_the_previous_quarters_end()
    {
        const string Registered = "pop_resident";
        var village = host.Villages()[12];
        var district = host.Orgs.Ancestors(village.Code).Single(o => o.Level == OrgLevel.District);
        var june = host.TypedValues(village, "2039-06", seed: 41);
        var september = host.TypedValues(village, "2039-09", seed: 41);
        var last = decimal.Parse(june[Registered], CultureInfo.InvariantCulture);
        september[Registered] = Math.Round(last * 1.5m).ToString(CultureInfo.InvariantCulture);
        foreach (var (month, values) in new[] { ("2039-06", june), ("2039-09", september) })
        {
            using var sent = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{month}", host.Token(village.Code), Json(new { values }));
            Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync());
        }

        var admin = host.Token(host.Orgs.Root.Code, "admin");
        using (var built = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{district.Code}/reports/2039-Q3/tjj_population_quarterly/build", admin))
        {
            Assert.True(built.IsSuccessStatusCode, await built.Content.ReadAsStringAsync());
        }

        using var download = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{district.Code}/reports/2039-Q3/tjj_population_quarterly", host.Token(district.Code, "viewer"));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        using var package = new OfficeOpenXml.ExcelPackage(new MemoryStream(await download.Content.ReadAsByteArrayAsync()));
        var sheet = package.Workbook.Worksheets["数据质量"];
        var rows = Enumerable.Range(1, sheet.Dimension.End.Row)
            .Select(r => string.Join("|", Enumerable.Range(1, sheet.Dimension.End.Column).Select(c => sheet.Cells[r, c].Text)))
            .ToList();
        Assert.Contains(rows, r => r.Contains(village.Code, StringComparison.Ordinal) && r.Contains("常住人口", StringComparison.Ordinal)
            && r.Contains(june[Registered], StringComparison.Ordinal) && r.Contains(september[Registered], StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_overlong_explanation_or_one_without_its_value_is_refused_quoted_short_and_nothing_is_stored()
    {
        var (village, period, values, _) = await JumpAsync(villageIndex: 4);
        var path = $"/api/orgs/{village.Code}/submissions/{period}";
        var essay = string.Concat(Enumerable.Repeat("说明", QualityExplanations.MaxLength));

        using var tooLong = await host.SendAsync(HttpMethod.Post, path, host.Token(village.Code),
            Json(new { values, explanations = new Dictionary<string, string> { [Field] = essay } }));
        using var orphan = await host.SendAsync(HttpMethod.Post, path, host.Token(village.Code),
            Json(new { values, explanations = new Dictionary<string, string> { ["births_not_sent"] = "无" } }));
        using var stored = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/values/{period}", host.Token(village.Code));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooLong.StatusCode);
        var error = (await ReadJsonAsync(tooLong)).GetProperty("errors").EnumerateArray().Single();
        Assert.Equal((QualityExplanations.TooLong, Field), (error.GetProperty("code").GetString(), error.GetProperty("field").GetString()));
        Assert.DoesNotContain(essay, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, orphan.StatusCode);
        Assert.Contains((await ReadJsonAsync(orphan)).GetProperty("errors").EnumerateArray(), e => e.GetProperty("code").GetString() == QualityExplanations.WithoutValue);
        Assert.Equal(0, (await ReadJsonAsync(stored)).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task The_quality_route_is_for_viewers_and_admins_of_the_org_or_an_ancestor_only()
    {
        var village = host.Villages()[0];
        var township = host.Orgs.Get(village.ParentCode!);
        var district = township.ParentCode!;
        var sibling = host.Townships().First(t => t.ParentCode == district && t.Code != township.Code);
        var period = UniqueMonth();
        var path = $"/api/orgs/{township.Code}/quality/{period}";

        async Task<HttpStatusCode> As(string org, string role)
        {
            using var response = await host.SendAsync(HttpMethod.Get, path, host.Token(org, role));
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await As(township.Code, "viewer"));
        Assert.Equal(HttpStatusCode.OK, await As(district, "viewer"));
        Assert.Equal(HttpStatusCode.OK, await As(district, "admin"));
        Assert.Equal(HttpStatusCode.Forbidden, await As(village.Code, "submitter"));
        Assert.Equal(HttpStatusCode.Forbidden, await As(township.Code, "submitter"));
        Assert.Equal(HttpStatusCode.Forbidden, await As(sibling.Code, "viewer"));
        using var anonymous = await host.SendAsync(HttpMethod.Get, path, token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
