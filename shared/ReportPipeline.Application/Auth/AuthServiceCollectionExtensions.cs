using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ReportPipeline.Application.Auth;

public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AuthOptions"/> (section <c>Auth</c>, validated at start-up), <see cref="TimeProvider.System"/>
    /// unless a clock is already registered, <see cref="BearerTokenAuthenticator"/>, <see cref="AccessPolicy"/>,
    /// <see cref="IRequestAuthorizer"/> and <see cref="DevelopmentTokenIssuer"/>. The caller registers
    /// <see cref="IOrgHierarchy"/>.
    /// </summary>
    /// <param name="useDevelopmentDefaults">
    /// The local host passes true: with no <c>Auth__Authority</c> and no <c>Auth__SigningKey</c> it then trusts the
    /// published development key (<see cref="DevelopmentKeys"/>) and may mint tokens. The Functions app passes false,
    /// so a missing setting stops it at start-up instead of silently trusting a public key.
    /// </param>
    public static IServiceCollection AddReportPipelineAuth(
        this IServiceCollection services, IConfiguration configuration, bool useDevelopmentDefaults = false)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        var builder = services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section));
        if (useDevelopmentDefaults)
        {
            builder.PostConfigure(DevelopmentKeys.ApplyDefaultsIfUnconfigured);
        }

        builder.ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new BearerTokenAuthenticator(
            sp.GetRequiredService<IOptions<AuthOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<BearerTokenAuthenticator>>()));
        services.TryAddSingleton<AccessPolicy>();
        services.TryAddSingleton<IRequestAuthorizer, RequestAuthorizer>();
        services.TryAddSingleton<DevelopmentTokenIssuer>();
        return services;
    }
}
