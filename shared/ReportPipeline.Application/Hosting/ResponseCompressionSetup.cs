using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection;

namespace ReportPipeline.Application.Hosting;

/// <summary>
/// ASP.NET Core's response compression, configured once for both hosts: Brotli, then gzip, for JSON, problem+json,
/// script, style, HTML and SVG (never for workbooks, which are zip files already). The local host runs it as middleware;
/// the Functions app runs the same middleware around each function's result (<see cref="ExecuteCompressedAsync"/>).
/// </summary>
public static class ResponseCompressionSetup
{
    public static IReadOnlyList<string> MimeTypes { get; } =
        [.. ResponseCompressionDefaults.MimeTypes, "application/problem+json", "image/svg+xml", "application/manifest+json"];

    public static IServiceCollection AddPipelineResponseCompression(this IServiceCollection services)
    {
        services.AddResponseCompression(options =>
        {
            // The answers carry no secret an attacker could recover through compression side channels (BREACH needs
            // attacker-chosen text reflected beside a secret in the same body); bearer tokens travel in headers.
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = MimeTypes;
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        return services;
    }

    /// <summary>Runs <paramref name="next"/> behind ASP.NET Core's compression middleware (for hosts without a middleware pipeline).</summary>
    public static Task ExecuteCompressedAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        var provider = context.RequestServices.GetRequiredService<IResponseCompressionProvider>();
        return new ResponseCompressionMiddleware(next, provider).Invoke(context);
    }
}
