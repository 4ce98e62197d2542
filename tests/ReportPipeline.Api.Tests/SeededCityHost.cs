using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Reference;
using ReportPipeline.Development.Seeding;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.LocalHost;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// A dedicated local host (its own Azurite, <see cref="DedicatedHost"/>) holding a synthetic city seeded with pre-filled
/// values and last month's, with what the office-read and consolidation tests on it share: a client, tokens, a village's
/// accepted submission, and a read counted on the wire after a warm-up.
/// </summary>
internal sealed class SeededCityHost : IAsyncDisposable
{
    private SeededCityHost(LocalHostRuntime runtime, HttpClient http, OrgRegistry orgs) => (Runtime, Http, Orgs) = (runtime, http, orgs);

    public LocalHostRuntime Runtime { get; }

    public HttpClient Http { get; }

    public OrgRegistry Orgs { get; }

    public IServiceProvider Services => Runtime.Services;

    /// <summary>Starts the host (a 60 s storage budget unless <paramref name="settings"/> say otherwise) and seeds districts × townships × villages for <paramref name="month"/>.</summary>
    public static async Task<SeededCityHost> StartAsync(
        int districts, int townships, int villages, Period month, Dictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null)
    {
        var all = new Dictionary<string, string?> { ["Pipeline:RequestStorageBudgetSeconds"] = "60" };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var runtime = await DedicatedHost.StartAsync(all, LogLevel.Warning, configureServices);
        var http = new HttpClient { BaseAddress = new Uri(runtime.BaseAddress) };
        var seeder = ActivatorUtilities.CreateInstance<CitySeeder>(runtime.Services);
        await seeder.SeedAsync(SyntheticCity.Generate(districts, townships, villages), month, withHistory: true, progress: null, CancellationToken.None);
        var orgs = await runtime.Services.GetRequiredService<ReferenceData>().GetOrgsAsync(CancellationToken.None);
        return new SeededCityHost(runtime, http, orgs);
    }

    public string Token(string org, string role) =>
        Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(org, [role], null, TimeSpan.FromHours(1));

    /// <summary>The village's JSON submission for the period, as its submitter; asserts it was accepted (201).</summary>
    public async Task SubmitAsync(string villageCode, Period period, object values)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orgs/{villageCode}/submissions/{period}")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { values }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token(villageCode, "submitter"));
        using var response = await Http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A GET answered 200, with its size and the storage round trips it made.</summary>
    /// <param name="warm">Ask once before counting (the host's first read of a period loads its catalog version).</param>
    public async Task<CountedRead> ReadAsync(string path, string token, bool warm = true)
    {
        if (warm)
        {
            using var first = new HttpRequestMessage(HttpMethod.Get, path);
            first.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await Http.SendAsync(first)).Dispose();
        }

        using var trips = new StorageTripCounter();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        return new CountedRead(document.RootElement.Clone(), Encoding.UTF8.GetByteCount(text), trips.Of("table"), trips.Of("blob"), trips.RetriesOf("table"));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Runtime.App.StopAsync();
        await Runtime.DisposeAsync();
    }
}

/// <summary>An answer's body and size, and the table and blob round trips (and table retries) made while it was read.</summary>
internal sealed record CountedRead(JsonElement Body, int Bytes, long TableTrips, long BlobTrips, long TableRetries);
