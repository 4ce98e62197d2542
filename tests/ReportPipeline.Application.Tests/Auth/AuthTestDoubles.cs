using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ReportPipeline.Application.Auth;

namespace ReportPipeline.Application.Tests.Auth;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>
/// A small org tree given as child → parent. Codes are deliberately not always prefixes of their parents
/// (a village moved to another township keeps its code), so that a policy relying on prefixes fails these tests.
/// </summary>
internal sealed class FakeOrgHierarchy : IOrgHierarchy
{
    public const string City = "500000000000";
    public const string District = "500103000000";
    public const string Township = "500103001000";
    public const string Village = "500103001001";
    public const string SiblingTownship = "500103002000";
    public const string SiblingVillage = "500103002001";
    public const string OtherDistrict = "500104000000";
    public const string UnrelatedTownship = "500104001000";
    /// <summary>Code looks like a child of <see cref="Township"/> but the registry places it under <see cref="SiblingTownship"/>.</summary>
    public const string MovedVillage = "500103001099";

    private readonly Dictionary<string, string?> _parents = new(StringComparer.Ordinal)
    {
        [City] = null,
        [District] = City,
        [Township] = District,
        [Village] = Township,
        [SiblingTownship] = District,
        [SiblingVillage] = SiblingTownship,
        [MovedVillage] = SiblingTownship,
        [OtherDistrict] = City,
        [UnrelatedTownship] = OtherDistrict,
    };

    public bool Exists(string code) => _parents.ContainsKey(code);

    public bool IsRoot(string code) => _parents.TryGetValue(code, out var parent) && parent is null;

    public bool IsSameOrAncestor(string ancestor, string code)
    {
        if (!Exists(ancestor))
        {
            return false;
        }

        for (string? current = code; current is not null; current = _parents.GetValueOrDefault(current))
        {
            if (!_parents.ContainsKey(current))
            {
                return false;
            }

            if (current == ancestor)
            {
                return true;
            }
        }

        return false;
    }
}

internal static class AuthTestContext
{
    public const string Issuer = "https://issuer.test/";
    public const string Audience = "reportpipeline-tests";
    public static readonly DateTimeOffset Start = new(2026, 11, 30, 9, 0, 0, TimeSpan.FromHours(8));

    public static AuthOptions TestOptions(string? signingKey = null) => new()
    {
        Issuer = Issuer,
        Audience = Audience,
        SigningKey = signingKey ?? DevelopmentKeys.Generate(),
        DevelopmentTokens = true,
        ClockSkewSeconds = 60,
    };

    public static BearerTokenAuthenticator Authenticator(AuthOptions options, TimeProvider clock) =>
        new(Microsoft.Extensions.Options.Options.Create(options), clock, NullLogger<BearerTokenAuthenticator>.Instance);

    public static DevelopmentTokenIssuer TokenIssuer(AuthOptions options, TimeProvider clock) =>
        new(Microsoft.Extensions.Options.Options.Create(options), clock);

    public static HttpRequest Request(string? authorization)
    {
        var context = new DefaultHttpContext();
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        return context.Request;
    }

    /// <summary>Signs arbitrary claims, for tokens the development issuer would refuse to mint.</summary>
    public static string SignedToken(
        string base64Key,
        IDictionary<string, object> claims,
        DateTimeOffset now,
        string issuer = Issuer,
        string audience = Audience,
        TimeSpan? lifetime = null)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = lifetime is null ? null : (now + lifetime.Value).UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Convert.FromBase64String(base64Key)), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>Runs an <see cref="IResult"/> the way a host would and returns the response with its body as text.</summary>
    public static async Task<(HttpResponse Response, string Body)> ExecuteAsync(IResult result)
    {
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider(),
        };
        context.Response.Body = new MemoryStream();
        await result.ExecuteAsync(context);
        context.Response.Body.Position = 0;
        using var reader = new StreamReader(context.Response.Body, Encoding.UTF8);
        return (context.Response, await reader.ReadToEndAsync());
    }
}
