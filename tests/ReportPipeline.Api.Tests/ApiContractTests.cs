using System.Net;
using System.Text.Json.Nodes;

namespace ReportPipeline.Api.Tests;

/// <summary>The local host generates its contract from its route table; the committed document must be that one.</summary>
[Collection(PipelineHostCollection.Name)]
public sealed class ApiContractTests(PipelineHostFixture host)
{
    [Fact]
    public async Task The_local_host_serves_the_committed_openapi_document_without_a_token()
    {
        using var response = await host.SendAsync(HttpMethod.Get, "/api/openapi.json", token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var live = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "openapi.json")));
        Assert.True(JsonNode.DeepEquals(live, committed),
            "docs/openapi.json differs from what the local host generates: run `dotnet run --project functions/ReportPipeline.LocalHost -- openapi` and commit it.");
        Assert.Equal("3.1.1", live!["openapi"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_api_reference_page_is_served_by_the_local_host()
    {
        using var response = await host.SendAsync(HttpMethod.Get, "/api/reference/", token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("api/openapi.json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Its inline configuration is allowed on this page only; the web app keeps the strict policy.
        Assert.Contains("'unsafe-inline'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        using var app = await host.SendAsync(HttpMethod.Get, "/", token: null);
        Assert.DoesNotContain("unsafe-inline", app.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ReportPipeline.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ReportPipeline.sln not found above the test's folder.");
    }
}
