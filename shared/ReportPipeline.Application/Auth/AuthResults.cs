using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace ReportPipeline.Application.Auth;

/// <summary>
/// Turns authentication and access failures into RFC 7807 <c>application/problem+json</c> results with a Chinese
/// <c>detail</c>. 401s carry an RFC 6750 <c>WWW-Authenticate</c> challenge; its <c>error_description</c> is plain
/// ASCII English because HTTP servers refuse non-ASCII header values.
/// </summary>
public static class AuthResults
{
    public const string Realm = "reportpipeline";

    public static IResult Unauthorized(AuthenticationOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Succeeded)
        {
            throw new ArgumentException("A successful authentication is not a failure.", nameof(outcome));
        }

        var code = Code(outcome.Failure);
        if (outcome.Failure == AuthenticationFailure.KeysUnavailable)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "暂时无法验证身份", outcome.Reason, code);
        }

        // RFC 6750 §3.1: a request without credentials gets a bare challenge, no error code.
        var challenge = outcome.Failure == AuthenticationFailure.MissingToken
            ? $"Bearer realm=\"{Realm}\""
            : $"Bearer realm=\"{Realm}\", error=\"invalid_token\", error_description=\"{DescribeInEnglish(outcome.Failure)}\"";

        return new BearerChallengeResult(challenge, Problem(StatusCodes.Status401Unauthorized, "未通过身份验证", outcome.Reason, code));
    }

    /// <summary>403 for <see cref="AccessOutcome.Forbidden"/>, 404 for <see cref="AccessOutcome.NotFound"/>.</summary>
    public static IResult Forbidden(AccessDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Outcome switch
        {
            AccessOutcome.Forbidden => Problem(StatusCodes.Status403Forbidden, "无权访问", decision.Reason, "forbidden"),
            AccessOutcome.NotFound => Problem(StatusCodes.Status404NotFound, "未找到该单位", decision.Reason, "org_not_found"),
            _ => throw new ArgumentException("An allowed decision is not a failure.", nameof(decision)),
        };
    }

    /// <summary>Through the one factory: a <c>type</c> named after the failure, and the failure's <c>code</c> kept for clients that read it.</summary>
    private static IResult Problem(int status, string title, string detail, string code) =>
        Http.Problems.Problem(status, title, detail, code.Replace('_', '-'), new Dictionary<string, object?> { ["code"] = code });

    private static string Code(AuthenticationFailure failure) => failure switch
    {
        AuthenticationFailure.MissingToken => "missing_token",
        AuthenticationFailure.Malformed => "malformed_token",
        AuthenticationFailure.Expired => "token_expired",
        AuthenticationFailure.NotYetValid => "token_not_yet_valid",
        AuthenticationFailure.NoExpiry => "token_without_expiry",
        AuthenticationFailure.BadSignature => "bad_signature",
        AuthenticationFailure.WrongIssuer => "wrong_issuer",
        AuthenticationFailure.WrongAudience => "wrong_audience",
        AuthenticationFailure.InvalidOrgClaim => "invalid_org_claim",
        AuthenticationFailure.NoKnownRole => "no_known_role",
        AuthenticationFailure.KeysUnavailable => "signing_keys_unavailable",
        _ => "invalid_token",
    };

    private static string DescribeInEnglish(AuthenticationFailure failure) => failure switch
    {
        AuthenticationFailure.Malformed => "The token is malformed",
        AuthenticationFailure.Expired => "The token expired",
        AuthenticationFailure.NotYetValid => "The token is not valid yet",
        AuthenticationFailure.NoExpiry => "The token has no expiry",
        AuthenticationFailure.BadSignature => "The signature is invalid",
        AuthenticationFailure.WrongIssuer => "The issuer is not trusted",
        AuthenticationFailure.WrongAudience => "The audience is invalid",
        AuthenticationFailure.InvalidOrgClaim => "The org claim is missing or not a 12-digit code",
        AuthenticationFailure.NoKnownRole => "The token has no known role",
        _ => "The token is invalid",
    };

    /// <summary>Adds the challenge header, then writes the problem body.</summary>
    private sealed class BearerChallengeResult(string challenge, IResult problem) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => StatusCodes.Status401Unauthorized;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            httpContext.Response.Headers[HeaderNames.WWWAuthenticate] = challenge;
            return problem.ExecuteAsync(httpContext);
        }
    }
}
