using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Governance;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;
using ReportPipeline.Storage.Configuration;
using ReportPipeline.Development.Emulator;
using ReportPipeline.Storage.Stores;

namespace ReportPipeline.LocalHost;

/// <summary>
/// Builds the local host: the same composition root as the Functions app, the contract's routes under <c>/api</c>
/// served by Kestrel, and (for <c>serve</c>) the blob poller and the consolidation timer. With no <c>ReportStorage</c>
/// setting it starts the embedded Azurite (in memory, free ports) and stops it on exit.
/// </summary>
public sealed class LocalHostRuntime : IAsyncDisposable
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    private readonly AzuriteEmulator? _azurite;

    private LocalHostRuntime(WebApplication app, AzuriteEmulator? azurite)
    {
        App = app;
        _azurite = azurite;
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>Where the host listens once started (the first bound address).</summary>
    public string BaseAddress => App.Urls.FirstOrDefault() ?? DefaultUrl;

    public bool UsesEmbeddedStorage => _azurite is not null;

    /// <summary>CPU time the embedded emulator has used so far (null without one or without /proc).</summary>
    public TimeSpan? EmulatorCpuTime => _azurite?.CpuTime();

    public static async Task<LocalHostRuntime> CreateAsync(
        string[] args,
        string? url,
        bool runWorkers,
        Action<IConfigurationBuilder>? configure = null,
        LogLevel minimumLevel = LogLevel.Information,
        CancellationToken cancellationToken = default,
        Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder.Configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.SetMinimumLevel(minimumLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        // Azure.Core logs every 4xx answer as a warning, including the 404s and 412s the pipeline expects (a workbook not
        // built yet, a lost ETag race); retries and conflicts are counted by StorageCountingPolicy instead. host.json does the same.
        builder.Logging.AddFilter("Azure.Core", LogLevel.Error);

        AzuriteEmulator? azurite = null;
        if (!HasStorageSetting(builder.Configuration))
        {
            azurite = await AzuriteEmulator.StartAsync(cancellationToken: cancellationToken);
            builder.Configuration[ReportStorageSettings.DefaultName] = azurite.ConnectionString;
        }

        builder.WebHost.UseUrls(url ?? DefaultUrl);
        builder.Services.AddReportPipeline(builder.Configuration, developmentDefaults: true);
        builder.Services.AddSingleton<SubmissionPoller>();
        builder.Services.AddSingleton<ConsolidationQueueWorker>();
        builder.Services.AddSingleton<ConsoleMetrics>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConsoleMetrics>());
        if (runWorkers)
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<SubmissionPoller>());
            builder.Services.AddHostedService<ConsolidationTimer>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ConsolidationQueueWorker>());
        }

        configureServices?.Invoke(builder.Services);

        // An unexpected failure answers as the Functions app does (one definition); the exception goes to the log only.
        builder.Services.AddUnexpectedFailureProblems();
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseResponseCompression();
        WebAppHosting.UseWebApp(app);
        DevelopmentSignIn.MapIfEnabled(app);
        MapRoutes(app);

        // Verbs that never start the web host (seed, consolidate, bench) still need the tables and containers.
        await app.Services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(cancellationToken);
        return new LocalHostRuntime(app, azurite);
    }

    public static bool HasStorageSetting(IConfiguration configuration) => ReportStorageSettings.IsConfigured(configuration);

    /// <summary>The same route constants the Functions app binds, each handed to the same handler.</summary>
    private static void MapRoutes(WebApplication app)
    {
        var api = app.MapGroup("/" + ApiRoutes.Prefix);
        api.MapGet(ApiRoutes.Health, (HttpRequest r, IPipelineHttpApi h, CancellationToken ct) => h.GetHealthAsync(r, ct));
        api.MapGet(ApiRoutes.Catalog, (HttpRequest r, IPipelineHttpApi h, CancellationToken ct) => h.GetCatalogAsync(r, ct));
        api.MapGet(ApiRoutes.Form, (HttpRequest r, string org, string period, IPipelineHttpApi h, CancellationToken ct) => h.GetFormAsync(r, org, period, ct));
        api.MapPost(ApiRoutes.Submissions, (HttpRequest r, string org, string period, IPipelineHttpApi h, CancellationToken ct) => h.SubmitAsync(r, org, period, ct));
        api.MapGet(ApiRoutes.Values, (HttpRequest r, string org, string period, IPipelineHttpApi h, CancellationToken ct) => h.GetValuesAsync(r, org, period, ct));
        api.MapGet(ApiRoutes.Status, (HttpRequest r, string org, string period, IPipelineHttpApi h, CancellationToken ct) => h.GetStatusAsync(r, org, period, ct));
        api.MapGet(ApiRoutes.Reports, (HttpRequest r, string org, string period, ReportListApi h, CancellationToken ct) => h.GetAsync(r, org, period, ct));
        api.MapGet(ApiRoutes.Report, (HttpRequest r, string org, string period, string template, IPipelineHttpApi h, CancellationToken ct) => h.GetReportAsync(r, org, period, template, ct));
        api.MapPost(ApiRoutes.BuildReport, (HttpRequest r, string org, string period, string template, IPipelineHttpApi h, CancellationToken ct) => h.BuildReportAsync(r, org, period, template, ct));
        api.MapGet(ApiRoutes.Burden, (HttpRequest r, string org, string period, IPipelineHttpApi h, CancellationToken ct) => h.GetBurdenAsync(r, org, period, ct));
        api.MapPost(ApiRoutes.Feedback, (HttpRequest r, string org, string period, IPipelineHttpApi h, CancellationToken ct) => h.PostFeedbackAsync(r, org, period, ct));
        api.MapPost(ApiRoutes.TemplateCheck, (HttpRequest r, TemplateCheckApi h, CancellationToken ct) => h.CheckAsync(r, ct));
        api.MapGet(ApiRoutes.Quality, (HttpRequest r, string org, string period, QualityApi h, CancellationToken ct) => h.GetQualityAsync(r, org, period, ct));
        api.MapGet(ApiRoutes.Approval, (HttpRequest r, string org, string period, ApprovalApi h, CancellationToken ct) => h.GetAsync(r, org, period, ct));
        api.MapPost(ApiRoutes.ApprovalStep, (HttpRequest r, string org, string period, ApprovalApi h, CancellationToken ct) => h.PostAsync(r, org, period, ct));
        api.MapGet(ApiRoutes.Periods, (HttpRequest r, string org, FormsApi h, CancellationToken ct) => h.GetPeriodsAsync(r, org, ct));
        api.MapGet(ApiRoutes.Series, (HttpRequest r, string org, string field, SeriesApi h, CancellationToken ct) => h.GetAsync(r, org, field, ct));
        api.MapGet(ApiRoutes.History, (HttpRequest r, string org, string period, HistoryApi h, CancellationToken ct) => h.GetAsync(r, org, period, ct));
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
