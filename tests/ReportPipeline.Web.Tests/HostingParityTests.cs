using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using ReportPipeline.LocalHost;

namespace ReportPipeline.Web.Tests;

/// <summary>
/// The two hosts of the web app send the same headers and the same <c>/config.json</c>: the local host from its
/// settings, Static Web Apps from what <c>web/build.mjs</c> writes with <c>web/hosting.mjs</c> from the build's
/// environment — both renderings of <c>web/hosting.json</c>.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class HostingParityTests(BrowserHostFixture host)
{
    private const string Login = "https://login.microsoftonline.com";
    private const string Tenant = "11111111-2222-3333-4444-555555555555";
    private const string ClientId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private const string Scope = "api://reportpipeline/access_as_user";

    [Fact]
    public async Task Static_web_apps_would_send_the_headers_the_local_host_sends_without_entra_sign_in()
    {
        var staticHost = (await StaticWebAppsAsync(new JsonObject()))[0]!;
        using var app = await host.Http.GetAsync("/");
        using var api = await host.Http.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, app.StatusCode);
        AssertSameHeaders(staticHost["headers"]!.AsObject(), app);
        AssertSameHeaders(staticHost["headers"]!.AsObject(), api);
        Assert.Null(staticHost["config"]);
    }

    [Fact]
    public async Task With_entra_sign_in_static_web_apps_would_send_the_headers_and_config_the_local_host_sends()
    {
        var staticHost = (await StaticWebAppsAsync(new JsonObject
        {
            ["WEBAPP_CLIENT_ID"] = ClientId,
            ["WEBAPP_AUTHORITY"] = $"{Login}/{Tenant}",
            ["WEBAPP_API_SCOPE"] = Scope,
            ["PIPELINE_TIME_ZONE"] = "Asia/Shanghai",
        }))[0]!;
        var port = System.Net.Sockets.TcpListener.Create(0);
        port.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)port.LocalEndpoint).Port}";
        port.Stop();
        await using var runtime = await LocalHostRuntime.CreateAsync([], address, runWorkers: false,
            configure: c => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ReportStorage"] = host.Runtime.App.Configuration["ReportStorage"],
                ["Auth:Authority"] = $"{Login}/{Tenant}/v2.0",
                ["Auth:Audience"] = "api://reportpipeline",
                ["WebApp:ClientId"] = ClientId,
                ["WebApp:ApiScope"] = Scope,
            }),
            minimumLevel: LogLevel.Warning);
        await runtime.App.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        using var app = await http.GetAsync("/");
        using var config = await http.GetAsync(WebAppHosting.ConfigPath);
        var served = JsonNode.Parse(await config.Content.ReadAsStringAsync());

        AssertSameHeaders(staticHost["headers"]!.AsObject(), app);
        Assert.Contains($"frame-src 'self' {Login}", staticHost["headers"]!["Content-Security-Policy"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(staticHost["config"], served), $"Static Web Apps: {staticHost["config"]?.ToJsonString()}; local host: {served?.ToJsonString()}");
        await runtime.App.StopAsync();
    }

    /// <summary>Security headers either host might send: one that only one of them sends is a difference too.</summary>
    private static readonly string[] s_securityHeaders =
        ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options", "Permissions-Policy", "Strict-Transport-Security"];

    private static void AssertSameHeaders(JsonObject staticHost, HttpResponseMessage response)
    {
        foreach (var name in s_securityHeaders.Union(staticHost.Select(h => h.Key), StringComparer.OrdinalIgnoreCase))
        {
            var local = response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
            Assert.True(staticHost[name]?.GetValue<string>() == local, $"{name}: Static Web Apps '{staticHost[name]}', local host '{local}'.");
        }
    }

    private static Task<JsonArray> StaticWebAppsAsync(params JsonObject[] environments) =>
        ParityScript.RunAsync("hosting-parity.mjs", Path.Combine("..", "hosting.mjs"), new JsonArray([.. environments]).ToJsonString());
}
