using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Options;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.LocalHost;

/// <summary>
/// What the web app is told at <c>/config.json</c>: how it signs in — <c>development</c> (the development sign-in page),
/// <c>entra</c> (MSAL with the client id, authority and API scope), or <c>none</c> (real auth without a web client) —
/// and the pipeline's time zone (an IANA name), in which the pages show every time.
/// </summary>
/// <remarks>Written without its empty members, as <c>web/hosting.mjs</c> writes it for Static Web Apps.</remarks>
public sealed record WebAppConfig(
    string SignIn,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Authority = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Scopes = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null)
{
    /// <summary>The display clock's zone (<c>Pipeline__TimeZone</c>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TimeZone { get; init; }

    public const string Development = "development";
    public const string Entra = "entra";
    public const string None = "none";
}

/// <summary>
/// Serves the web app (the bundle <c>scripts/bootstrap.sh</c> builds into <c>web/dist</c>) at <c>/</c>, beside the
/// contract's routes under <c>/api</c>, with security headers on every response, and its sign-in settings at
/// <c>/config.json</c>.
/// </summary>
public static class WebAppHosting
{
    /// <summary>Setting <c>WebApp__Root</c>: the folder holding <c>index.html</c>; found from the repository layout when empty.</summary>
    public const string RootSetting = "WebApp:Root";

    /// <summary>Setting <c>WebApp__ClientId</c>: the Entra ID single-page application's client id.</summary>
    public const string ClientIdSetting = "WebApp:ClientId";

    /// <summary>Setting <c>WebApp__ApiScope</c>: the delegated scope of the API, e.g. <c>api://reportpipeline/access_as_user</c>.</summary>
    public const string ApiScopeSetting = "WebApp:ApiScope";

    /// <summary>Setting <c>WebApp__Authority</c>: MSAL's authority; empty means <c>Auth__Authority</c> without its <c>/v2.0</c>.</summary>
    public const string AuthoritySetting = "WebApp:Authority";

    public const string ConfigPath = "/config.json";

    /// <summary>
    /// <c>web/hosting.json</c>, embedded: the policy and headers the web app is served with, which <c>web/build.mjs</c>
    /// also writes into Static Web Apps' configuration, so the two hosts send the same. No inline script or style, nothing
    /// from another origin but the sign-in authority: the bundle is self-contained, so anything else that tries to run (an
    /// injected script, a framed page) is refused by the browser itself.
    /// </summary>
    private static readonly Lazy<HostingFile> s_hosting = new(HostingFile.Load);

    /// <summary>
    /// The API reference page (<see cref="ApiContract.ReferencePath"/>, Scalar) configures itself with one inline module
    /// script and inline styles; it reads only this origin's document and holds no user data, so inline code is allowed
    /// there and nowhere else.
    /// </summary>
    public const string ApiReferencePolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The policy for a sign-in: with Entra ID, MSAL reads the authority's metadata and redeems the code with fetch
    /// (connect-src) and renews silently in a hidden frame (frame-src), so the authority's origin stands in the file's
    /// <c>{signInOrigin}</c>; scripts still come from this origin only.
    /// </summary>
    public static string ContentSecurityPolicyFor(WebAppConfig signIn)
    {
        ArgumentNullException.ThrowIfNull(signIn);
        var origin = signIn.SignIn == WebAppConfig.Entra && Uri.TryCreate(signIn.Authority, UriKind.Absolute, out var authority)
            ? authority.GetLeftPart(UriPartial.Authority)
            : "";
        return string.Join("; ", s_hosting.Value.ContentSecurityPolicy.Select(d => d.Replace("{signInOrigin}", origin, StringComparison.Ordinal).Trim()));
    }

    /// <summary>Every header sent with the web app (and the API) for a sign-in: the policy and the file's other headers.</summary>
    public static IReadOnlyDictionary<string, string> SecurityHeadersFor(WebAppConfig signIn)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Security-Policy"] = ContentSecurityPolicyFor(signIn) };
        foreach (var (name, value) in s_hosting.Value.Headers)
        {
            headers[name] = value;
        }

