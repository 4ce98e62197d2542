using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.LocalHost;

namespace ReportPipeline.Api.Tests;

[CollectionDefinition(Name)]
public sealed class PipelineHostCollection : ICollectionFixture<PipelineHostFixture>
{
    public const string Name = "Pipeline host";
}

/// <summary>
/// The real local host (Kestrel on a free port) over its own embedded, in-memory Azurite, with the sample city.
/// Tests isolate themselves by using a period no other test uses; values are keyed by period.
/// </summary>
public sealed class PipelineHostFixture : IAsyncLifetime
{
    private static int _nextPeriod;
    private LocalHostRuntime? _runtime;

    public LocalHostRuntime Runtime => _runtime ?? throw new InvalidOperationException("Host not started.");

    public IServiceProvider Services => Runtime.Services;

    public HttpClient Http { get; private set; } = null!;

    public OrgRegistry Orgs { get; private set; } = null!;

    /// <summary>Every upload set aside in <c>submissions-rejected</c>, with the errors written beside it.</summary>
    public ConcurrentQueue<RecordedRejection> Rejections { get; } = new();

    /// <summary>Warnings and worse the host logged (the fixture's level is Warning).</summary>
    public CapturedLogs Logs { get; } = new();

    public async Task InitializeAsync()
    {
        var port = FreePort();
        // The shared host runs beside five other builds on two cores: a generous storage budget keeps a slow parse from
        // being answered 503 here (the budget itself is tested on a host of its own). A one-second coalescing window keeps the
        // drains after a submission short.
        _runtime = await LocalHostRuntime.CreateAsync([], $"http://127.0.0.1:{port}", runWorkers: false, minimumLevel: LogLevel.Warning,
            configure: c => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Pipeline:RequestStorageBudgetSeconds"] = "60",
                ["Consolidation:CoalesceSeconds"] = "1",
            }),
            configureServices: services => RecordingArchive.Decorate(services, Rejections));
        await _runtime.App.StartAsync();
        Services.GetRequiredService<ILoggerFactory>().AddProvider(Logs);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Orgs = await Services.GetRequiredService<ReferenceData>().GetOrgsAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_runtime is not null)
        {
            await _runtime.App.StopAsync();
            await _runtime.DisposeAsync();
        }
    }

    /// <summary>A month no other test in this run uses (values, receipts and workbooks are all keyed by period).</summary>
    public static string UniqueMonth()
    {
        var n = Interlocked.Increment(ref _nextPeriod);
        return $"{2040 + (n / 12)}-{(n % 12) + 1:00}";
    }

    public string Token(string org, params string[] roles) =>
        Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(org, roles.Length == 0 ? ["submitter"] : roles, null, TimeSpan.FromHours(1));

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, HttpContent? content = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        configure?.Invoke(request);
        return await Http.SendAsync(request);
    }

    public static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public static ByteArrayContent Xlsx(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        return content;
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
