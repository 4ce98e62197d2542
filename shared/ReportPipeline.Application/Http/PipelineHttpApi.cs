using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ReportPipeline.Application.Http;

/// <summary>
/// The contract's HTTP routes as handlers. Both hosts call these and nothing else: the local host from minimal-API
/// endpoints, the Functions app from one thin function per route. Each returns an <see cref="IResult"/> that the host executes.
/// </summary>
public interface IPipelineHttpApi
{
    Task<IResult> GetHealthAsync(HttpRequest request, CancellationToken cancellationToken);
    Task<IResult> GetCatalogAsync(HttpRequest request, CancellationToken cancellationToken);
    Task<IResult> GetFormAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken);
    Task<IResult> SubmitAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken);
    Task<IResult> GetValuesAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken);
    Task<IResult> GetStatusAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken);
    Task<IResult> GetReportAsync(HttpRequest request, string org, string period, string template, CancellationToken cancellationToken);
    Task<IResult> BuildReportAsync(HttpRequest request, string org, string period, string template, CancellationToken cancellationToken);
    Task<IResult> GetBurdenAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken);
    Task<IResult> PostFeedbackAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken);
}

/// <summary>The contract's routes, each handed to its feature (submissions, forms, reports, status, burden, feedback, health and catalog).</summary>
public sealed class PipelineHttpApi(
    HealthApi health,
    SubmissionsApi submissions,
    FormsApi forms,
    ReportsApi reports,
    StatusApi status,
    BurdenApi burden,
    FeedbackApi feedback) : IPipelineHttpApi
{
    public Task<IResult> GetHealthAsync(HttpRequest request, CancellationToken cancellationToken) => health.GetHealthAsync(cancellationToken);

    public Task<IResult> GetCatalogAsync(HttpRequest request, CancellationToken cancellationToken) => health.GetCatalogAsync(request, cancellationToken);

    public Task<IResult> GetFormAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        forms.GetFormAsync(request, org, period, cancellationToken);

    public Task<IResult> SubmitAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        submissions.SubmitAsync(request, org, period, cancellationToken);

    public Task<IResult> GetValuesAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        submissions.GetValuesAsync(request, org, period, cancellationToken);

    public Task<IResult> GetStatusAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        status.GetStatusAsync(request, org, period, cancellationToken);

    public Task<IResult> GetReportAsync(HttpRequest request, string org, string period, string template, CancellationToken cancellationToken) =>
        reports.GetReportAsync(request, org, period, template, cancellationToken);

    public Task<IResult> BuildReportAsync(HttpRequest request, string org, string period, string template, CancellationToken cancellationToken) =>
        reports.BuildReportAsync(request, org, period, template, cancellationToken);

    public Task<IResult> GetBurdenAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        burden.GetAsync(request, org, period, cancellationToken);

    public Task<IResult> PostFeedbackAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        feedback.PostFeedbackAsync(request, org, period, cancellationToken);
}

public static class PipelineHttpApiServiceCollectionExtensions
{
    /// <summary>The HTTP layer: the route helper, the upload memory budget, one handler class per feature and the facade both hosts call.</summary>
    public static IServiceCollection AddPipelineHttpApi(this IServiceCollection services)
    {
        services.TryAddSingleton<ApiRoute>();
        services.TryAddSingleton<UploadBudget>();
        services.TryAddSingleton<RequestBodyReader>();
        services.TryAddSingleton<HealthApi>();
        services.TryAddSingleton<SubmissionsApi>();
        services.TryAddSingleton<FormsApi>();
        services.TryAddSingleton<ReportsApi>();
        services.TryAddSingleton<StatusApi>();
        services.TryAddSingleton<BurdenApi>();
        services.TryAddSingleton<FeedbackApi>();
        services.TryAddSingleton<IPipelineHttpApi, PipelineHttpApi>();
        return services;
    }
}

/// <summary>Blob-drop ingestion of <c>submissions/{period}/{org}/{name}</c>; the blob trigger and the local poller call it.</summary>
public interface IBlobIngestionHandler
{
    /// <summary><paramref name="blobName"/> is the name inside the <c>submissions</c> container.</summary>
    Task IngestAsync(string blobName, CancellationToken cancellationToken);
}

/// <summary>The consolidation timer's work: builds every workbook whose inputs changed since its last build.</summary>
public interface IScheduledConsolidation
{
    Task RunAsync(bool isPastDue, CancellationToken cancellationToken);
}
