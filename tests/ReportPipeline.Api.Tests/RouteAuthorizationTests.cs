using System.Net;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// Role × org relation × route, through the real host. The expected answers are written out here, not derived from
/// the policy: "denied" must be 403, "allowed" must be anything but 401/403.
/// </summary>
[Collection(PipelineHostCollection.Name)]
public sealed class RouteAuthorizationTests(PipelineHostFixture host)
{
    public enum Relation
    {
        Self,
        Parent,
        City,
        Sibling,
        OtherTownship,
    }

    public enum Route
    {
        Form,
        Submit,
        Values,
        Status,
    }

    // Target: a village. The caller's org relates to it as given.
    [Theory]
    [InlineData("submitter", Relation.Self, Route.Form, true)]
    [InlineData("submitter", Relation.Self, Route.Submit, true)]
    [InlineData("submitter", Relation.Self, Route.Values, true)]
    [InlineData("submitter", Relation.Self, Route.Status, true)]
    [InlineData("submitter", Relation.Sibling, Route.Form, false)]
    [InlineData("submitter", Relation.Sibling, Route.Submit, false)]
    [InlineData("submitter", Relation.Sibling, Route.Values, false)]
    [InlineData("submitter", Relation.Parent, Route.Submit, false)]
    [InlineData("viewer", Relation.Self, Route.Values, true)]
    [InlineData("viewer", Relation.Self, Route.Submit, false)]
    [InlineData("viewer", Relation.Parent, Route.Form, true)]
    [InlineData("viewer", Relation.Parent, Route.Values, true)]
    [InlineData("viewer", Relation.Parent, Route.Status, true)]
    [InlineData("viewer", Relation.Parent, Route.Submit, false)]
    [InlineData("viewer", Relation.City, Route.Values, true)]
    [InlineData("viewer", Relation.OtherTownship, Route.Values, false)]
    [InlineData("viewer", Relation.OtherTownship, Route.Form, false)]
    [InlineData("viewer", Relation.Sibling, Route.Values, false)]
    [InlineData("admin", Relation.City, Route.Values, true)]
    [InlineData("admin", Relation.Parent, Route.Submit, true)]
    [InlineData("admin", Relation.OtherTownship, Route.Values, false)]
    public async Task Access_follows_role_and_org_relation(string role, Relation relation, Route route, bool allowed)
    {
        var townships = host.Townships();
        var village = host.Orgs.Villages(townships[0].Code).First();
        var callerOrg = relation switch
        {
            Relation.Self => village.Code,
            Relation.Parent => townships[0].Code,
            Relation.City => host.Orgs.Root.Code,
            Relation.Sibling => host.Orgs.Villages(townships[0].Code).Skip(1).First().Code,
            _ => townships[1].Code,
        };

        using var response = await CallAsync(route, village.Code, host.Token(callerOrg, role));

        if (allowed)
        {
            Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Theory]
    [InlineData(Route.Form)]
    [InlineData(Route.Submit)]
    [InlineData(Route.Values)]
    [InlineData(Route.Status)]
    public async Task No_token_or_a_forged_one_is_401(Route route)
    {
        var village = host.Villages()[0];
        using var none = await CallAsync(route, village.Code, null);
        using var forged = await CallAsync(route, village.Code, host.Token(village.Code)[..^4] + "AAAA");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Contains("Bearer", none.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_needs_no_token_and_reports_storage_reachable()
    {
        using var response = await host.SendAsync(HttpMethod.Get, "/api/health", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("reachable", (await ReadJsonAsync(response)).GetProperty("storage").GetString());
    }

    private async Task<HttpResponseMessage> CallAsync(Route route, string village, string? token)
    {
        var period = UniqueMonth();
        return route switch
        {
            Route.Form => await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village}/form/{period}", token),
            Route.Submit => await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village}/submissions/{period}", token, Json(new { values = new Dictionary<string, string>() })),
            Route.Values => await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village}/values/{period}", token),
            _ => await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village}/status/{period}", token),
        };
    }
}
