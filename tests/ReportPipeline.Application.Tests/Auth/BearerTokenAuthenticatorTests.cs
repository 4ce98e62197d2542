using ReportPipeline.Application.Auth;
using static ReportPipeline.Application.Tests.Auth.AuthTestContext;

namespace ReportPipeline.Application.Tests.Auth;

public sealed class BearerTokenAuthenticatorTests
{
    private readonly ManualClock _clock = new(Start);
    private readonly AuthOptions _options = TestOptions();

    private BearerTokenAuthenticator Authenticator() => AuthTestContext.Authenticator(_options, _clock);

    private string Mint(string org = FakeOrgHierarchy.Village, string[]? roles = null, string? dept = null, TimeSpan? lifetime = null) =>
        TokenIssuer(_options, _clock).Mint(org, roles ?? [RoleNames.Submitter], dept, lifetime ?? TimeSpan.FromHours(1), "clerk-1");

    private Task<AuthenticationOutcome> AuthenticateAsync(string? authorization) =>
        Authenticator().AuthenticateAsync(Request(authorization), CancellationToken.None);

    [Fact]
    public async Task A_minted_token_gives_the_caller_its_org_roles_dept_and_subject()
    {
        var token = Mint(roles: [RoleNames.Viewer, RoleNames.Admin], dept: "mz");

        var outcome = await AuthenticateAsync($"Bearer {token}");

        Assert.True(outcome.Succeeded, outcome.Reason);
        Assert.Equal(new CallerIdentity("clerk-1", FakeOrgHierarchy.Village, CallerRoles.Viewer | CallerRoles.Admin, "mz"), outcome.Caller);
    }

    [Fact]
    public async Task An_app_role_with_the_department_prefix_names_the_callers_department()
    {
        var token = Mint(roles: [RoleNames.Viewer, "dept.gaj"]);

        var outcome = await AuthenticateAsync($"Bearer {token}");

        Assert.True(outcome.Succeeded, outcome.Reason);
        Assert.Equal("gaj", outcome.Caller!.Dept);
        Assert.Equal(CallerRoles.Viewer, outcome.Caller.Roles);
    }

