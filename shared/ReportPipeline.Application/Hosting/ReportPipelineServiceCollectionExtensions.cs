using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Feedback;
using ReportPipeline.Application.Forms;
using ReportPipeline.Application.Governance;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Ingestion;
using ReportPipeline.Application.Prefill;
using ReportPipeline.Application.Options;
using ReportPipeline.Application.Reference;
using ReportPipeline.Application.Telemetry;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Excel;
using ReportPipeline.Storage.Files;
using ReportPipeline.Storage.Stores;

namespace ReportPipeline.Application.Hosting;

/// <summary>The one composition root: the Functions app and the local host both call <see cref="AddReportPipeline"/>, so they cannot drift.</summary>
public static class ReportPipelineServiceCollectionExtensions
{
    /// <param name="developmentDefaults">
    /// The local host passes true: with no <c>Auth__Authority</c> and no <c>Auth__SigningKey</c> it trusts the published
    /// development key and may mint tokens. The Functions app leaves it false, so a missing setting stops it at start-up.
    /// </param>
    public static IServiceCollection AddReportPipeline(this IServiceCollection services, IConfiguration configuration, bool developmentDefaults = false)
    {
        services.AddOptions<PipelineOptions>()
            .Bind(configuration.GetSection(PipelineOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => TimeZoneExists(o.TimeZone), "Pipeline__TimeZone is not a known time zone.")
            .PostConfigure(o =>
            {
                // The one display clock follows the calendar's zone (workbooks, forms, approval and conflict messages).
                if (TimeZoneExists(o.TimeZone))
                {
                    Domain.Periods.DisplayClock.Use(TimeZoneInfo.FindSystemTimeZoneById(o.TimeZone));
                }
            })
            .ValidateOnStart();
        services.AddOptions<ConsolidationQueueOptions>()
            .Bind(configuration.GetSection(ConsolidationQueueOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<ConsolidationOptions>()
            .Configure(o => o.Schedule = configuration[ConsolidationOptions.ScheduleSetting] ?? o.Schedule)
            .ValidateDataAnnotations()
            .Validate(o => NCrontab.CrontabSchedule.TryParse(o.Schedule, new NCrontab.CrontabSchedule.ParseOptions { IncludingSeconds = true }) is not null,
                "ConsolidationSchedule is not a six-field CRON expression (seconds first), as the Functions timer expects.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<PipelineMetrics>();

        services.AddReportStorage(configuration, sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<PipelineOptions>>().Value.OrgsPath);
        // The catalog's published versions in blob storage; the folder shipped with the code (or Pipeline__CatalogPath)
        // only seeds an empty container as version v0001. Admission publishes the versions after it.
        services.TryAddSingleton(sp => new BlobCatalogSource(
            sp.GetRequiredService<Azure.Storage.Blobs.BlobServiceClient>().GetBlobContainerClient(Storage.StorageNames.CatalogContainer),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<PipelineOptions>>().Value.CatalogPath is { Length: > 0 } catalogPath
                ? new FileCatalogSource(catalogPath)
                : FileCatalogSource.Shipped,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ICatalogSource>(sp => sp.GetRequiredService<BlobCatalogSource>());
        services.TryAddSingleton<ICatalogPublisher>(sp => sp.GetRequiredService<BlobCatalogSource>());

        services.TryAddSingleton<IFormWorkbookWriter, FormWorkbookWriter>();
        services.TryAddSingleton<IFormWorkbookReader>(sp => new FormWorkbookReader(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<PipelineOptions>>().Value.MaxInflatedBytes));
        services.TryAddSingleton<IReportWorkbookWriter, ReportWorkbookWriter>();

        services.AddReportPipelineAuth(configuration, developmentDefaults);
        services.TryAddSingleton<IOrgHierarchy, ReferenceOrgHierarchy>();

        services.TryAddSingleton<ReferenceData>();
        services.TryAddSingleton<ReferenceWarmUp>();
        services.AddHostedService(sp => sp.GetRequiredService<ReferenceWarmUp>());
        services.TryAddSingleton<ReportingCalendar>();
        services.TryAddSingleton<SubmissionService>();
        services.TryAddSingleton<FormService>();
        services.TryAddSingleton<ReportingPeriodsService>();
        // Both hosts compress the same way (the local host as middleware, the Functions app around each result).
        services.AddPipelineResponseCompression();
        services.TryAddSingleton<StatusService>();
        services.TryAddSingleton<OfficeSummaries>();
        services.TryAddSingleton<BurdenService>();
        services.TryAddSingleton<FeedbackService>();
        services.TryAddSingleton<ConsolidationService>();
        services.TryAddSingleton<PendingConsolidation>();
        services.TryAddSingleton<ComposedWorkbookPending>();
        services.TryAddSingleton<ConsolidationPlanner>();
        services.TryAddSingleton<ConsolidationUnitHandler>();
        services.TryAddSingleton<ScheduledConsolidation>();
        services.TryAddSingleton<IScheduledConsolidation>(sp => sp.GetRequiredService<ScheduledConsolidation>());
        services.TryAddSingleton<IBlobIngestionHandler, BlobIngestionHandler>();
        services.AddPipelineHttpApi();
        services.AddTemplateDesignCheck();
        services.TryAddSingleton<Quality.QualityService>();
        services.TryAddSingleton<Http.QualityApi>();
        services.TryAddSingleton<Http.ReportListApi>();
        services.TryAddSingleton<FieldSums>();
        services.TryAddSingleton<SeriesService>();
        services.TryAddSingleton<Http.SeriesApi>();
        services.AddApprovalAndHistory();
        services.AddDepartmentData();
        return services;
    }

    private static bool TimeZoneExists(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);
}
