using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ReportPipeline.Application.Auth;

/// <summary>
/// Establishes who is calling from <c>Authorization: Bearer &lt;JWT&gt;</c>. Validation is done here with
/// <see cref="JsonWebTokenHandler"/> rather than by ASP.NET Core's JwtBearer middleware so that the Functions worker
/// and the local host run the very same checks. The token itself is never logged.
/// </summary>
public sealed class BearerTokenAuthenticator
{
    private const string BearerPrefix = "Bearer ";

    // Real access tokens are 1-4 KB; anything far larger is refused before any parsing work.
    private const int MaxTokenChars = 16 * 1024;

    private const string KeysUnavailableReason = "暂时无法验证访问令牌（无法获取签名密钥），请稍后重试。";

    private static readonly string[] s_symmetricAlgorithms =
        [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512];

    private readonly AuthOptions _options;
    private readonly ILogger<BearerTokenAuthenticator> _logger;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters _parameters;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _clockSkew;

    /// <param name="metadataRetriever">How OIDC metadata and keys are fetched; null means HTTPS from the authority. Tests pass a fake.</param>
    public BearerTokenAuthenticator(
        IOptions<AuthOptions> options,
        TimeProvider timeProvider,
        ILogger<BearerTokenAuthenticator> logger,
        IDocumentRetriever? metadataRetriever = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options.Value;
        _logger = logger;
        _timeProvider = timeProvider;
        _clockSkew = TimeSpan.FromSeconds(_options.ClockSkewSeconds);
        _parameters = CreateParameters(_options, metadataRetriever);
    }

    public async Task<AuthenticationOutcome> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        var headers = request.Headers.Authorization;
        if (headers.Count == 0 || string.IsNullOrWhiteSpace(headers[0]))
        {
            return Reject(AuthenticationFailure.MissingToken, "请求未携带访问令牌：请在 Authorization 请求头中提供 Bearer 令牌。");
        }

        if (headers.Count > 1)
        {
            return Reject(AuthenticationFailure.Malformed, "请求中有多个 Authorization 请求头，只能提供一个 Bearer 令牌。");
        }