    [Fact]
    public async Task A_token_naming_two_departments_is_refused()
    {
        var token = Mint(roles: [RoleNames.Viewer, "dept.gaj"], dept: "mz");

        var outcome = await AuthenticateAsync($"Bearer {token}");

        Assert.False(outcome.Succeeded);
        Assert.Contains("多个部门", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_bearer_scheme_is_matched_without_regard_to_case()
    {
        var outcome = await AuthenticateAsync($"bearer {Mint()}");

        Assert.True(outcome.Succeeded, outcome.Reason);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task A_request_without_a_bearer_token_is_missing_a_token(string? header)
    {
        var outcome = await AuthenticateAsync(header);

        Assert.Equal(AuthenticationFailure.MissingToken, outcome.Failure);
        Assert.Null(outcome.Caller);
        Assert.Contains("未携带", outcome.Reason);
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Bearer garbage")]
    [InlineData("Bearer a.b.c")]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9.%%%.sig")]
    public async Task Garbage_in_the_header_is_malformed(string header)
    {
        var outcome = await AuthenticateAsync(header);

        Assert.Equal(AuthenticationFailure.Malformed, outcome.Failure);
    }

    [Fact]
    public async Task An_oversized_token_is_refused_as_malformed()
    {
        var outcome = await AuthenticateAsync("Bearer " + new string('a', 20_000) + ".b.c");

        Assert.Equal(AuthenticationFailure.Malformed, outcome.Failure);
    }

    [Fact]
    public async Task Two_authorization_headers_are_refused()
    {
        var request = Request(null);
        request.Headers.Authorization = new Microsoft.Extensions.Primitives.StringValues([$"Bearer {Mint()}", $"Bearer {Mint()}"]);

        var outcome = await Authenticator().AuthenticateAsync(request, CancellationToken.None);

        Assert.Equal(AuthenticationFailure.Malformed, outcome.Failure);
    }

    [Fact]
    public async Task A_token_past_its_expiry_and_the_clock_skew_is_expired()
    {
        var token = Mint(lifetime: TimeSpan.FromHours(1));
        _clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(61));

        var outcome = await AuthenticateAsync($"Bearer {token}");

        Assert.Equal(AuthenticationFailure.Expired, outcome.Failure);
        Assert.Contains("已过期", outcome.Reason);
    }

    [Fact]
    public async Task A_token_just_past_its_expiry_but_within_the_clock_skew_is_accepted()
    {
        var token = Mint(lifetime: TimeSpan.FromHours(1));
        _clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(30));

        var outcome = await AuthenticateAsync($"Bearer {token}");

        Assert.True(outcome.Succeeded, outcome.Reason);
    }

    [Fact]
    public async Task A_token_issued_for_the_future_is_not_yet_valid()
    {
        var future = new ManualClock(Start.AddHours(2));
        var token = TokenIssuer(_options, future).Mint(FakeOrgHierarchy.Village, [RoleNames.Submitter], null, TimeSpan.FromHours(1));

        var outcome = await AuthenticateAsync($"Bearer {token}");

        Assert.Equal(AuthenticationFailure.NotYetValid, outcome.Failure);
    }

    [Fact]
    public async Task A_token_without_expiry_is_refused()
    {
        var token = SignedToken(_options.SigningKey, Claims(FakeOrgHierarchy.Village, RoleNames.Viewer), Start, lifetime: null);

        var outcome = await AuthenticateAsync($"Bearer {token}");

        Assert.Equal(AuthenticationFailure.NoExpiry, outcome.Failure);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_has_a_bad_signature()
    {
        var token = TokenIssuer(TestOptions(), _clock).Mint(FakeOrgHierarchy.Village, [RoleNames.Admin], null, TimeSpan.FromHours(1));

        var outcome = await AuthenticateAsync($"Bearer {token}");

        Assert.Equal(AuthenticationFailure.BadSignature, outcome.Failure);
        Assert.Contains("签名无效", outcome.Reason);
    }

    [Fact]
    public async Task A_token_whose_payload_was_altered_has_a_bad_signature()
    {
        var parts = Mint(roles: [RoleNames.Submitter]).Split('.');
        var forged = SignedToken(TestOptions().SigningKey, Claims(FakeOrgHierarchy.City, RoleNames.Admin), Start, lifetime: TimeSpan.FromHours(1)).Split('.');

        var outcome = await AuthenticateAsync($"Bearer {parts[0]}.{forged[1]}.{parts[2]}");

        Assert.Equal(AuthenticationFailure.BadSignature, outcome.Failure);
    }

    [Fact]
    public async Task An_unsigned_token_is_refused()
    {
        var signed = Mint().Split('.');
        var header = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");

        var outcome = await AuthenticateAsync($"Bearer {header}.{signed[1]}.");

        Assert.False(outcome.Succeeded);
        Assert.Equal(AuthenticationFailure.BadSignature, outcome.Failure);
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_refused()
    {
        var token = SignedToken(_options.SigningKey, Claims(FakeOrgHierarchy.Village, RoleNames.Viewer), Start,
            issuer: "https://someone-else.test/", lifetime: TimeSpan.FromHours(1));

        var outcome = await AuthenticateAsync($"Bearer {token}");

        Assert.Equal(AuthenticationFailure.WrongIssuer, outcome.Failure);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused()
    {
        var token = SignedToken(_options.SigningKey, Claims(FakeOrgHierarchy.Village, RoleNames.Viewer), Start,
            audience: "another-api", lifetime: TimeSpan.FromHours(1));

        var outcome = await AuthenticateAsync($"Bearer {token}");

        Assert.Equal(AuthenticationFailure.WrongAudience, outcome.Failure);
    }

    public static TheoryData<object?> BadOrgClaims => new()
    {
        { null },
        { "" },
        { "5001030010" },
        { "50010300100a" },
        { "５００１０３００１００１" },
        { " 500103001001" },
        { new[] { FakeOrgHierarchy.Village, FakeOrgHierarchy.City } },
    };

    [Theory]
    [MemberData(nameof(BadOrgClaims))]
    public async Task A_token_without_a_single_12_digit_org_is_refused(object? org)
    {
        var claims = Claims(org, RoleNames.Submitter);
        var token = SignedToken(_options.SigningKey, claims, Start, lifetime: TimeSpan.FromHours(1));

        var outcome = await AuthenticateAsync($"Bearer {token}");

        Assert.Equal(AuthenticationFailure.InvalidOrgClaim, outcome.Failure);
        Assert.Contains("所属单位", outcome.Reason);
    }

    [Fact]
    public async Task Roles_as_a_json_array_are_all_taken()
    {
        var token = SignedToken(_options.SigningKey, Claims(FakeOrgHierarchy.Township, new[] { "viewer", "submitter", "auditor" }), Start,
            lifetime: TimeSpan.FromHours(1));

        var outcome = await AuthenticateAsync($"Bearer {token}");

        Assert.Equal(CallerRoles.Viewer | CallerRoles.Submitter, outcome.Caller?.Roles);
    }

    [Theory]
    [InlineData("submitter", CallerRoles.Submitter)]
    [InlineData("viewer", CallerRoles.Viewer)]
    [InlineData("Admin", CallerRoles.Admin)]
    public async Task A_role_as_a_single_string_is_taken(string role, CallerRoles expected)
    {
        var token = SignedToken(_options.SigningKey, Claims(FakeOrgHierarchy.Township, role), Start, lifetime: TimeSpan.FromHours(1));

        var outcome = await AuthenticateAsync($"Bearer {token}");

        Assert.Equal(expected, outcome.Caller?.Roles);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("auditor")]
    [InlineData("")]
    public async Task A_token_without_a_known_role_is_refused(string? role)
    {
        var token = SignedToken(_options.SigningKey, Claims(FakeOrgHierarchy.Township, role), Start, lifetime: TimeSpan.FromHours(1));

        var outcome = await AuthenticateAsync($"Bearer {token}");

        Assert.Equal(AuthenticationFailure.NoKnownRole, outcome.Failure);
    }

    [Fact]
    public async Task Claim_names_come_from_settings()
    {
        _options.OrgClaim = "division";
        _options.RoleClaim = "app_roles";
        var token = SignedToken(_options.SigningKey,
            new Dictionary<string, object> { ["sub"] = "x", ["division"] = FakeOrgHierarchy.District, ["app_roles"] = new[] { "viewer" } },
            Start, lifetime: TimeSpan.FromHours(1));

        var outcome = await AuthenticateAsync($"Bearer {token}");

        Assert.Equal(FakeOrgHierarchy.District, outcome.Caller?.OrgCode);
        Assert.Equal(CallerRoles.Viewer, outcome.Caller?.Roles);
    }

    private static Dictionary<string, object> Claims(object? org, object? roles)
    {
        var claims = new Dictionary<string, object> { ["sub"] = "someone" };
        if (org is not null)
        {
            claims["org"] = org;
        }

        if (roles is not null)
        {
            claims["roles"] = roles;
        }

        return claims;
    }
}
