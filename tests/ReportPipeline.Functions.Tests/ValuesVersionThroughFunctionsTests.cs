using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Reference;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Functions.Functions;
using ReportPipeline.Storage.Configuration;
using ReportPipeline.Storage.Stores;
using ReportPipeline.Testing;

namespace ReportPipeline.Functions.Tests;

[CollectionDefinition(AzuriteFixture.CollectionName)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;

/// <summary>
/// The Functions app's own functions (<see cref="OrgFunctions"/>), on the composition root it starts with, pass
/// If-Match to the shared handler and return its ETag and 412: the request as the ASP.NET Core integration hands it to a
/// function, against a real (in-memory) Azurite.
/// </summary>
[Collection(AzuriteFixture.CollectionName)]
public sealed class ValuesVersionThroughFunctionsTests(AzuriteFixture azurite)
{
    private const string Village = "500229001001";
    private const string Period = "2031-05";

    [Fact]
    public async Task A_submission_with_a_stale_if_match_gets_412_and_the_current_etag_from_the_functions_app()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [ReportStorageSettings.DefaultName] = azurite.ConnectionString })
            .Build();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddReportPipeline(configuration, developmentDefaults: true)
            .BuildServiceProvider();
        await services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
        var functions = new OrgFunctions(services.GetRequiredService<IPipelineHttpApi>());
        var token = services.GetRequiredService<DevelopmentTokenIssuer>().Mint(Village, ["submitter"], null, TimeSpan.FromHours(1));

        // A whole month as a village would type it (every required field), with 常住人口 5200 and 流入人口 2050.
        var reference = services.GetRequiredService<ReferenceData>();
        var catalog = (await reference.CatalogForAsync(null, CancellationToken.None)).Catalog;
        var month = Domain.Periods.Period.Parse(Period);
        var orgs = await reference.GetOrgsAsync(CancellationToken.None);
        Assert.True(orgs.TryGet(Village, out var village));
        var values = SyntheticValues.Generate(catalog, village!, month, 3)
            .Where(kv => catalog.Find(kv.Key) is { Source: FieldSource.Typed } f && f.Frequency == month.Kind)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        (values["pop_resident"], values["pop_floating_in"], values["pop_registered"]) = ("5200", "2050", "5000");
        var first = await FunctionRequests.RunAsync(services, token, "POST", "application/json", JsonSerializer.Serialize(new { values }), null,
            http => functions.SubmitReport(http.Request, Village, Period, CancellationToken.None));
        Assert.True(first.Status == StatusCodes.Status201Created, first.Body);
        var read = await FunctionRequests.RunAsync(services, token, "GET", null, null, null, http => functions.GetValues(http.Request, Village, Period, CancellationToken.None));
        var seen = read.ETag;
        Assert.StartsWith("\"", seen, StringComparison.Ordinal);
        var csv = await FunctionRequests.RunAsync(services, token, "POST", "text/csv", "编号,本期数值\r\npop_resident,5300\r\npop_floating_in,2060\r\n", null,
            http => functions.SubmitReport(http.Request, Village, Period, CancellationToken.None));
        Assert.Equal(StatusCodes.Status201Created, csv.Status);

        values["pop_floating_out"] = "777";
        var stale = await FunctionRequests.RunAsync(services, token, "POST", "application/json", JsonSerializer.Serialize(new { values }), seen,
            http => functions.SubmitReport(http.Request, Village, Period, CancellationToken.None));

        Assert.Equal(StatusCodes.Status412PreconditionFailed, stale.Status);
        Assert.StartsWith("application/problem+json", stale.ContentType, StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(stale.Body);
        Assert.Equal(["pop_floating_in", "pop_resident"], problem.RootElement.GetProperty("changed").EnumerateArray().Select(c => c.GetProperty("field").GetString()).Order(StringComparer.Ordinal));
        Assert.NotEqual(seen, stale.ETag);
        var again = await FunctionRequests.RunAsync(services, token, "GET", null, null, null, http => functions.GetValues(http.Request, Village, Period, CancellationToken.None));
        Assert.Equal(stale.ETag, again.ETag);
        Assert.DoesNotContain("777", again.Body, StringComparison.Ordinal);
    }
}
