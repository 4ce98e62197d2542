using Microsoft.AspNetCore.Http;

namespace ReportPipeline.Application.Http;

/// <summary>
/// The OpenAPI 3.1 document of every route, as committed in <c>docs/openapi.json</c>. The local host generates it from
/// its route table (Microsoft.AspNetCore.OpenApi) and a test fails when the committed copy differs; the Functions app,
/// which has no route table of its own to describe, serves this copy at the same path.
/// </summary>
public static class ApiContractDocument
{
    public const string ResourceName = "ReportPipeline.openapi.json";

    private static readonly Lazy<byte[]> s_document = new(() =>
    {
        using var stream = typeof(ApiContractDocument).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The resource {ResourceName} is missing from the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>The committed document's bytes (UTF-8 JSON).</summary>
    public static ReadOnlyMemory<byte> Bytes => s_document.Value;

    /// <summary><c>GET /api/openapi.json</c>: public, like the contract it describes; cacheable for an hour.</summary>
    public static IResult Get(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.CacheControl = "public, max-age=3600";
        return Results.Bytes(s_document.Value, "application/json; charset=utf-8");
    }
}
