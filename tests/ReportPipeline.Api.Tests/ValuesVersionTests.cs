using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.LocalHost.Commands;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// No lost update: a submission says which version of the values it was prepared from (If-Match with the ETag of
/// GET …/values/{period}, or the version the form workbook records) and is refused with 412 when they changed since.
/// </summary>
[Collection(PipelineHostCollection.Name)]
public sealed class ValuesVersionTests(PipelineHostFixture host)
{
    [Fact]
    public async Task A_submission_prepared_from_values_changed_since_gets_412_with_what_changed_writes_nothing_and_succeeds_when_sent_again_with_the_new_etag()
    {
        var (village, period, values) = await ReportedAsync(5);
        var token = host.Token(village.Code);
        var (seen, _) = await ReadValuesAsync(village, period);

        // Meanwhile a CSV (no If-Match: accepted as before) changes two fields.
        using (var csv = await host.SendAsync(HttpMethod.Post, Submissions(village, period), token,
            new StringContent("编号,本期数值\r\npop_resident,5300\r\npop_floating_in,2060\r\n", Encoding.UTF8, "text/csv")))
        {
            Assert.Equal(HttpStatusCode.Created, csv.StatusCode);
        }

        var (afterCsv, _) = await ReadValuesAsync(village, period);
        // The clerk's form still shows the old two values and changes a third.
        var mine = new Dictionary<string, string>(values) { ["pop_floating_out"] = "777" };
        using var refused = await host.SendAsync(HttpMethod.Post, Submissions(village, period), token, Json(new { values = mine }), r => r.Headers.IfMatch.ParseAdd(seen));

        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(afterCsv, refused.Headers.ETag?.ToString());
        var problem = await ReadJsonAsync(refused);
        Assert.EndsWith("/values-changed", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("本次提交未保存任何数据", detail, StringComparison.Ordinal);
        Assert.Contains("常住人口：已保存 5300人", detail, StringComparison.Ordinal);
        Assert.Equal(afterCsv, $"\"{problem.GetProperty("currentVersion").GetString()}\"");
        var changed = problem.GetProperty("changed").EnumerateArray().ToDictionary(c => c.GetProperty("field").GetString()!);
        Assert.Equal(["pop_floating_in", "pop_resident"], changed.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("5300", changed["pop_resident"].GetProperty("value").GetString());
        Assert.Equal("5200", changed["pop_resident"].GetProperty("submitted").GetString());
        Assert.Equal("常住人口", changed["pop_resident"].GetProperty("name").GetString());
        Assert.Equal("2060", changed["pop_floating_in"].GetProperty("value").GetString());

        var (unchanged, stored) = await ReadValuesAsync(village, period);
        Assert.Equal(afterCsv, unchanged);
        Assert.Equal(values["pop_floating_out"], stored["pop_floating_out"]);
        Assert.Equal("5300", stored["pop_resident"]);

        // The clerk takes the newer two and keeps the own change: sent again with the ETag of the 412.
        var resolved = new Dictionary<string, string>(mine) { ["pop_resident"] = "5300", ["pop_floating_in"] = "2060" };
        using var accepted = await host.SendAsync(HttpMethod.Post, Submissions(village, period), token, Json(new { values = resolved }),
            r => r.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(refused.Headers.ETag!.ToString())));
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.Equal(1, (await ReadJsonAsync(accepted)).GetProperty("changed").GetInt32());
        var (_, final) = await ReadValuesAsync(village, period);
        Assert.Equal(("5300", "2060", "777"), (final["pop_resident"], final["pop_floating_in"], final["pop_floating_out"]));
    }

    [Fact]
    public async Task Without_if_match_a_submission_is_applied_as_before()
    {
        var (village, period, values) = await ReportedAsync(6);
        var (seen, _) = await ReadValuesAsync(village, period);
        using (var other = await host.SendAsync(HttpMethod.Post, Submissions(village, period), host.Token(village.Code), Json(new { values = new { pop_resident = "5300" } })))
        {
            Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        }

        using var response = await host.SendAsync(HttpMethod.Post, Submissions(village, period), host.Token(village.Code), Json(new { values }));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var (now, stored) = await ReadValuesAsync(village, period);
        Assert.NotEqual(seen, now);
        Assert.Equal("5200", stored["pop_resident"]);
    }

    [Theory]
    [InlineData("S2026")]
    [InlineData("W/\"1764300000000-S1\"")]
    [InlineData("\"not a version\"")]
    [InlineData("\"1764300000000-S1\", \"1764300000001-S2\"")]
    public async Task A_malformed_if_match_is_refused_with_400_before_anything_is_read(string ifMatch)
    {
        var village = host.Villages()[7];
        using var response = await host.SendAsync(HttpMethod.Post, Submissions(village, UniqueMonth()), host.Token(village.Code),
            Json(new { values = new { pop_resident = "5200" } }), r => r.Headers.TryAddWithoutValidation("If-Match", ifMatch));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.EndsWith("/bad-if-match", (await ReadJsonAsync(response)).GetProperty("type").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_workbook_is_checked_against_the_version_it_records_and_an_explicit_if_match_wins()
    {
        var (village, period, values) = await ReportedAsync(8);
        var token = host.Token(village.Code);
        using var form = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/form/{period}", token);
        var (recorded, _) = await ReadValuesAsync(village, period);
        var workbook = DemoCommand.FillForm(await form.Content.ReadAsByteArrayAsync(), new Dictionary<string, string>(values) { ["pop_floating_out"] = "777" });
        using (var other = await host.SendAsync(HttpMethod.Post, Submissions(village, period), token, Json(new { values = new { pop_resident = "5300" } })))
        {
            Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        }

        using var stale = await host.SendAsync(HttpMethod.Post, Submissions(village, period), token, Workbook(workbook));

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        var problem = await ReadJsonAsync(stale);
        var changed = problem.GetProperty("changed").EnumerateArray().Single();
        Assert.Equal(("pop_resident", "5300", "5200"), (changed.GetProperty("field").GetString(), changed.GetProperty("value").GetString(), changed.GetProperty("submitted").GetString()));
        var (_, stored) = await ReadValuesAsync(village, period);
        Assert.Equal(values["pop_floating_out"], stored["pop_floating_out"]);

        // The workbook as downloaded is accepted while nothing changed, and the same stale file is accepted when the
        // sender says, with If-Match, that it has seen the newer values.
        using var overridden = await host.SendAsync(HttpMethod.Post, Submissions(village, period), token, Workbook(workbook),
            r => r.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(stale.Headers.ETag!.ToString())));
        Assert.Equal(HttpStatusCode.Created, overridden.StatusCode);
        Assert.NotEqual(recorded, (await ReadValuesAsync(village, period)).Version);
        Assert.Equal("777", (await ReadValuesAsync(village, period)).Values["pop_floating_out"]);
    }

    [Fact]
    public async Task A_form_downloaded_and_uploaded_with_no_change_in_between_is_accepted()
    {
        var (village, period, values) = await ReportedAsync(9);
        var token = host.Token(village.Code);
        using var form = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/form/{period}", token);
        var workbook = DemoCommand.FillForm(await form.Content.ReadAsByteArrayAsync(), new Dictionary<string, string>(values) { ["pop_floating_out"] = "777" });

        using var response = await host.SendAsync(HttpMethod.Post, Submissions(village, period), token, Workbook(workbook));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static string Submissions(Org village, string period) => $"/api/orgs/{village.Code}/submissions/{period}";

    private static ByteArrayContent Workbook(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        return content;
    }

    /// <summary>A village that has reported a month with 常住人口 5200 and 流入人口 2050.</summary>
    private async Task<(Org Village, string Period, Dictionary<string, string> Values)> ReportedAsync(int index)
    {
        var village = host.Villages()[index];
        var period = UniqueMonth();
        var values = host.TypedValues(village, period, seed: 40 + index);
        values["pop_resident"] = "5200";
        values["pop_floating_in"] = "2050";
        values["pop_registered"] = "5000";
        using var response = await host.SendAsync(HttpMethod.Post, Submissions(village, period), host.Token(village.Code), Json(new { values }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (village, period, values);
    }

    /// <summary>The ETag (as sent, quoted) and the stored values by field; the body's version agrees with the ETag.</summary>
    private async Task<(string Version, Dictionary<string, string> Values)> ReadValuesAsync(Org village, string period)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/values/{period}", host.Token(village.Code));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        var body = await ReadJsonAsync(response);
        Assert.Equal(etag.ToString(), $"\"{body.GetProperty("version").GetString()}\"");
        return (etag.ToString(), body.GetProperty("values").EnumerateArray().ToDictionary(v => v.GetProperty("field").GetString()!, v => v.GetProperty("value").GetString()!));
    }
}
