using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ReportPipeline.Application.Admission;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Functions.Functions;
using ReportPipeline.Storage.Configuration;
using ReportPipeline.Storage.Stores;
using ReportPipeline.Testing;

namespace ReportPipeline.Functions.Tests;

/// <summary>
/// 报表准入 through the Functions app's own functions and composition root: one instance admits a report from the next
/// month, another instance of the app on the same storage — which had already read that month's catalog — lists it
/// within its refresh bound, with no restart and no redeploy, and still lists the current month without it.
/// </summary>
public sealed class AdmissionThroughFunctionsTests : IAsyncLifetime
{
    private const string Department = "yjj";
    private readonly AzuriteFixture _azurite = new();

    public Task InitializeAsync() => _azurite.InitializeAsync();

    public Task DisposeAsync() => _azurite.DisposeAsync();

    [Fact]
    public async Task A_report_admitted_on_one_instance_is_in_force_on_another_from_its_period_without_a_restart()
    {
        await using var admitting = await InstanceAsync();
        await using var other = await InstanceAsync();
        var reference = other.GetRequiredService<ReferenceData>();
        var today = other.GetRequiredService<ReportingCalendar>().Today(TimeProvider.System.GetUtcNow());
        var current = Period.Month(today.Year, today.Month);
        var next = current.Next();
        Assert.Null((await reference.CatalogForAsync(next, CancellationToken.None)).FindTemplate("yj_fn_monthly"));

        var city = (await admitting.GetRequiredService<ReferenceData>().GetOrgsAsync(CancellationToken.None)).Root.Code;
        var issuer = admitting.GetRequiredService<DevelopmentTokenIssuer>();
        var api = new AdmissionFunctions(admitting.GetRequiredService<AdmissionApi>());
        var proposal = JsonSerializer.Serialize(new
        {
            template = new
            {
                id = "yj_fn_monthly",
                department = Department,
                title = "村（社区）应急物资月报",
                periodKind = "month",
                audienceLevels = new[] { "township", "district", "city" },
                deadlineDays = 5,
                columns = new object[] { new { headers = new[] { "常住人口" }, field = "pop_resident" } },
            },
            fields = Array.Empty<object>(),
            effectiveFrom = next.ToString(),
            reason = "按月掌握常住人口以配置应急物资。",
        });
        var proposed = await FunctionRequests.RunAsync(admitting, issuer.Mint(city, ["admin"], Department, TimeSpan.FromHours(1)), "POST", "application/json", proposal, null,
            http => api.ProposeTemplate(http.Request, CancellationToken.None));
        Assert.True(proposed.Status == StatusCodes.Status201Created, proposed.Body);
        var id = JsonDocument.Parse(proposed.Body).RootElement.GetProperty("id").GetString()!;
        var decision = JsonSerializer.Serialize(new { action = "admit", reason = "一表已有，不增加填报。", effectiveFrom = next.ToString() });
        var admitted = await FunctionRequests.RunAsync(admitting, issuer.Mint(city, ["admin"], null, TimeSpan.FromHours(1)), "POST", "application/json", decision, null,
            http => api.DecideTemplateProposal(http.Request, id, CancellationToken.None));
        Assert.True(admitted.Status == StatusCodes.Status200OK, admitted.Body);

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var listed = new AdmissionFunctions(other.GetRequiredService<AdmissionApi>());
        var viewer = other.GetRequiredService<DevelopmentTokenIssuer>().Mint(city, ["viewer"], null, TimeSpan.FromHours(1));
        Assert.Contains("yj_fn_monthly", await TemplatesAsync(other, listed, viewer, next));
        Assert.DoesNotContain("yj_fn_monthly", await TemplatesAsync(other, listed, viewer, current));
    }

    private async Task<ServiceProvider> InstanceAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [ReportStorageSettings.DefaultName] = _azurite.ConnectionString,
                ["Pipeline:CatalogRefreshSeconds"] = "1",
            })
            .Build();
        var services = new ServiceCollection().AddLogging().AddReportPipeline(configuration, developmentDefaults: true).BuildServiceProvider();
        await services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
        return services;
    }

    private static async Task<IReadOnlyList<string>> TemplatesAsync(IServiceProvider services, AdmissionFunctions functions, string token, Period period)
    {
        var answer = await FunctionRequests.RunAsync(services, token, "GET", null, null, null, http =>
        {
            http.Request.QueryString = new QueryString("?period=" + period);
            return functions.ListTemplates(http.Request, CancellationToken.None);
        });
        Assert.True(answer.Status == StatusCodes.Status200OK, answer.Body);
        return [.. JsonDocument.Parse(answer.Body).RootElement.GetProperty("templates").EnumerateArray().Select(t => t.GetProperty("id").GetString()!)];
    }
}
