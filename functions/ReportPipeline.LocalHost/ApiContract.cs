using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using ReportPipeline.Application.Hosting;
using Scalar.AspNetCore;

namespace ReportPipeline.LocalHost;

/// <summary>
/// The API's contract, generated from the route table (Microsoft.AspNetCore.OpenApi): served at
/// <c>GET /api/openapi.json</c> (OpenAPI 3.1) with an API reference page at <c>/api/reference</c> (Scalar). The same
/// document is committed as <c>docs/openapi.json</c> (the <c>openapi</c> verb writes it) and served by the Functions
/// app; a test fails when the two differ or a route is missing.
/// </summary>
internal static class ApiContract
{
    public const string DocumentPath = "/" + ApiRoutes.Prefix + "/" + ApiRoutes.OpenApi;
    public const string ReferencePath = "/" + ApiRoutes.Prefix + "/reference";

    private static readonly int[] s_problems =
    [
        StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden,
        StatusCodes.Status404NotFound, StatusCodes.Status503ServiceUnavailable,
    ];

    public static IServiceCollection AddApiContract(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
        options.ShouldInclude = description => description.RelativePath?.StartsWith(ApiRoutes.Prefix + "/", StringComparison.Ordinal) == true;
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "ReportPipeline 一表通 API",
                Version = "1",
                Description = "村（社区）一表通填报、校验、汇总与治理的接口。除 /api/health、/api/openapi.json 外均须 Authorization: Bearer <JWT>（声明 org、roles，可选 dept）；错误以 application/problem+json 返回中文说明。",
            };
            // The document must not depend on where it was generated: no server address.
            document.Servers = [];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "Entra ID（或本地开发密钥）签发的访问令牌，声明 org（12 位行政区划代码）、roles（submitter / viewer / admin）、可选 dept（部门代码）。",
            };
            // The document's own route (MapOpenApi leaves itself out): both hosts serve it, so the contract lists it.
            document.Paths ??= [];
            document.Paths[DocumentPath] = new OpenApiPathItem
            {
                Operations = new Dictionary<HttpMethod, OpenApiOperation>
                {
                    [HttpMethod.Get] = new() { Summary = "本接口说明（OpenAPI 3.1，无需令牌）" },
                },
            };
            return Task.CompletedTask;
        });
    });

    public static void MapApiContract(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath);
        app.MapScalarApiReference(ReferencePath, options => options.WithOpenApiRoutePattern(DocumentPath).WithTitle("ReportPipeline 一表通 API"));
    }

    /// <summary>A route's place in the contract: its feature, what it does, its query parameters and the problems it answers.</summary>
    public static RouteHandlerBuilder Describe(this RouteHandlerBuilder route, string tag, string summary, params (string Name, string Description)[] query)
    {
        route.WithTags(tag).WithSummary(summary);
        foreach (var status in s_problems)
        {
            route.ProducesProblem(status);
        }

        if (query.Length > 0)
        {
            route.AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Parameters ??= [];
                foreach (var (name, description) in query)
                {
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = name,
                        In = ParameterLocation.Query,
                        Required = false,
                        Description = description,
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    });
                }

                return Task.CompletedTask;
            });
        }

        return route;
    }
}