        var header = headers[0]!.Trim();
        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return string.Equals(header, BearerPrefix.TrimEnd(), StringComparison.OrdinalIgnoreCase)
                ? Reject(AuthenticationFailure.Malformed, "Authorization 请求头中缺少令牌内容。")
                : Reject(AuthenticationFailure.MissingToken, "请求未携带 Bearer 访问令牌：本系统只接受 Bearer 令牌认证。");
        }

        var token = header[BearerPrefix.Length..].Trim();
        if (token.Length == 0 || token.Length > MaxTokenChars || !_handler.CanReadToken(token))
        {
            return Reject(AuthenticationFailure.Malformed, "访问令牌格式不正确，请重新登录获取令牌。");
        }

        if (_parameters.ConfigurationManager is ConfigurationManager<OpenIdConnectConfiguration> authority)
        {
            // The handler carries on without keys or issuer when the metadata cannot be fetched, which would blame the
            // caller's token; fetching first (cached after the first call) tells the two apart.
            try
            {
                await authority.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is InvalidOperationException or IOException or HttpRequestException)
            {
                _logger.LogError(exception, "Could not obtain signing keys from {MetadataAddress}", _options.MetadataAddress);
                return AuthenticationOutcome.Fail(AuthenticationFailure.KeysUnavailable, KeysUnavailableReason);
            }
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return Classify(result.Exception);
        }

        return CheckLifetime((JsonWebToken)result.SecurityToken) ?? ReadCaller(result.ClaimsIdentity);
    }

    private AuthenticationOutcome? CheckLifetime(JsonWebToken token)
    {
        // ValidTo is DateTime.MinValue when exp is absent or unreadable.
        if (token.ValidTo == DateTime.MinValue)
        {
            return Reject(AuthenticationFailure.NoExpiry, "访问令牌缺少有效期（exp），不予接受。");
        }

        var now = _timeProvider.GetUtcNow().UtcDateTime;
        if (token.ValidTo.Add(_clockSkew) < now)
        {
            return Reject(AuthenticationFailure.Expired, "访问令牌已过期，请重新登录获取新令牌。");
        }

        // ValidFrom is DateTime.MinValue when the token has no nbf, which is accepted.
        if (token.ValidFrom > now.Add(_clockSkew))
        {
            return Reject(AuthenticationFailure.NotYetValid, "访问令牌尚未生效，请检查电脑时间或稍后重试。");
        }

        return null;
    }

    private AuthenticationOutcome ReadCaller(ClaimsIdentity identity)
    {
        var orgClaims = identity.FindAll(_options.OrgClaim).ToList();
        if (orgClaims.Count != 1 || !OrgCodes.IsWellFormed(orgClaims[0].Value))
        {
            return Reject(
                AuthenticationFailure.InvalidOrgClaim,
                orgClaims.Count == 0
                    ? $"访问令牌中缺少所属单位（{_options.OrgClaim}）信息。"
                    : $"访问令牌中的所属单位（{_options.OrgClaim}）不是一个12位行政区划代码。");
        }

        var roles = CallerRoles.None;
        foreach (var claim in identity.FindAll(_options.RoleClaim))
        {
            roles |= RoleNames.Parse(claim.Value);
        }

        if (roles == CallerRoles.None)
        {
            return Reject(
                AuthenticationFailure.NoKnownRole,
                $"访问令牌中没有可用角色（{_options.RoleClaim}）：需要 {RoleNames.Submitter}、{RoleNames.Viewer} 或 {RoleNames.Admin} 之一。");
        }

        var subject = identity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value ?? identity.FindFirst("oid")?.Value ?? "";
        // The department comes from its own claim (a directory extension or an optional claim) or from an app role named
        // with the configured prefix (Entra app role "dept.mz"); a token naming two departments is refused rather than
        // guessed at, since the department narrows what the caller may read.
        var departments = identity.FindAll(_options.DeptClaim).Select(c => c.Value.Trim())
            .Concat(_options.DeptRolePrefix.Length == 0 ? [] : identity.FindAll(_options.RoleClaim)
                .Where(c => c.Value.StartsWith(_options.DeptRolePrefix, StringComparison.OrdinalIgnoreCase))
                .Select(c => c.Value[_options.DeptRolePrefix.Length..].Trim()))
            .Where(d => d.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (departments.Count > 1)
        {
            return Reject(AuthenticationFailure.Invalid, $"访问令牌中有多个部门（{string.Join("、", departments)}）：一个令牌只能代表一个部门。");
        }

        return AuthenticationOutcome.Success(
            new CallerIdentity(subject, orgClaims[0].Value, roles, departments.Count == 0 ? null : departments[0]));
    }

    private AuthenticationOutcome Classify(Exception? exception)
    {
        var (failure, reason) = exception switch
        {
            SecurityTokenInvalidSignatureException or SecurityTokenInvalidAlgorithmException
                => (AuthenticationFailure.BadSignature, "访问令牌签名无效：令牌不是由本系统信任的签发方签发的，或已被篡改。"),
            SecurityTokenInvalidIssuerException => (AuthenticationFailure.WrongIssuer, "访问令牌的签发方（iss）不受本系统信任。"),
            SecurityTokenInvalidAudienceException => (AuthenticationFailure.WrongAudience, "访问令牌不是签发给本系统的（aud 不符）。"),
            SecurityTokenMalformedException or ArgumentException => (AuthenticationFailure.Malformed, "访问令牌格式不正确，请重新登录获取令牌。"),
            SecurityTokenException or null => (AuthenticationFailure.Invalid, "访问令牌无效，请重新登录获取令牌。"),
            // Anything else comes from fetching the authority's metadata or keys: not the caller's fault.
            _ => (AuthenticationFailure.KeysUnavailable, KeysUnavailableReason),
        };

        if (failure == AuthenticationFailure.KeysUnavailable)
        {
            _logger.LogError(exception, "Could not obtain signing keys from {MetadataAddress}", _options.MetadataAddress);
            return AuthenticationOutcome.Fail(failure, reason);
        }

        // The exception type is enough to diagnose; its message could carry token details if PII logging were on.
        _logger.LogInformation("Bearer token rejected: {Failure} ({ExceptionType})", failure, exception?.GetType().Name);
        return AuthenticationOutcome.Fail(failure, reason);
    }

    private AuthenticationOutcome Reject(AuthenticationFailure failure, string reason)
    {
        _logger.LogInformation("Bearer token rejected: {Failure}", failure);
        return AuthenticationOutcome.Fail(failure, reason);
    }

    private static TokenValidationParameters CreateParameters(AuthOptions options, IDocumentRetriever? metadataRetriever)
    {
        var parameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = string.IsNullOrWhiteSpace(options.Issuer) ? null : options.Issuer,
            ValidateAudience = true,
            ValidAudience = options.Audience,
            // Lifetime is checked in CheckLifetime against the injected TimeProvider: the handler reads the system clock.
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            NameClaimType = JwtRegisteredClaimNames.Sub,
            RoleClaimType = options.RoleClaim,
        };

        if (options.HasAuthority)
        {
            // Fetches metadata and JWKS once, caches them, refreshes them daily and on an unknown kid (key rollover).
            parameters.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                options.MetadataAddress,
                new OpenIdConnectConfigurationRetriever(),
                metadataRetriever ?? new HttpDocumentRetriever { RequireHttps = options.RequireHttpsMetadata });
        }
        else
        {
            var key = options.TryDecodeSigningKey()
                ?? throw new InvalidOperationException("Auth__SigningKey is not valid base64; options validation should have refused it.");
            parameters.IssuerSigningKey = new SymmetricSecurityKey(key);
            // Pinning HMAC algorithms refuses tokens that try to switch algorithms against this key.
            parameters.ValidAlgorithms = s_symmetricAlgorithms;
        }

        return parameters;
    }
}
