using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.LocalHost;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// What an accepted HTTP submission costs in storage requests, counted on the wire (every request the three clients
/// send, retries included): the merge's read and commit, the raw upload's archive and the freshness mark — nothing more.
/// </summary>
[Collection(DedicatedHostsRunAlone.Name)]
public sealed class SubmissionRoundTripTests
{
    private const string Month = "2026-11";

    [Fact]
    public async Task An_accepted_partial_json_correction_costs_the_merge_two_round_trips_plus_the_archive_and_the_mark()
    {
        var wire = new WireLog();
        await using var runtime = await StartAsync(wire);
        var village = (await runtime.Services.GetRequiredService<ReferenceData>().GetOrgsAsync(CancellationToken.None)).All.First(o => o.Level == OrgLevel.Village);
        var catalog = runtime.Services.GetRequiredService<ReferenceData>().Catalog.Catalog;
        var period = Period.Parse(Month);
        // The village's whole month first (which also loads the catalog version and sends the district's delayed unit).
        var report = Development.Synthetic.SyntheticValues.Generate(catalog, village, period, seed: 1)
            .Where(kv => catalog.Find(kv.Key) is { Source: FieldSource.Typed } f && f.Frequency == period.Kind)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        using (var first = await SubmitAsync(runtime, village, report))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        // Then a correction of two numbers that no cross-field rule and no change threshold involves, as a clerk sends one.
        var inRules = catalog.Rules.SelectMany(r => r.Others.Append(r.Field)).ToHashSet(StringComparer.Ordinal);
        var corrected = catalog.Fields
            .Where(f => f is { Source: FieldSource.Typed, Type: FieldType.Integer, MaxChange: null } && f.Frequency == period.Kind && !inRules.Contains(f.Id))
            .Take(2)
            .ToDictionary(f => f.Id, f => (decimal.Parse(report[f.Id], System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2, corrected.Count);
        wire.Clear();

        using var response = await SubmitAsync(runtime, village, corrected);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var calls = wire.Requests.ToList();
        var described = string.Join("; ", calls);
        // The merge: one query of the org's rows (its stored values come from it) and one entity group transaction.
        Assert.True(calls.Count(c => c.StartsWith("table", StringComparison.Ordinal)) == 2, described);
        // The raw upload archived, and one append to the district's log of marks (its unit is already waiting).
        Assert.True(calls.Count(c => c.StartsWith("blob", StringComparison.Ordinal)) == 2, described);
        Assert.True(calls.Count <= 4, described);
    }

    private static async Task<HttpResponseMessage> SubmitAsync(LocalHostRuntime runtime, Org village, IReadOnlyDictionary<string, string> values)
    {
        var token = runtime.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(village.Code, ["submitter"], null, TimeSpan.FromHours(1));
        using var http = new HttpClient { BaseAddress = new Uri(runtime.BaseAddress), Timeout = TimeSpan.FromSeconds(90) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{Month}")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { values }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static Task<LocalHostRuntime> StartAsync(WireLog wire) => DedicatedHost.StartAsync(configureServices: services =>
    {
        services.ConfigureAll<TableClientOptions>(o => o.AddPolicy(new WirePolicy(wire, "table"), HttpPipelinePosition.PerRetry));
        services.ConfigureAll<BlobClientOptions>(o => o.AddPolicy(new WirePolicy(wire, "blob"), HttpPipelinePosition.PerRetry));
        services.ConfigureAll<QueueClientOptions>(o => o.AddPolicy(new WirePolicy(wire, "queue"), HttpPipelinePosition.PerRetry));
    });

    private sealed class WireLog
    {
        private ConcurrentQueue<string> _requests = new();

        public IEnumerable<string> Requests => _requests;

        public void Add(string request) => _requests.Enqueue(request);

        public void Clear() => _requests = new ConcurrentQueue<string>();
    }

    /// <summary>Records every request as it leaves for the wire: service, method and path.</summary>
    private sealed class WirePolicy(WireLog wire, string service) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Record(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Record(HttpMessage message) => wire.Add($"{service} {message.Request.Method} {message.Request.Uri.Path}{message.Request.Uri.Query}");
    }
}
