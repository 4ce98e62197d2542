using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ReportPipeline.Application.Auth;

namespace ReportPipeline.LocalHost.Commands;

/// <summary>Mints a development token signed with the configured <c>Auth__SigningKey</c> (or the published development key).</summary>
public static class TokenCommand
{
    public static Command Create()
    {
        var org = new Option<string>("--org") { Description = "12-digit org code (claim org)", Required = true };
        var roles = new Option<string[]>("--role") { Description = "submitter, viewer or admin (repeatable)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => ["submitter"] };
        var dept = new Option<string?>("--dept") { Description = "Optional department (claim dept)" };
        var hours = new Option<double>("--hours") { Description = "Lifetime in hours", DefaultValueFactory = _ => 8 };
        var command = new Command("token", "Mint a development bearer token") { org, roles, dept, hours };
        command.SetAction(parse =>
        {
            var issuer = CreateIssuer();
            Console.WriteLine(issuer.Mint(parse.GetValue(org)!, parse.GetValue(roles)!, parse.GetValue(dept), TimeSpan.FromHours(parse.GetValue(hours))));
            return 0;
        });
        return command;
    }

    internal static DevelopmentTokenIssuer CreateIssuer()
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var services = new ServiceCollection()
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddReportPipelineAuth(configuration, useDevelopmentDefaults: true)
            .BuildServiceProvider();
        return services.GetRequiredService<DevelopmentTokenIssuer>();
    }
}