        return headers;
    }

    private sealed record HostingFile(IReadOnlyList<string> ContentSecurityPolicy, IReadOnlyDictionary<string, string> Headers)
    {
        public static HostingFile Load()
        {
            using var stream = typeof(WebAppHosting).Assembly.GetManifestResourceStream("hosting.json")
                ?? throw new InvalidOperationException("web/hosting.json is not embedded in the local host.");
            return JsonSerializer.Deserialize<HostingFile>(stream, JsonSerializerOptions.Web)
                ?? throw new InvalidOperationException("web/hosting.json is empty.");
        }
    }

    /// <summary>The sign-in the page should offer, from the auth settings and the <c>WebApp</c> section.</summary>
    public static WebAppConfig SignInFor(AuthOptions auth, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(auth);
        ArgumentNullException.ThrowIfNull(configuration);
        if (auth.DevelopmentTokens)
        {
            return new WebAppConfig(WebAppConfig.Development);
        }

        var clientId = configuration[ClientIdSetting]?.Trim();
        var scope = configuration[ApiScopeSetting]?.Trim();
        var authority = configuration[AuthoritySetting]?.Trim();
        if (string.IsNullOrEmpty(authority) && !string.IsNullOrWhiteSpace(auth.Authority))
        {
            // Entra's token issuer ends in /v2.0; MSAL wants the tenant's authority without it.
            authority = auth.Authority.Trim().TrimEnd('/');
            authority = authority.EndsWith("/v2.0", StringComparison.OrdinalIgnoreCase) ? authority[..^"/v2.0".Length] : authority;
        }

        return string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(scope) || !Uri.TryCreate(authority, UriKind.Absolute, out _)
            ? new WebAppConfig(WebAppConfig.None, Message: "本环境尚未配置网页登录（WebApp__ClientId、WebApp__ApiScope 与 Auth__Authority），请联系管理员。")
            : new WebAppConfig(WebAppConfig.Entra, clientId, authority, [scope]);
    }

    /// <summary>Adds the headers and, when the bundle is found, the static files. Call before the routes are mapped.</summary>
    public static void UseWebApp(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Reading the pipeline's options sets the display clock, whose zone the page shows times in.
        _ = app.Services.GetRequiredService<IOptions<PipelineOptions>>().Value;
        var signIn = SignInFor(app.Services.GetRequiredService<IOptions<AuthOptions>>().Value, app.Configuration) with { TimeZone = DisplayClock.IanaId };
        var security = SecurityHeadersFor(signIn);
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            foreach (var (name, value) in security)
            {
                headers[name] = value;
            }

            if (context.Request.Path.StartsWithSegments(ApiContract.ReferencePath, StringComparison.Ordinal))
            {
                headers.ContentSecurityPolicy = ApiReferencePolicy;
            }

            // Ahead of the static files, so that a config.json left in web/dist by a Static Web Apps build is not served here.
            if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Equals(ConfigPath, StringComparison.Ordinal))
            {
                headers.CacheControl = "no-cache";
                return Results.Json(signIn).ExecuteAsync(context);
            }

            return next(context);
        });

        var root = FindRoot(app.Configuration);
        var logger = app.Services.GetService(typeof(ILoggerFactory)) is ILoggerFactory factory
            ? factory.CreateLogger("ReportPipeline.LocalHost.WebApp")
            : null;
        if (root is null)
        {
            logger?.LogWarning("Web app bundle not found (web/dist/index.html); run scripts/bootstrap.sh to build it");
            app.MapGet("/", () => Results.Content(
                "<!doctype html><meta charset=\"utf-8\"><title>一表通</title><p>网页尚未构建：请在仓库根目录运行 <code>bash scripts/bootstrap.sh</code>，然后重新启动 serve。</p>",
                "text/html; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable));
            return;
        }

        logger?.LogDebug("Serving the web app from {WebRoot}", root);
        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            // index.html names the bundle without a hash, so it must be revalidated; a stale app against a newer API
            // would show wrong forms.
            OnPrepareResponse = static context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
    }

    /// <summary>The bundle folder: the setting, else <c>web/dist</c> in the working directory or above the executable.</summary>
    public static string? FindRoot(IConfiguration configuration)
    {
        var configured = configuration[RootSetting];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(Path.Combine(configured, "index.html")) ? Path.GetFullPath(configured) : null;
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "web", "dist");
                if (File.Exists(Path.Combine(candidate, "index.html")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
