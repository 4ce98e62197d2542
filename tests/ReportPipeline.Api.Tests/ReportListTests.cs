using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

/// <summary><c>GET /api/orgs/{org}/reports/{period}</c>: the office's workbooks with built time and the pending-rebuild flag.</summary>
[Collection(PipelineHostCollection.Name)]
public sealed class ReportListTests(PipelineHostFixture host)
{
    [Fact]
    public async Task The_list_names_every_template_of_the_period_kind_for_the_level_and_none_is_built_at_first()
    {
        var township = host.Townships()[2];
        var period = UniqueMonth();

        var list = await ListAsync(township, period);

        var expected = host.Bundle().Templates
            .Where(t => t.PeriodKind == PeriodKind.Month && t.AudienceLevels.Contains(OrgLevel.Township))
            .Select(t => t.Id).Order(StringComparer.Ordinal).ToList();
        var items = list.GetProperty("workbooks").EnumerateArray().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, items.Select(i => i.GetProperty("template").GetString()!).Order(StringComparer.Ordinal).ToList());
        Assert.All(items, i =>
        {
            Assert.Equal(JsonValueKind.Null, i.GetProperty("built").ValueKind);
            Assert.True(i.GetProperty("pending").GetBoolean());
            Assert.False(string.IsNullOrEmpty(i.GetProperty("title").GetString()));
        });
        Assert.Equal(0, list.GetProperty("built").GetInt32());
    }

    [Fact]
    public async Task Pending_turns_true_after_a_village_below_reports_and_false_after_the_build_the_builder_would_not_skip()
    {
        var township = host.Townships()[2];
        var otherTownship = host.Townships()[0];
        var village = host.Orgs.Villages(township.Code).First();
        var period = UniqueMonth();
        var template = host.Bundle().Templates.First(t => t.PeriodKind == PeriodKind.Month && t.AudienceLevels.Contains(OrgLevel.Township));
        var consolidation = host.Services.GetRequiredService<ConsolidationService>();

        using (var built = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{township.Code}/reports/{period}/{template.Id}/build", host.Token(township.Code, "admin")))
        {
            Assert.Equal(HttpStatusCode.OK, built.StatusCode);
        }

        var afterBuild = Item(await ListAsync(township, period), template.Id);
        Assert.NotEqual(JsonValueKind.Null, afterBuild.GetProperty("built").ValueKind);
        Assert.True(afterBuild.GetProperty("size").GetInt64() > 0);
        Assert.False(afterBuild.GetProperty("pending").GetBoolean());

        // A village of another township changes nothing here.
        await SubmitAsync(host.Orgs.Villages(otherTownship.Code).First(), period);
        Assert.False(Item(await ListAsync(township, period), template.Id).GetProperty("pending").GetBoolean());

        await SubmitAsync(village, period);
        var afterSubmission = Item(await ListAsync(township, period), template.Id);
        Assert.True(afterSubmission.GetProperty("pending").GetBoolean());
        Assert.Equal(afterBuild.GetProperty("built").GetDateTimeOffset(), afterSubmission.GetProperty("built").GetDateTimeOffset());

        // The same rule as the builder's: pending means a build without force is not skipped, and after it nothing is pending.
        var rebuilt = await consolidation.BuildAsync(template, township.Code, Period.Parse(period), force: false, CancellationToken.None);
        Assert.Equal(BuildOutcome.Built, rebuilt.Outcome);
        Assert.False(Item(await ListAsync(township, period), template.Id).GetProperty("pending").GetBoolean());
        var again = await consolidation.BuildAsync(template, township.Code, Period.Parse(period), force: false, CancellationToken.None);
        Assert.Equal(BuildOutcome.Skipped, again.Outcome);
    }

    [Fact]
    public async Task Offices_above_may_read_the_list_and_another_township_or_a_village_clerk_may_not()
    {
        var township = host.Townships()[2];
        var period = UniqueMonth();
        var path = $"/api/orgs/{township.Code}/reports/{period}";

        using var own = await host.SendAsync(HttpMethod.Get, path, host.Token(township.Code, "viewer"));
        using var district = await host.SendAsync(HttpMethod.Get, path, host.Token(township.ParentCode!, "viewer"));
        using var other = await host.SendAsync(HttpMethod.Get, path, host.Token(host.Townships()[0].Code, "viewer"));
        using var clerk = await host.SendAsync(HttpMethod.Get, path, host.Token(host.Orgs.Villages(township.Code).First().Code));
        using var anonymous = await host.SendAsync(HttpMethod.Get, path, null);
        using var badPeriod = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{township.Code}/reports/2026-13", host.Token(township.Code, "viewer"));

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.OK, district.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, clerk.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badPeriod.StatusCode);
    }

    private async Task<JsonElement> ListAsync(Org org, string period)
    {
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{org.Code}/reports/{period}", host.Token(org.Code, "viewer"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadJsonAsync(response);
    }

    private static JsonElement Item(JsonElement list, string template) =>
        list.GetProperty("workbooks").EnumerateArray().Single(i => i.GetProperty("template").GetString() == template);

    private async Task SubmitAsync(Org village, string period)
    {
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code),
            Json(new { values = host.TypedValues(village, period, seed: 5) }));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
