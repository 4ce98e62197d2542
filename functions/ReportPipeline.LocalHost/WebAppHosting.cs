using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace ReportPipeline.LocalHost;

/// <summary>
/// Serves the web app (the bundle <c>scripts/bootstrap.sh</c> builds into <c>web/dist</c>) at <c>/</c>, beside the
/// contract's routes under <c>/api</c>, with security headers on every response.
/// </summary>
public static class WebAppHosting
{
    /// <summary>Setting <c>WebApp__Root</c>: the folder holding <c>index.html</c>; found from the repository layout when empty.</summary>
    public const string RootSetting = "WebApp:Root";

    /// <summary>
    /// No inline script or style, nothing from another origin: the bundle is self-contained, so anything else that
    /// tries to run (an injected script, a framed page) is refused by the browser itself.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Adds the headers and, when the bundle is found, the static files. Call before the routes are mapped.</summary>
    public static void UseWebApp(WebApplication app)
    {
        app.Use(static (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
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
