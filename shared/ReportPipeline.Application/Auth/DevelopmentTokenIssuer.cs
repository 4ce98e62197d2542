using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ReportPipeline.Application.Auth;

/// <summary>
/// Keys and settings for development and local use. The default key is public (it is in this file): the local host
/// falls back to it only when no <c>Auth__Authority</c> and no <c>Auth__SigningKey</c> is configured, and options
/// validation refuses it anywhere <c>Auth__DevelopmentTokens</c> is not true.
/// </summary>
public static class DevelopmentKeys
{
    /// <summary>256-bit HS256 key the local host uses when nothing is configured. Never a production key.</summary>
    public const string DefaultSigningKey = "S3Nm+FcddEqWhsbYekZcPpbpXtxc1iCnrs8jm4kvjeA=";

    public const string DefaultIssuer = "https://reportpipeline.local/";

    public const string DefaultAudience = "reportpipeline-api";

    /// <summary>A fresh random 256-bit key, base64, for <c>Auth__SigningKey</c>.</summary>
    public static string Generate() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// Fills in the development defaults when no key source is configured; leaves everything alone when an
    /// <see cref="AuthOptions.Authority"/> or a <see cref="AuthOptions.SigningKey"/> is set.
    /// </summary>
    public static void ApplyDefaultsIfUnconfigured(AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.HasAuthority || options.HasSigningKey)
        {
            return;
        }

        options.SigningKey = DefaultSigningKey;
        options.DevelopmentTokens = true;
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            options.Issuer = DefaultIssuer;
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            options.Audience = DefaultAudience;
        }
    }
}

/// <summary>Mints HS256 tokens with the configured signing key, for the CLI verb <c>token</c> and tests.</summary>
public sealed class DevelopmentTokenIssuer(IOptions<AuthOptions> options, TimeProvider timeProvider)
{
    private static readonly TimeSpan s_maxLifetime = TimeSpan.FromDays(30);

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <param name="org">12-digit org code of the caller's unit.</param>
    /// <param name="roles">One or more of <c>submitter</c>, <c>viewer</c>, <c>admin</c>; written as a JSON array like Entra app roles.</param>
    /// <param name="dept">Optional department.</param>
    /// <param name="lifetime">Up to 30 days.</param>
    /// <param name="subject">The <c>sub</c>; defaults to <c>dev-{org}</c>.</param>
    /// <exception cref="InvalidOperationException">Development tokens are not enabled on this host, or no signing key is configured.</exception>
    /// <exception cref="ArgumentException">Malformed org, unknown role, or a lifetime out of range.</exception>
    public string Mint(string org, IEnumerable<string> roles, string? dept, TimeSpan lifetime, string? subject = null)
    {
        ArgumentNullException.ThrowIfNull(roles);
        var settings = options.Value;
        if (!settings.DevelopmentTokens)
        {
            throw new InvalidOperationException("Development tokens are disabled: set Auth__DevelopmentTokens=true (local use only).");
        }

        var key = settings.TryDecodeSigningKey()
            ?? throw new InvalidOperationException("Development tokens need Auth__SigningKey (base64).");

        if (!OrgCodes.IsWellFormed(org))
        {
            throw new ArgumentException($"Org code must be 12 digits: '{org}'.", nameof(org));
        }

        var roleNames = roles.Select(r => r.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToArray();
        if (roleNames.Length == 0)
        {
            throw new ArgumentException("At least one role is required.", nameof(roles));
        }

        // A department app role (Auth__DeptRolePrefix, "dept.mz") is minted as Entra would put it in the roles claim.
        var unknown = roleNames.FirstOrDefault(r => RoleNames.Parse(r) == CallerRoles.None
            && (settings.DeptRolePrefix.Length == 0 || !r.StartsWith(settings.DeptRolePrefix, StringComparison.Ordinal)));
        if (unknown is not null)
        {
            throw new ArgumentException(
                $"Unknown role '{unknown}'; use {RoleNames.Submitter}, {RoleNames.Viewer} or {RoleNames.Admin}.", nameof(roles));
        }

        if (lifetime <= TimeSpan.Zero || lifetime > s_maxLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, "Lifetime must be positive and at most 30 days.");
        }

        var now = timeProvider.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Sub] = string.IsNullOrWhiteSpace(subject) ? $"dev-{org}" : subject,
            [settings.OrgClaim] = org,
            [settings.RoleClaim] = roleNames,
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
        };
        if (!string.IsNullOrWhiteSpace(dept))
        {
            claims[settings.DeptClaim] = dept;
        }

        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });
    }
}
