using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ReportPipeline.Application.Auth;

/// <summary>
/// Bearer-token settings (section <c>Auth</c>, e.g. <c>Auth__Authority</c>, <c>Auth__Audience</c>).
/// Exactly one key source: an OIDC <see cref="Authority"/> (Entra ID or any provider; keys fetched from its metadata and
/// cached) or a symmetric <see cref="SigningKey"/> for development and local use.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Expected <c>iss</c>. Required with <see cref="SigningKey"/>; with <see cref="Authority"/> empty means the issuer the metadata announces.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>Expected <c>aud</c>: for Entra ID the API's application ID URI or client id.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Audience { get; set; } = "";

    /// <summary>OIDC authority; metadata is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string Authority { get; set; } = "";

    /// <summary>Only for a local OIDC provider without TLS; never turn off in Azure.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Base64 symmetric key of at least 256 bits (HS256), for development and local use.</summary>
    public string SigningKey { get; set; } = "";

    [Range(0, 600)]
    public int ClockSkewSeconds { get; set; } = 60;

    [Required(AllowEmptyStrings = false)]
    public string RoleClaim { get; set; } = "roles";

    [Required(AllowEmptyStrings = false)]
    public string OrgClaim { get; set; } = "org";

    [Required(AllowEmptyStrings = false)]
    public string DeptClaim { get; set; } = "dept";

    /// <summary>
    /// An app role in <see cref="RoleClaim"/> that starts with this prefix names the caller's department by its catalog
    /// code (Entra app role <c>dept.mz</c> → 民政局); empty turns the mapping off. <see cref="DeptClaim"/> works as well.
    /// </summary>
    public string DeptRolePrefix { get; set; } = "dept.";

    /// <summary>Whether this host may mint development tokens (<see cref="DevelopmentTokenIssuer"/>); the local host only.</summary>
    public bool DevelopmentTokens { get; set; }

    internal bool HasAuthority => !string.IsNullOrWhiteSpace(Authority);

    internal bool HasSigningKey => !string.IsNullOrWhiteSpace(SigningKey);

    internal string MetadataAddress => Authority.TrimEnd('/') + "/.well-known/openid-configuration";

    /// <summary>The decoded <see cref="SigningKey"/>, or null when it is absent or not base64.</summary>
    internal byte[]? TryDecodeSigningKey()
    {
        if (!HasSigningKey)
        {
            return null;
        }

        var buffer = new byte[SigningKey.Length];
        return Convert.TryFromBase64String(SigningKey.Trim(), buffer, out var written) ? buffer[..written] : null;
    }
}

/// <summary>The cross-checks data annotations cannot express.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public const int MinimumSigningKeyBytes = 32;

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();

        if (options.HasAuthority == options.HasSigningKey)
        {
            failures.Add("Set exactly one of Auth__Authority (OIDC) and Auth__SigningKey (development key).");
        }

        if (options.HasAuthority)
        {
            if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority)
                || (authority.Scheme != Uri.UriSchemeHttps && (options.RequireHttpsMetadata || authority.Scheme != Uri.UriSchemeHttp)))
            {
                failures.Add("Auth__Authority must be an absolute https URL (http only with Auth__RequireHttpsMetadata=false).");
            }

            if (options.DevelopmentTokens)
            {
                failures.Add("Auth__DevelopmentTokens cannot be used with Auth__Authority: development tokens are signed with Auth__SigningKey.");
            }
        }

        if (options.HasSigningKey)
        {
            var key = options.TryDecodeSigningKey();
            if (key is null)
            {
                failures.Add("Auth__SigningKey must be base64.");
            }
            else if (key.Length < MinimumSigningKeyBytes)
            {
                failures.Add($"Auth__SigningKey must be at least {MinimumSigningKeyBytes * 8} bits; it has {key.Length * 8}.");
            }

            if (string.IsNullOrWhiteSpace(options.Issuer))
            {
                failures.Add("Auth__Issuer is required with Auth__SigningKey.");
            }

            // The development key is published in the source; accepting it on a host that does not declare itself a
            // development host would let anyone mint an admin token for any org.
            if (string.Equals(options.SigningKey.Trim(), DevelopmentKeys.DefaultSigningKey, StringComparison.Ordinal) && !options.DevelopmentTokens)
            {
                failures.Add("The published development signing key is accepted only with Auth__DevelopmentTokens=true.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
