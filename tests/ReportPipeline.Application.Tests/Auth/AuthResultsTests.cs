using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using ReportPipeline.Application.Auth;
using static ReportPipeline.Application.Tests.Auth.AuthTestContext;

namespace ReportPipeline.Application.Tests.Auth;

public sealed class AuthResultsTests
{
    [Fact]
    public async Task An_expired_token_gets_401_problem_json_with_an_invalid_token_challenge()
    {
        var outcome = AuthenticationOutcome.Fail(AuthenticationFailure.Expired, "访问令牌已过期，请重新登录获取新令牌。");

        var (response, body) = await ExecuteAsync(AuthResults.Unauthorized(outcome));

        Assert.Equal(StatusCodes.Status401Unauthorized, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType);
        Assert.Equal(
            "Bearer realm=\"reportpipeline\", error=\"invalid_token\", error_description=\"The token expired\"",
            response.Headers.WWWAuthenticate.ToString());
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("访问令牌已过期，请重新登录获取新令牌。", problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal("token_expired", problem.RootElement.GetProperty("code").GetString());
        // Made by the API's one problem factory: a type under the API's problem namespace.
        Assert.Equal("https://reportpipeline.example/problems/token-expired", problem.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_request_without_a_token_gets_a_bare_bearer_challenge()
    {
        var outcome = AuthenticationOutcome.Fail(AuthenticationFailure.MissingToken, "请求未携带访问令牌。");

        var (response, _) = await ExecuteAsync(AuthResults.Unauthorized(outcome));

        Assert.Equal(StatusCodes.Status401Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"reportpipeline\"", response.Headers.WWWAuthenticate.ToString());
    }

    [Fact]
    public async Task Every_challenge_header_is_plain_ascii()
    {
        foreach (var failure in Enum.GetValues<AuthenticationFailure>().Where(f => f is not AuthenticationFailure.None))
        {
            var (response, _) = await ExecuteAsync(AuthResults.Unauthorized(AuthenticationOutcome.Fail(failure, "中文原因")));

            Assert.All(response.Headers.WWWAuthenticate.ToString(), c => Assert.True(c < 128, $"{failure}: non-ASCII header"));
        }
    }

    [Fact]
    public async Task Unavailable_signing_keys_get_503_without_a_challenge()
    {
        var outcome = AuthenticationOutcome.Fail(AuthenticationFailure.KeysUnavailable, "暂时无法验证访问令牌。");

        var (response, _) = await ExecuteAsync(AuthResults.Unauthorized(outcome));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.StatusCode);
        Assert.False(response.Headers.ContainsKey("WWW-Authenticate"));
    }

    [Fact]
    public async Task A_forbidden_decision_gets_403_problem_json_with_the_chinese_reason()
    {
        var decision = AccessDecision.Forbid("无权访问该单位数据：令牌所属单位 500103001001 不是 500103002000 的上级或本级。");

        var (response, body) = await ExecuteAsync(AuthResults.Forbidden(decision));

        Assert.Equal(StatusCodes.Status403Forbidden, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(decision.Reason, problem.RootElement.GetProperty("detail").GetString());
        Assert.Equal("无权访问", problem.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_not_found_decision_gets_404()
    {
        var (response, _) = await ExecuteAsync(AuthResults.Forbidden(AccessDecision.NotFound("单位名录中没有单位代码 500103001777。")));

        Assert.Equal(StatusCodes.Status404NotFound, response.StatusCode);
    }

    [Fact]
    public void An_allowed_decision_is_not_turned_into_a_failure()
    {
        Assert.Throws<ArgumentException>(() => AuthResults.Forbidden(AccessDecision.Allow));
    }

    [Fact]
    public async Task The_authorizer_returns_the_caller_when_allowed_and_a_403_when_not()
    {
        var clock = new ManualClock(Start);
        var options = TestOptions();
        var authorizer = new RequestAuthorizer(
            Authenticator(options, clock), new AccessPolicy(new FakeOrgHierarchy()), NullLogger<RequestAuthorizer>.Instance);
        var token = TokenIssuer(options, clock).Mint(FakeOrgHierarchy.Village, [RoleNames.Submitter], null, TimeSpan.FromHours(1));

        var own = await authorizer.AuthorizeAsync(Request($"Bearer {token}"), ApiAction.Submit, FakeOrgHierarchy.Village, CancellationToken.None);
        var other = await authorizer.AuthorizeAsync(Request($"Bearer {token}"), ApiAction.Submit, FakeOrgHierarchy.SiblingVillage, CancellationToken.None);
        var none = await authorizer.AuthorizeAsync(Request(null), ApiAction.ReadCatalog, "", CancellationToken.None);

        Assert.Equal(FakeOrgHierarchy.Village, own.Caller?.OrgCode);
        Assert.Null(own.Failure);
        Assert.Null(other.Caller);
        Assert.Equal(StatusCodes.Status403Forbidden, (await ExecuteAsync(other.Failure!)).Response.StatusCode);
        Assert.Equal(StatusCodes.Status401Unauthorized, (await ExecuteAsync(none.Failure!)).Response.StatusCode);
    }
}
