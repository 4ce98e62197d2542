using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ReportPipeline.Application.Auth;

/// <summary>What a handler calls first: authenticate, then decide, in one line.</summary>
public interface IRequestAuthorizer
{
    /// <summary>
    /// Either the caller (and a null failure), or a ready-to-return problem result (401, 403, 404, or 503 when the
    /// authority's keys cannot be fetched) and a null caller.
    /// </summary>
    /// <example><code>
    /// var (caller, failure) = await authorizer.AuthorizeAsync(request, ApiAction.Submit, org, cancellationToken);
    /// if (failure is not null) return failure;
    /// </code></example>
    Task<(CallerIdentity? Caller, IResult? Failure)> AuthorizeAsync(
        HttpRequest request, ApiAction action, string targetOrg, CancellationToken cancellationToken);
}

public sealed class RequestAuthorizer(
    BearerTokenAuthenticator authenticator,
    AccessPolicy policy,
    ILogger<RequestAuthorizer> logger) : IRequestAuthorizer
{
    public async Task<(CallerIdentity? Caller, IResult? Failure)> AuthorizeAsync(
        HttpRequest request, ApiAction action, string targetOrg, CancellationToken cancellationToken)
    {
        var outcome = await authenticator.AuthenticateAsync(request, cancellationToken).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            return (null, AuthResults.Unauthorized(outcome));
        }

        var caller = outcome.Caller!;
        var decision = policy.Decide(caller, action, targetOrg);
        if (!decision.IsAllowed)
        {
            logger.LogInformation(
                "Denied {Action} on {TargetOrg} to {Subject} of {CallerOrg} ({Roles}): {Outcome}",
                action, targetOrg, caller.Subject, caller.OrgCode, caller.Roles, decision.Outcome);
            return (null, AuthResults.Forbidden(decision));
        }

        return (caller, null);
    }
}
