using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.LocalHost;

namespace ReportPipeline.Web.Tests;

[Collection(BrowserCollection.Name)]
public sealed class DevelopmentSignInTests(BrowserHostFixture host)
{
    [Fact]
    public async Task The_development_sign_in_mints_a_token_the_api_accepts_for_the_chosen_org_and_role()
    {
        var village = host.Villages()[0];
        using var search = await host.Http.GetAsync($"{DevelopmentSignIn.OrgsRoute}?q={Uri.EscapeDataString(village.Name)}");
        Assert.Contains(village.Code, await search.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var minted = await host.Http.PostAsync(DevelopmentSignIn.TokenRoute, BrowserHostFixture.Json($$"""{"org":"{{village.Code}}","role":"submitter"}"""));
        var token = System.Text.Json.JsonDocument.Parse(await minted.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        using var own = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{village.Code}/values/2026-11", token);
        using var other = await host.SendAsync(HttpMethod.Get, $"/api/orgs/{host.Villages()[1].Code}/values/2026-11", token);

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
    }

    [Fact]
    public async Task With_real_auth_settings_the_development_sign_in_routes_do_not_exist()
    {
        var port = System.Net.Sockets.TcpListener.Create(0);
        port.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)port.LocalEndpoint).Port}";
        port.Stop();
        await using var runtime = await LocalHostRuntime.CreateAsync([], address, runWorkers: false,
            configure: c => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ReportStorage"] = host.Runtime.App.Configuration["ReportStorage"],
                ["Auth:SigningKey"] = DevelopmentKeys.Generate(),
                ["Auth:Issuer"] = "https://issuer.example/",
                ["Auth:Audience"] = "reportpipeline-api",
            }),
            minimumLevel: LogLevel.Warning);
        await runtime.App.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        using var orgs = await http.GetAsync(DevelopmentSignIn.OrgsRoute + "?q=");
        using var token = await http.PostAsync(DevelopmentSignIn.TokenRoute, BrowserHostFixture.Json("""{"org":"500229001001","role":"admin"}"""));
        using var app = await http.GetAsync("/");

        Assert.Equal(HttpStatusCode.NotFound, orgs.StatusCode);
        Assert.Contains(token.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed });
        Assert.Equal(HttpStatusCode.OK, app.StatusCode);
        await runtime.App.StopAsync();
    }
}
