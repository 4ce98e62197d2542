namespace ReportPipeline.Application.Auth;

/// <summary>Why a request was not authenticated.</summary>
public enum AuthenticationFailure
{
    None = 0,
    /// <summary>No <c>Authorization: Bearer</c> header (or another scheme).</summary>
    MissingToken,
    /// <summary>The header or the token is not a well-formed JWT.</summary>
    Malformed,
    Expired,
    NotYetValid,
    /// <summary>The token has no <c>exp</c>.</summary>
    NoExpiry,
    /// <summary>Signed with another key, unsigned, or with an algorithm we do not accept.</summary>
    BadSignature,
    WrongIssuer,
    WrongAudience,
    /// <summary>No <c>org</c> claim, several, or not 12 digits.</summary>
    InvalidOrgClaim,
    /// <summary>No role among <c>submitter</c>, <c>viewer</c>, <c>admin</c>.</summary>
    NoKnownRole,
    /// <summary>Rejected for another reason (e.g. a token type we do not accept).</summary>
    Invalid,
    /// <summary>The OIDC metadata or keys could not be fetched: our fault, not the caller's (503).</summary>
    KeysUnavailable,
}

/// <summary>The result of authenticating a request: a caller, or a failure with a Chinese reason for the clerk.</summary>
public sealed record AuthenticationOutcome
{
    private AuthenticationOutcome(CallerIdentity? caller, AuthenticationFailure failure, string reason)
    {
        Caller = caller;
        Failure = failure;
        Reason = reason;
    }

    public CallerIdentity? Caller { get; }

    public AuthenticationFailure Failure { get; }

    /// <summary>Chinese explanation for the problem+json <c>detail</c>; empty on success.</summary>
    public string Reason { get; }

    public bool Succeeded => Caller is not null;

    public static AuthenticationOutcome Success(CallerIdentity caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return new(caller, AuthenticationFailure.None, "");
    }

    public static AuthenticationOutcome Fail(AuthenticationFailure failure, string reason)
    {
        if (failure == AuthenticationFailure.None)
        {
            throw new ArgumentOutOfRangeException(nameof(failure), "A failure needs a reason other than None.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(null, failure, reason);
    }
}
