using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.LocalHost;

/// <summary>
/// The web app's development sign-in: search the org registry and mint a development token for a chosen org and role.
/// Mapped only while this host mints development tokens (no <c>Auth__Authority</c>, and either no key configured or
/// <c>Auth__DevelopmentTokens=true</c>); with real auth settings these routes do not exist at all, and they answer
/// only callers on this machine.
/// </summary>
public static class DevelopmentSignIn
{
    public const string OrgsRoute = "/dev-auth/orgs";
    public const string TokenRoute = "/dev-auth/token";

    private const int MaxResults = 30;
    private const int MaxQueryLength = 40;
    private static readonly TimeSpan s_lifetime = TimeSpan.FromHours(8);

    public sealed record OrgHit(string Code, string Name, string Level, string? Parent);

    public sealed record TokenAnswer(string Token, string Org, string OrgName, string Level, string Role, DateTimeOffset ExpiresAt);

    /// <summary>Maps the routes when development tokens are enabled; returns whether it did.</summary>
    public static bool MapIfEnabled(WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.DevelopmentTokens)
        {
            return false;
        }

        var group = app.MapGroup("").AddEndpointFilter(static async (context, next) =>
            IsLocal(context.HttpContext.Connection)
                ? await next(context)
                : Results.NotFound());
        group.MapGet(OrgsRoute, SearchAsync);
        group.MapPost(TokenRoute, MintAsync);
        return true;
    }

    private static async Task<IResult> SearchAsync(string? q, ReferenceData reference, CancellationToken cancellationToken)
    {
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var query = (q ?? "").Trim();
        if (query.Length > MaxQueryLength)
        {
            query = query[..MaxQueryLength];
        }

        // Without a query the upper levels come first: they are few, and a tester usually starts from one of them.
        var hits = orgs.All
            .Where(o => query.Length == 0
                ? o.Level != OrgLevel.Village
                : o.Code.StartsWith(query, StringComparison.Ordinal) || o.Name.Contains(query, StringComparison.Ordinal))
            .OrderBy(o => o.Level)
            .ThenBy(o => o.Code, StringComparer.Ordinal)
            .Take(MaxResults)
            .Select(o => new OrgHit(o.Code, o.Name, OrgRegistry.LevelName(o.Level), o.ParentCode is { } p && orgs.TryGet(p, out var parent) ? parent.Name : null))
            .ToList();
        return Results.Json(new { count = hits.Count, orgs = hits });
    }

    private static async Task<IResult> MintAsync(
        HttpRequest request, ReferenceData reference, DevelopmentTokenIssuer issuer, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        string? org = null;
        string? role = null;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                org = document.RootElement.TryGetProperty("org", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
                role = document.RootElement.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            }
        }
        catch (JsonException)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "请求格式不对", detail: "请求体应为 {\"org\": 行政区划代码, \"role\": \"submitter\"|\"viewer\"|\"admin\"}。");
        }

        var orgs = await reference.GetOrgsAsync(cancellationToken);
        if (org is null || !orgs.TryGet(org, out var target))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "单位不存在",
                detail: $"行政区划代码“{UserText.Excerpt(org ?? "")}”不在单位名录中，请从搜索结果中选择。");
        }

        if (role is not (RoleNames.Submitter or RoleNames.Viewer or RoleNames.Admin))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "角色不对",
                detail: "角色只能是 submitter（填报）、viewer（查看）或 admin（管理）。");
        }

        var token = issuer.Mint(target.Code, [role], null, s_lifetime);
        loggers.CreateLogger("ReportPipeline.LocalHost.DevelopmentSignIn").LogInformation("Development sign-in for {Org} as {Role}", target.Code, role);
        return Results.Json(new TokenAnswer(token, target.Code, target.Name, OrgRegistry.LevelName(target.Level), role, time.GetUtcNow() + s_lifetime));
    }

    private static bool IsLocal(ConnectionInfo connection) =>
        connection.RemoteIpAddress is null || IPAddress.IsLoopback(connection.RemoteIpAddress);
}
