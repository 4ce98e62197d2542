using System.Net;
using System.Text.Json;
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
        var config = JsonDocument.Parse(await http.GetStringAsync(WebAppHosting.ConfigPath)).RootElement;

        Assert.Equal(HttpStatusCode.NotFound, orgs.StatusCode);
        Assert.Contains(token.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed });
        Assert.Equal(HttpStatusCode.OK, app.StatusCode);
        // A signing key without a web client: no development page, and the page is told that nobody set up its sign-in.
        Assert.Equal(WebAppConfig.None, config.GetProperty("signIn").GetString());
        await runtime.App.StopAsync();
    }

    [Fact]
    public async Task The_development_host_tells_the_page_to_use_the_development_sign_in()
    {
        var config = JsonDocument.Parse(await host.Http.GetStringAsync(WebAppHosting.ConfigPath)).RootElement;

        Assert.Equal(WebAppConfig.Development, config.GetProperty("signIn").GetString());
        Assert.False(config.TryGetProperty("clientId", out _));
    }

    [Fact]
    public async Task With_entra_settings_the_page_gets_the_msal_config_and_signs_in_by_redirect_with_pkce_and_no_development_page()
    {
        const string Tenant = "11111111-2222-3333-4444-555555555555";
        const string ClientId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
        const string Scope = "api://reportpipeline/access_as_user";
        const string Login = "https://login.microsoftonline.com";
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

        using var orgs = await http.GetAsync(DevelopmentSignIn.OrgsRoute + "?q=");
        using var configResponse = await http.GetAsync(WebAppHosting.ConfigPath);
        var config = JsonDocument.Parse(await configResponse.Content.ReadAsStringAsync()).RootElement;
        var csp = string.Join(";", configResponse.Headers.GetValues("Content-Security-Policy"));

        Assert.Equal(HttpStatusCode.NotFound, orgs.StatusCode);
        Assert.Equal(WebAppConfig.Entra, config.GetProperty("signIn").GetString());
        Assert.Equal(ClientId, config.GetProperty("clientId").GetString());
        Assert.Equal($"{Login}/{Tenant}", config.GetProperty("authority").GetString());
        Assert.Equal(Scope, config.GetProperty("scopes")[0].GetString());
        Assert.Contains($"connect-src 'self' {Login}", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);

        // In the browser: Entra ID stands in as routed answers (no network here); the page offers only the Entra
        // sign-in, and signing in navigates to the authorize endpoint with this client, the API scope, the redirect
        // bridge page and a PKCE challenge. The metadata fetches pass the policy only because it names the authority.
        var context = await host.Browser.NewContextAsync(new Microsoft.Playwright.BrowserNewContextOptions { Locale = "zh-CN" });
        await context.RouteAsync($"{Login}/**", route =>
        {
            var url = route.Request.Url;
            var headers = new Dictionary<string, string> { ["Access-Control-Allow-Origin"] = "*" };
            if (url.Contains("/discovery/instance", StringComparison.Ordinal))
            {
                return route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Headers = headers, Body = JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["tenant_discovery_endpoint"] = $"{Login}/{Tenant}/v2.0/.well-known/openid-configuration",
                    ["api-version"] = "1.1",
                    ["metadata"] = new[] { new { preferred_network = "login.microsoftonline.com", preferred_cache = "login.windows.net", aliases = new[] { "login.microsoftonline.com", "login.windows.net" } } },
                }) });
            }

            if (url.Contains("openid-configuration", StringComparison.Ordinal))
            {
                return route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Headers = headers, Body = JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["authorization_endpoint"] = $"{Login}/{Tenant}/oauth2/v2.0/authorize",
                    ["token_endpoint"] = $"{Login}/{Tenant}/oauth2/v2.0/token",
                    ["end_session_endpoint"] = $"{Login}/{Tenant}/oauth2/v2.0/logout",
                    ["issuer"] = $"{Login}/{Tenant}/v2.0",
                    ["jwks_uri"] = $"{Login}/{Tenant}/discovery/v2.0/keys",
                }) });
            }

            return route.FulfillAsync(new() { Status = 200, ContentType = "text/html; charset=utf-8", Body = "<!doctype html><title>Entra ID</title><p>sign-in</p>" });
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(address + "/");

        await Microsoft.Playwright.Assertions.Expect(page.Locator("#entra-signin")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("#org-search").CountAsync());
        await page.ClickAsync("#entra-signin");
        await page.WaitForURLAsync($"{Login}/{Tenant}/oauth2/v2.0/authorize**");

        var query = System.Web.HttpUtility.ParseQueryString(new Uri(page.Url).Query);
        Assert.Equal(ClientId, query["client_id"]);
        Assert.Contains(Scope, query["scope"]!.Split(' '));
        Assert.Equal(address + "/redirect.html", query["redirect_uri"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.False(string.IsNullOrEmpty(query["code_challenge"]));

        // Nothing of the sign-in was kept where every tab and a later user would find it.
        await page.GotoAsync(address + "/");
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#entra-signin")).ToBeVisibleAsync();
        Assert.Equal(0, await page.EvaluateAsync<int>("localStorage.length"));
        await context.CloseAsync();
        await runtime.App.StopAsync();
    }
}
