using System.Globalization;
using System.Net;
using System.Text.Json;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

/// <summary><c>GET orgs/{org}/series/{field}</c>: the office's chart data in one request, aggregated as the workbooks do.</summary>
[Collection(PipelineHostCollection.Name)]
public sealed class SeriesTests(PipelineHostFixture host)
{
    private const string Additive = "pop_resident";

    [Fact]
    public async Task A_series_gives_each_child_its_stored_values_and_the_office_their_sums_and_recomputes_ratios()
    {
        var township = host.Townships()[1];
        var villages = host.Orgs.Villages(township.Code).OrderBy(o => o.Code, StringComparer.Ordinal).Take(3).ToList();
        // Two consecutive months nobody else uses (the collection runs its tests one at a time).
        var first = UniqueMonth();
        var second = UniqueMonth();
        Assert.Equal(Period.Parse(first), Period.Parse(second).Previous());
        var sent = new Dictionary<(string Org, string Period), Dictionary<string, string>>();
        foreach (var (village, period) in new[] { (villages[0], first), (villages[1], first), (villages[0], second), (villages[2], second) })
        {
            var values = host.TypedValues(village, period, seed: 41);
            sent[(village.Code, period)] = values;
            using var submitted = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code), Json(new { values }));
            Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        }

        decimal? Sent(Org village, string period, string field) =>
            sent.TryGetValue((village.Code, period), out var v) && v.TryGetValue(field, out var text) ? decimal.Parse(text, CultureInfo.InvariantCulture) : null;

        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/series/{Additive}?to={second}&periods=2", host.Token(township.Code, "viewer"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ReadJsonAsync(response);
        Assert.Equal([first, second], body.GetProperty("periods").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(Period.Parse(second).ToDisplayString(), body.GetProperty("labels")[1].GetString());
        var children = body.GetProperty("children").EnumerateArray().ToDictionary(c => c.GetProperty("org").GetString()!);
        Assert.Equal(host.Orgs.Children(township.Code).Count, children.Count);
        foreach (var village in villages)
        {
            Assert.Equal([Sent(village, first, Additive), Sent(village, second, Additive)], Numbers(children[village.Code]));
        }

        // The office: the sum over the villages that reported; the one that did not is not counted (and not zero).
        Assert.Equal(
            [Sent(villages[0], first, Additive) + Sent(villages[1], first, Additive), Sent(villages[0], second, Additive) + Sent(villages[2], second, Additive)],
            Numbers(body.GetProperty("self")));
        Assert.Equal([2, 2], body.GetProperty("self").GetProperty("reported").EnumerateArray().Select(r => r.GetInt32()));

        // One level up: the district's line for this township is the same sums.
        using var district = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.ParentCode}/series/{Additive}?to={second}&periods=2", host.Token(township.ParentCode!, "viewer"));
        var ofTownship = (await ReadJsonAsync(district)).GetProperty("children").EnumerateArray().Single(c => c.GetProperty("org").GetString() == township.Code);
        Assert.Equal(Numbers(body.GetProperty("self")), Numbers(ofTownship));

        // A ratio is recomputed from the summed parts, never summed: percent(disputes_resolved, disputes_received).
        using var ratio = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/series/dispute_resolution_rate?to={second}&periods=2", host.Token(township.Code, "viewer"));
        var ratioBody = await ReadJsonAsync(ratio);
        var resolved = Sent(villages[0], first, "disputes_resolved")!.Value + Sent(villages[1], first, "disputes_resolved")!.Value;
        var received = Sent(villages[0], first, "disputes_received")!.Value + Sent(villages[1], first, "disputes_received")!.Value;
        Assert.Equal(received == 0 ? null : resolved / received * 100, Numbers(ratioBody.GetProperty("self"))[0]);
    }

    [Fact]
    public async Task A_series_outside_the_callers_subtree_is_refused_and_bad_arguments_are_explained_in_chinese()
    {
        var township = host.Townships()[0];
        var other = host.Townships()[1];
        var period = UniqueMonth();
        var token = host.Token(township.Code, "viewer");

        using var outside = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{other.Code}/series/{Additive}?to={period}", token);
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        using var clerk = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/series/{Additive}?to={period}", host.Token(township.Code, "submitter"));
        Assert.Equal(HttpStatusCode.Forbidden, clerk.StatusCode);

        using var tooMany = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/series/{Additive}?to={period}&periods=25", token);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("1 到 24", (await ReadJsonAsync(tooMany)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var unknown = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/series/no_such_field?to={period}", token);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var wrongKind = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/series/{Additive}?to=2040", token);
        Assert.Equal(HttpStatusCode.BadRequest, wrongKind.StatusCode);
        Assert.Contains("按月", (await ReadJsonAsync(wrongKind)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var noPeriod = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/series/{Additive}", token);
        Assert.Equal(HttpStatusCode.BadRequest, noPeriod.StatusCode);

        // A text field has no number at any level.
        var text = host.Bundle().Catalog.Fields.First(f => f.Type == FieldType.Text);
        var textPeriod = text.Frequency switch { PeriodKind.Month => period, PeriodKind.Quarter => "2040-Q1", _ => "2040" };
        using var textSeries = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/series/{text.Id}?to={textPeriod}&periods=1", token);
        Assert.Equal(HttpStatusCode.OK, textSeries.StatusCode);
        Assert.All(Numbers((await ReadJsonAsync(textSeries)).GetProperty("self")), Assert.Null);
    }

    private static List<decimal?> Numbers(JsonElement line) =>
        [.. line.GetProperty("values").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (decimal?)null : v.GetDecimal())];
}
