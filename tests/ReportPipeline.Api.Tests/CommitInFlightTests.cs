using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.LocalHost;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// A submission's entity group transaction, once sent, is never cut off: not when the storage budget ends (see
/// <see cref="DedicatedHostTests"/>) and not when the client hangs up while it is on the wire — its answer is read, so the
/// outcome is decided by storage alone and the next request of the clerk (a resend) meets it.
/// </summary>
[Collection(DedicatedHostsRunAlone.Name)]
public sealed class CommitInFlightTests
{
    private const string Month = "2026-11";

    [Fact]
    public async Task A_client_that_hangs_up_while_the_commit_is_on_the_wire_does_not_cut_the_commit_off()
    {
        var slow = new SlowCommitAnswer(TimeSpan.FromSeconds(3));
        await using var runtime = await StartAsync(slow);
        var village = (await runtime.Services.GetRequiredService<ReferenceData>().GetOrgsAsync(CancellationToken.None)).All.First(o => o.Level == OrgLevel.Village);
        var catalog = runtime.Services.GetRequiredService<ReferenceData>().Catalog.Catalog;
        var period = Period.Parse(Month);
        var values = Development.Synthetic.SyntheticValues.Generate(catalog, village, period, seed: 1)
            .Where(kv => catalog.Find(kv.Key) is { Source: FieldSource.Typed } f && f.Frequency == period.Kind)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        var token = runtime.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(village.Code, ["submitter"], null, TimeSpan.FromHours(1));
        // The client gives up one second into the three the commit's answer takes.
        using var http = new HttpClient { BaseAddress = new Uri(runtime.BaseAddress), Timeout = TimeSpan.FromSeconds(1) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{Month}")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { values }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => http.SendAsync(request));
        await slow.Answered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(slow.CutOff, "the commit was cancelled while its answer was on the way");
        Assert.NotEmpty((await runtime.Services.GetRequiredService<IFieldValueStore>().GetAsync(village.Code, period)).Values);
    }

    private static Task<LocalHostRuntime> StartAsync(SlowCommitAnswer slow) =>
        DedicatedHost.StartAsync(configureServices: services => services.ConfigureAll<TableClientOptions>(o => o.AddPolicy(slow, HttpPipelinePosition.PerRetry)));

    /// <summary>
    /// Lets the first entity group transaction reach storage (it commits there), then holds its answer back for a while
    /// unless the caller cancels; says whether the hold ran its course or was cut off.
    /// </summary>
    private sealed class SlowCommitAnswer(TimeSpan hold) : HttpPipelinePolicy
    {
        private int _held;

        public TaskCompletionSource Answered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool CutOff { get; private set; }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (message.Request.Method == RequestMethod.Post && message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal)
                && Interlocked.Exchange(ref _held, 1) == 0)
            {
                try
                {
                    await Task.Delay(hold, message.CancellationToken);
                }
                catch (OperationCanceledException)
                {
                    CutOff = true;
                    throw;
                }
                finally
                {
                    Answered.TrySetResult();
                }
            }
        }
    }
}
