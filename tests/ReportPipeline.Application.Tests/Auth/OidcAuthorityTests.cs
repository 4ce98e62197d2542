using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;
using ReportPipeline.Application.Auth;
using static ReportPipeline.Application.Tests.Auth.AuthTestContext;

namespace ReportPipeline.Application.Tests.Auth;

/// <summary>The authority path, with the metadata and key documents served from memory instead of HTTPS.</summary>
public sealed class OidcAuthorityTests : IDisposable
{
    private const string Authority = "https://login.example.test/tenant-1/v2.0";

    private readonly RSA _authorityKey = RSA.Create(2048);
    private readonly ManualClock _clock = new(Start);

    public void Dispose() => _authorityKey.Dispose();

    private sealed class InMemoryAuthority(RSA key, bool unreachable = false) : IDocumentRetriever
    {
        public int Requests { get; private set; }

        public Task<string> GetDocumentAsync(string address, CancellationToken cancel)
        {
            Requests++;
            if (unreachable)
            {
                throw new IOException("authority unreachable");
            }

            if (address == Authority + "/.well-known/openid-configuration")
            {
                return Task.FromResult(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["issuer"] = Authority,
                    ["jwks_uri"] = Authority + "/keys",
                }));
            }

            var parameters = key.ExportParameters(false);
            var jwk = new Dictionary<string, string>
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["kid"] = "key-1",
                ["n"] = Base64UrlEncoder.Encode(parameters.Modulus!),
                ["e"] = Base64UrlEncoder.Encode(parameters.Exponent!),
            };
            return Task.FromResult(JsonSerializer.Serialize(new { keys = new[] { jwk } }));
        }
    }

    private BearerTokenAuthenticator Authenticator(IDocumentRetriever retriever) => new(
        Microsoft.Extensions.Options.Options.Create(new AuthOptions { Authority = Authority, Audience = Audience }),
        _clock,
        NullLogger<BearerTokenAuthenticator>.Instance,
        retriever);

    private string Token(RSA key, string issuer = Authority) => new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(
        new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = Audience,
            IssuedAt = Start.UtcDateTime,
            NotBefore = Start.UtcDateTime,
            Expires = Start.AddHours(1).UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                ["oid"] = "6c1f0000-0000-0000-0000-000000000001",
                ["org"] = FakeOrgHierarchy.District,
                ["roles"] = new[] { "viewer" },
            },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = "key-1" }, SecurityAlgorithms.RsaSha256),
        });

    [Fact]
    public async Task A_token_signed_by_the_authority_is_accepted_with_the_issuer_from_its_metadata()
    {
        var authority = new InMemoryAuthority(_authorityKey);

        var outcome = await Authenticator(authority).AuthenticateAsync(Request($"Bearer {Token(_authorityKey)}"), CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Reason);
        Assert.Equal("6c1f0000-0000-0000-0000-000000000001", outcome.Caller?.Subject);
        Assert.Equal(CallerRoles.Viewer, outcome.Caller?.Roles);
    }

    [Fact]
    public async Task Metadata_and_keys_are_fetched_once_and_cached()
    {
        var authority = new InMemoryAuthority(_authorityKey);
        var authenticator = Authenticator(authority);

        await authenticator.AuthenticateAsync(Request($"Bearer {Token(_authorityKey)}"), CancellationToken.None);
        var requestsAfterFirst = authority.Requests;
        await authenticator.AuthenticateAsync(Request($"Bearer {Token(_authorityKey)}"), CancellationToken.None);

        Assert.Equal(2, requestsAfterFirst);
        Assert.Equal(requestsAfterFirst, authority.Requests);
    }

    [Fact]
    public async Task A_token_signed_with_a_key_the_authority_does_not_publish_is_refused()
    {
        using var stranger = RSA.Create(2048);

        var outcome = await Authenticator(new InMemoryAuthority(_authorityKey))
            .AuthenticateAsync(Request($"Bearer {Token(stranger)}"), CancellationToken.None);

        Assert.Equal(AuthenticationFailure.BadSignature, outcome.Failure);
    }

    [Fact]
    public async Task A_token_from_another_tenant_is_refused()
    {
        var outcome = await Authenticator(new InMemoryAuthority(_authorityKey))
            .AuthenticateAsync(Request($"Bearer {Token(_authorityKey, "https://login.example.test/tenant-2/v2.0")}"), CancellationToken.None);

        Assert.Equal(AuthenticationFailure.WrongIssuer, outcome.Failure);
    }

    [Fact]
    public async Task An_unreachable_authority_is_our_failure_not_the_callers()
    {
        var outcome = await Authenticator(new InMemoryAuthority(_authorityKey, unreachable: true))
            .AuthenticateAsync(Request($"Bearer {Token(_authorityKey)}"), CancellationToken.None);

        Assert.Equal(AuthenticationFailure.KeysUnavailable, outcome.Failure);
    }
}
