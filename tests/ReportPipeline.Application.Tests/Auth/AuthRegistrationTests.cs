using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Auth;
using static ReportPipeline.Application.Tests.Auth.AuthTestContext;

namespace ReportPipeline.Application.Tests.Auth;

public sealed class AuthRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, bool useDevelopmentDefaults, TimeProvider? clock = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }

        services.AddSingleton<IOrgHierarchy, FakeOrgHierarchy>();
        services.AddReportPipelineAuth(configuration, useDevelopmentDefaults);
        return services.BuildServiceProvider();
    }

    private static string[] Failures(Dictionary<string, string?> settings)
    {
        using var provider = Build(settings, useDevelopmentDefaults: false);
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AuthOptions>>().Value);
        return [.. error.Failures];
    }

    [Fact]
    public async Task The_local_host_with_nothing_configured_mints_and_accepts_development_tokens()
    {
        using var provider = Build([], useDevelopmentDefaults: true);

        var options = provider.GetRequiredService<IOptions<AuthOptions>>().Value;
        var token = provider.GetRequiredService<DevelopmentTokenIssuer>()
            .Mint(FakeOrgHierarchy.Village, [RoleNames.Submitter], null, TimeSpan.FromHours(1));
        var (caller, failure) = await provider.GetRequiredService<IRequestAuthorizer>()
            .AuthorizeAsync(Request($"Bearer {token}"), ApiAction.Submit, FakeOrgHierarchy.Village, CancellationToken.None);

        Assert.Equal(DevelopmentKeys.DefaultIssuer, options.Issuer);
        Assert.Equal(DevelopmentKeys.DefaultAudience, options.Audience);
        Assert.Null(failure);
        Assert.Equal(FakeOrgHierarchy.Village, caller?.OrgCode);
    }

    [Fact]
    public void Development_defaults_are_never_applied_when_an_authority_is_set()
    {
        using var provider = Build(new()
        {
            ["Auth:Authority"] = "https://login.microsoftonline.com/tenant/v2.0",
            ["Auth:Audience"] = "api://reportpipeline",
        }, useDevelopmentDefaults: true);

        var options = provider.GetRequiredService<IOptions<AuthOptions>>().Value;

        Assert.Equal("", options.SigningKey);
        Assert.False(options.DevelopmentTokens);
        Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<DevelopmentTokenIssuer>()
            .Mint(FakeOrgHierarchy.Village, [RoleNames.Admin], null, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void The_functions_app_with_nothing_configured_refuses_to_start()
    {
        var failures = Failures([]);

        Assert.Contains(failures, f => f.Contains("exactly one of Auth__Authority", StringComparison.Ordinal));
    }

    [Fact]
    public void Both_an_authority_and_a_signing_key_are_refused()
    {
        var failures = Failures(new()
        {
            ["Auth:Authority"] = "https://login.microsoftonline.com/tenant/v2.0",
            ["Auth:SigningKey"] = DevelopmentKeys.Generate(),
            ["Auth:Issuer"] = Issuer,
            ["Auth:Audience"] = Audience,
        });

        Assert.Contains(failures, f => f.Contains("exactly one", StringComparison.Ordinal));
    }

    [Fact]
    public void A_signing_key_shorter_than_256_bits_is_refused()
    {
        var failures = Failures(new()
        {
            ["Auth:SigningKey"] = Convert.ToBase64String(new byte[16]),
            ["Auth:Issuer"] = Issuer,
            ["Auth:Audience"] = Audience,
        });

        Assert.Contains(failures, f => f.Contains("at least 256 bits", StringComparison.Ordinal));
    }

    [Fact]
    public void The_published_development_key_is_refused_unless_development_tokens_are_on()
    {
        var failures = Failures(new()
        {
            ["Auth:SigningKey"] = DevelopmentKeys.DefaultSigningKey,
            ["Auth:Issuer"] = Issuer,
            ["Auth:Audience"] = Audience,
        });

        Assert.Contains(failures, f => f.Contains("published development signing key", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://login.example.test/tenant")]
    [InlineData("not a url")]
    public void An_authority_that_is_not_https_is_refused(string authority)
    {
        var failures = Failures(new() { ["Auth:Authority"] = authority, ["Auth:Audience"] = Audience });

        Assert.Contains(failures, f => f.Contains("https", StringComparison.Ordinal));
    }

    [Fact]
    public void A_signing_key_needs_an_issuer_and_an_audience()
    {
        var failures = Failures(new() { ["Auth:SigningKey"] = DevelopmentKeys.Generate() });

        Assert.Contains(failures, f => f.Contains("Auth__Issuer", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Audience", StringComparison.Ordinal));
    }

    [Fact]
    public void A_clock_registered_before_is_kept()
    {
        var clock = new ManualClock(Start);
        using var provider = Build([], useDevelopmentDefaults: true, clock);

        Assert.Same(clock, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void Generated_keys_are_fresh_256_bit_keys()
    {
        var first = DevelopmentKeys.Generate();

        Assert.Equal(32, Convert.FromBase64String(first).Length);
        Assert.NotEqual(first, DevelopmentKeys.Generate());
    }
}
